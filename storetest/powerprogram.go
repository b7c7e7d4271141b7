package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// gridProgram is an OpenADR program driving two sites, with a client
// secret.
func gridProgram() *hearth.PowerProgram {
	return &hearth.PowerProgram{Name: "ercot-clr", Kind: hearth.ProgramOpenADR, Sites: []string{"barn", "garage"},
		FailMode: hearth.FailCurtail, SilentAfter: 10 * time.Minute, Enabled: true,
		Settings: json.RawMessage(`{"url":"https://vtn.example/openadr3","client_id":"hearth-barn"}`), Secret: "s3cret-client"}
}

func testPowerProgramService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	p := gridProgram()
	if err := st.Programs.SetPowerProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.Secret != hearth.RedactedSecret || !p.CreatedAt.Equal(Now) {
		t.Errorf("after set: secret %q created %v, want redacted and now", p.Secret, p.CreatedAt)
	}
	list, err := st.Programs.FindPowerPrograms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Secret != hearth.RedactedSecret || list[0].Kind != hearth.ProgramOpenADR ||
		list[0].FailMode != hearth.FailCurtail || list[0].SilentAfter != 10*time.Minute || !list[0].Enabled || len(list[0].Sites) != 2 {
		t.Fatalf("list %+v", list)
	}
	var settings map[string]string
	if err := json.Unmarshal(list[0].Settings, &settings); err != nil || settings["client_id"] != "hearth-barn" {
		t.Errorf("settings %s: %v", list[0].Settings, err)
	}
	got, err := st.Programs.FindPowerProgramByName(ctx, "ercot-clr")
	if err != nil || got.Secret != "s3cret-client" {
		t.Fatalf("runner's view: %+v, %v; want the secret opened", got, err)
	}

	// A change that sends the secret back redacted keeps it.
	got.Enabled, got.Secret = false, hearth.RedactedSecret
	if err := st.Programs.SetPowerProgram(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := st.Programs.FindPowerProgramByName(ctx, "ercot-clr")
	if again.Enabled || again.Secret != "s3cret-client" || !again.CreatedAt.Equal(Now) {
		t.Errorf("after an update keeping the secret: %+v", again)
	}
	// An empty secret removes it.
	again.Secret = ""
	if err := st.Programs.SetPowerProgram(ctx, again); err != nil {
		t.Fatal(err)
	}
	if none, _ := st.Programs.FindPowerProgramByName(ctx, "ercot-clr"); none.Secret != "" {
		t.Errorf("secret %q after removing it", none.Secret)
	}

	fresh := gridProgram()
	fresh.Name, fresh.Secret = "new", hearth.RedactedSecret
	if err := st.Programs.SetPowerProgram(ctx, fresh); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("a new program keeping a secret it never had: %v, want EINVALID", err)
	}
	for name, mutate := range map[string]func(*hearth.PowerProgram){
		"no sites":       func(p *hearth.PowerProgram) { p.Sites = nil },
		"bad fail mode":  func(p *hearth.PowerProgram) { p.FailMode = "panic" },
		"settings !JSON": func(p *hearth.PowerProgram) { p.Settings = json.RawMessage(`{`) },
		"no kind":        func(p *hearth.PowerProgram) { p.Kind = "" },
	} {
		p := gridProgram()
		mutate(p)
		if err := st.Programs.SetPowerProgram(ctx, p); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if err := st.Programs.DeletePowerProgram(ctx, "ercot-clr"); err != nil {
		t.Fatal(err)
	}
	if err := st.Programs.DeletePowerProgram(ctx, "ercot-clr"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
	if _, err := st.Programs.FindPowerProgramByName(ctx, "ercot-clr"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("find after delete: %v, want ENOTFOUND", err)
	}
}

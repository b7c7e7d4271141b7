package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/openadr/vtntest"
	"github.com/hearth-fleet/hearth/sim"
)

// The "Done when": a test VTN written from the OpenADR 3
// specification publishes an event, and the simulated site's measured
// power follows the target within the ramp time, with reports posted
// back. Deleting the event brings the site back to full power; a VTN that
// goes down leaves the site curtailed after silent_after, released when
// the VTN is back.
func TestOpenADRProgramHoldsASiteToTheVTNsEvent(t *testing.T) {
	t.Parallel()
	const (
		pollInterval = time.Second
		rampDownKW   = 60.0 // kW per minute
		targetKW     = 6.0
		silentAfter  = 30 * time.Second
	)
	vtn := vtntest.New(openadr.Version310)
	t.Cleanup(vtn.Close)
	vtn.AddClient("hearth-barn", "vtn-client-secret", vtntest.VENScopes(openadr.Version310)...)
	prog, err := vtn.CreateProgram(openadr.Program{ProgramName: "capacity-summer"})
	if err != nil {
		t.Fatal(err)
	}

	d := startDemo(t, "--miners", "4", "--models", sim.ModelS21BOS+","+sim.ModelS19jProBOS, "--site", "barn",
		"--poll-interval", "1s", "--power-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, code := runCLI(t, append(args, c...)...)
		if code != 0 {
			t.Fatalf("hearth %v exited %d: %s%s", args, code, out, errOut)
		}
		return out
	}
	sitePower := func() (total float64, ok bool) {
		for _, m := range listMiners(t, d).Miners {
			r := showMiner(t, d, m.ID).Latest
			if r == nil {
				return 0, false
			}
			total += r.Power
		}
		return total, true
	}
	var full float64
	eventually(t, "four miners mining", func() bool {
		if len(listMiners(t, d).Miners) < 4 {
			return false
		}
		total, ok := sitePower()
		full = total
		return ok && total > 10_000
	})
	cli("sites", "edit", "barn", "--ramp-down-kw-per-min", fmt.Sprint(rampDownKW))

	secretFile := filepath.Join(t.TempDir(), "vtn-secret")
	if err := os.WriteFile(secretFile, []byte("vtn-client-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The VTN also notifies hearth of event changes through the webhook
	// hearth serves without a hearth token.
	settings := fmt.Sprintf(`{"url":%q,"version":"3.1.0","client_id":"hearth-barn","ven_name":"barn-ven","poll_interval":"1s","sample_interval":"1s",`+
		`"callback_url":%q,"programs":[{"name":"capacity-summer"}]}`, vtn.URL(), d.URL+openadr.WebhookPath+"grid")
	cli("power", "programs", "set", "grid", "--kind", "openadr", "--site", "barn", "--settings", settings,
		"--secret-file", secretFile, "--fail-mode", "curtail", "--silent-after", silentAfter.String())

	eventually(t, "hearth subscribed to the VTN's events", func() bool { return len(vtn.Subscriptions()) == 1 })

	// The VTN publishes a capacity limit of 6 kW for three minutes, in
	// intervals of 15 s, and asks for DEMAND reports.
	published := time.Now()
	ev := openadr.Event{
		ProgramID: prog.ID, EventName: "heat-wave",
		IntervalPeriod:     &openadr.IntervalPeriod{Start: published.UTC().Format(time.RFC3339), Duration: "PT15S"},
		PayloadDescriptors: []openadr.PayloadDescriptor{{PayloadType: "IMPORT_CAPACITY_LIMIT", Units: "KW"}},
		ReportDescriptors:  []openadr.ReportDescriptor{{PayloadType: "DEMAND", ReadingType: "MEAN", Units: "KW"}},
	}
	for i := range 12 {
		ev.Intervals = append(ev.Intervals, openadr.Interval{ID: int32(i), Payloads: []openadr.ValuesMap{{Type: "IMPORT_CAPACITY_LIMIT", Values: []any{targetKW}}}})
	}
	if ev, err = vtn.CreateEvent(ev); err != nil {
		t.Fatal(err)
	}
	// Within the ramp time, plus a few poll and controller cycles and
	// the miners' own reaction.
	ramp := time.Duration((full - targetKW*1000) / (rampDownKW * 1000) * float64(time.Minute))
	deadline := published.Add(ramp + 5*pollInterval + 10*time.Second)
	var status hearthhttp.PowerReport
	for {
		total, ok := sitePower()
		out, _, _ := runCLI(t, append([]string{"power", "status", "--json"}, c...)...)
		if json.Unmarshal([]byte(out), &status) == nil && len(status.Sites) == 1 && ok && total <= targetKW*1000*1.03 && status.Sites[0].State == "reached" {
			t.Logf("barn went from %.0f W to %.0f W in %s (ramp time %s)", full, total, time.Since(published).Round(time.Second), ramp.Round(time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("barn at %.0f W, status %+v, %s after the event (ramp time %s); want under %.0f kW and reached", total, status.Sites, time.Since(published), ramp, targetKW)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if errs := vtn.NotifyErrors(); len(errs) > 0 {
		t.Errorf("the VTN could not notify hearth's webhook: %v", errs)
	}
	st := status.Sites[0]
	if st.Request == nil || st.Request.Source != hearth.SourceOpenADR || st.Request.LimitWatts != targetKW*1000 || st.TargetWatts == nil || *st.TargetWatts != targetKW*1000 {
		t.Errorf("status %+v, want the openadr request of %v kW holding", st, targetKW)
	}

	programs := func() hearthhttp.PowerProgramItem {
		t.Helper()
		var list hearthhttp.PowerProgramList
		if err := json.Unmarshal([]byte(cli("power", "programs", "list", "--json")), &list); err != nil || len(list.Programs) != 1 || list.Programs[0].Status == nil {
			t.Fatalf("programs %+v: %v", list, err)
		}
		return list.Programs[0]
	}
	if p := programs(); !p.Status.Running || p.Status.Silent || time.Since(p.Status.LastContact) > 5*pollInterval || p.Secret != hearth.RedactedSecret {
		t.Errorf("program %+v status %+v, want running, heard from within the last polls, secret redacted", p.PowerProgram, *p.Status)
	}

	// The VEN reports the barn's mean demand of each ended interval.
	eventually(t, "a DEMAND report of barn", func() bool {
		for _, r := range vtn.Reports() {
			if r.EventID != ev.ID || r.ClientName != "barn-ven" {
				continue
			}
			for _, res := range r.Resources {
				for _, iv := range res.Intervals {
					if res.ResourceName == "barn" && len(iv.Payloads) == 1 && iv.Payloads[0].Type == "DEMAND" {
						if kw, ok := iv.Payloads[0].Values[0].(float64); ok && kw > 0 && kw < full/1000*1.05 {
							return true
						}
					}
				}
			}
		}
		return false
	})

	// The VTN cancels the event: back to full power.
	if err := vtn.DeleteEvent(ev.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "barn back at full power", func() bool {
		total, ok := sitePower()
		return ok && total >= full*0.95
	})

	// The VTN goes down: after silent_after, the program's fail mode
	// curtails the barn; when it is back, the barn is released.
	vtn.SetDown(true)
	down := time.Now()
	waitUntil := func(what string, within time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, within)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	curtailRamp := time.Duration(full / (rampDownKW * 1000) * float64(time.Minute))
	waitUntil("barn curtailed with the VTN down", silentAfter+curtailRamp+30*time.Second, func() bool {
		total, ok := sitePower()
		return ok && total < full*0.1
	})
	if since := time.Since(down); since < silentAfter {
		t.Errorf("barn curtailed %s after the VTN went down, before silent_after %s", since, silentAfter)
	}
	if p := programs(); !p.Status.Silent || p.Status.LastError == "" {
		t.Errorf("status %+v with the VTN down, want silent with the poll's error", *p.Status)
	}
	vtn.SetDown(false)
	waitUntil("barn released with the VTN back", 30*time.Second, func() bool {
		total, ok := sitePower()
		return ok && total >= full*0.95
	})
}

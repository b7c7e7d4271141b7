package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestActions(t *testing.T) {
	t.Run("NeedsToken", func(t *testing.T) {
		f := newFixture(t)
		rec := serve(f.Handler, request(http.MethodPost, "/api/v1/actions", map[string]any{"selector": "all", "verb": "reboot"}))
		if rec.Code != http.StatusUnauthorized || len(f.Audit.entries) != 0 {
			t.Errorf("without a token: %d, %d audit entries", rec.Code, len(f.Audit.entries))
		}
	})
	t.Run("ResultsPerMinerAndAudit", func(t *testing.T) {
		f := newFixture(t)
		body := map[string]any{"selector": "site=barn", "verb": "set-pools",
			"pools": []map[string]string{{"url": "stratum+tcp://pool.example:3333", "user": "farm.w1", "password": "s3cret"}}}
		rec := serve(f.Handler, withToken(request(http.MethodPost, "/api/v1/actions", body), validToken))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "s3cret") {
			t.Error("the pool password came back in the reply")
		}
		var e hearth.AuditEntry
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if len(e.Results) != 2 || !e.Results[0].OK || e.Results[1].Code != hearth.EUNSUPPORTED {
			t.Errorf("results %+v", e.Results)
		}
		rec = serve(f.Handler, request(http.MethodGet, "/api/v1/audit", nil))
		var list struct{ Entries []hearth.AuditEntry }
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Entries) != 1 {
			t.Fatalf("audit: %d %s", rec.Code, rec.Body.String())
		}
		if a := list.Entries[0]; a.Actor == "" || a.Actor == "unknown" || a.Selector != "site=barn" || a.Action.Verb != hearth.VerbSetPools {
			t.Errorf("audit entry %+v", a)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		f := newFixture(t)
		for _, tc := range []struct {
			body   map[string]any
			status int
		}{
			{map[string]any{"selector": "all", "verb": "explode"}, http.StatusBadRequest},
			{map[string]any{"selector": "all", "verb": "power-target"}, http.StatusBadRequest},
			{map[string]any{"selector": "all", "verb": "locate-on", "duration": "soon"}, http.StatusBadRequest},
			{map[string]any{"selector": "nothing", "verb": "reboot"}, http.StatusNotFound},
		} {
			rec := serve(f.Handler, withToken(request(http.MethodPost, "/api/v1/actions", tc.body), validToken))
			if rec.Code != tc.status {
				t.Errorf("%v: %d, want %d: %s", tc.body, rec.Code, tc.status, rec.Body.String())
			}
		}
		if rec := serve(f.Handler, request(http.MethodGet, "/api/v1/audit?limit=0", nil)); rec.Code != http.StatusBadRequest {
			t.Errorf("audit limit=0: %d", rec.Code)
		}
	})
}

// GET /api/v1/audit answers what was done to one miner, a page at a time,
// through the API and the client the CLI uses.
func TestAudit_Filter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	record := func(miners ...string) int64 {
		t.Helper()
		e := &hearth.AuditEntry{Time: testNow, Actor: "ops", Selector: strings.Join(miners, ","), Action: hearth.Action{Verb: hearth.VerbReboot}}
		for _, m := range miners {
			e.Results = append(e.Results, hearth.ActionResult{MinerID: m, OK: true})
		}
		if err := f.Audit.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	shared := record("s19-a", "bitaxe-1")
	own := record("bitaxe-1")
	newest := record("s19-a")

	ts := httptest.NewServer(f.Handler)
	defer ts.Close()
	client := hearthhttp.NewClient(ts.URL, "")
	for _, tc := range []struct {
		f    hearth.AuditFilter
		want []int64
	}{
		{hearth.AuditFilter{}, []int64{newest, own, shared}},
		{hearth.AuditFilter{Miner: "bitaxe-1"}, []int64{own, shared}},
		{hearth.AuditFilter{Miner: "s19-a", Limit: 1}, []int64{newest}},
		{hearth.AuditFilter{Miner: "s19-a", BeforeID: newest}, []int64{shared}},
		{hearth.AuditFilter{Miner: "nope"}, []int64{}},
		{hearth.AuditFilter{Limit: 2, BeforeID: newest}, []int64{own, shared}},
	} {
		list, err := client.Audit(ctx, tc.f)
		if err != nil {
			t.Fatalf("%+v: %v", tc.f, err)
		}
		got := []int64{}
		for _, e := range list.Entries {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: entries %v, want %v", tc.f, got, tc.want)
		}
	}

	for _, q := range []string{"limit=0", "limit=ten", "before=0", "before=-3", "before=1.5", "limit=99999999999999999999"} {
		rec := serve(f.Handler, request(http.MethodGet, "/api/v1/audit?"+q, nil))
		var body struct{ Error string }
		if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error == "" {
			t.Errorf("%s: %d %s, want a 400 JSON error", q, rec.Code, rec.Body.String())
		}
	}
}

package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
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

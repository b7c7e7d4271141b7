package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// An operator overrides a site for a while: the override is stored with
// who made it and an end, even when the request gives none, and can be
// withdrawn.
func TestPower_Override(t *testing.T) {
	f := newFixture(t)
	body := map[string]any{"site": "barn", "kind": "resume", "reason": "keep mining through the event"}
	if rec := serve(f.Handler, request("POST", "/api/v1/power/requests", body)); rec.Code != http.StatusUnauthorized {
		t.Errorf("override without a token: %d, want 401", rec.Code)
	}
	rec := serve(f.Handler, withToken(request("POST", "/api/v1/power/requests", body), validToken))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
	}
	var o hearth.PowerRequest
	decode(t, rec, &o)
	if !strings.HasPrefix(o.ID, "ovr-") || o.Source != hearth.SourceOverride || o.CreatedBy != "admin" ||
		!o.Start.Equal(testNow) || !o.End.Equal(testNow.Add(hearthhttp.DefaultOverrideFor)) {
		t.Errorf("override %+v, want a fresh ID, the token's name and an hour from now", o)
	}
	rec = serve(f.Handler, withToken(request("GET", "/api/v1/power/requests?active=true&site=barn", nil), validToken))
	var list hearthhttp.PowerRequestList
	decode(t, rec, &list)
	if len(list.Requests) != 2 {
		t.Fatalf("active requests of barn: %+v, want the event and the override", list.Requests)
	}
	for _, bad := range []map[string]any{
		{"site": "barn", "kind": "limit", "limit_w": 1000, "for": "soon"},
		{"site": "barn", "kind": "limit", "limit_w": 1000, "for": "9000h"},
		{"site": "", "kind": "resume"},
		{"site": "barn", "kind": "more"},
	} {
		if rec := serve(f.Handler, withToken(request("POST", "/api/v1/power/requests", bad), validToken)); rec.Code != http.StatusBadRequest {
			t.Errorf("override %v: %d, want 400", bad, rec.Code)
		}
	}
	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/power/requests?site=barn&id="+o.ID, nil), validToken)); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/power/requests?site=barn&id="+o.ID, nil), validToken)); rec.Code != http.StatusNotFound {
		t.Errorf("second DELETE: %d, want 404", rec.Code)
	}
}

// A plain signal lapses unless its publisher sends it again, and sending
// it again replaces it rather than piling up.
func TestPower_Signal(t *testing.T) {
	f := newFixture(t)
	for range 2 {
		rec := serve(f.Handler, withToken(request("POST", "/api/v1/power/signal", map[string]any{"site": "home", "kind": "shed", "shed_fraction": 1}), validToken))
		if rec.Code != http.StatusOK {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
		}
	}
	reqs, _ := f.Power.FindPowerRequests(t.Context(), hearth.PowerRequestFilter{Source: hearth.SourceSignal})
	if len(reqs) != 1 || reqs[0].ID != "http" || !reqs[0].End.Equal(testNow.Add(5*time.Minute)) {
		t.Errorf("signals %+v, want one, ID http, lapsing in 5 minutes", reqs)
	}
}

// The power report lists the sites and the requests in force now or
// later, not those that ended.
func TestPower_Report(t *testing.T) {
	f := newFixture(t)
	f.Power.SetPowerRequest(t.Context(), &hearth.PowerRequest{ID: "old", Source: hearth.SourcePrice, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1,
		Start: testNow.Add(-3 * time.Hour), End: testNow.Add(-2 * time.Hour)})
	rec := serve(f.Handler, request("GET", "/api/v1/power", nil))
	var rep hearthhttp.PowerReport
	decode(t, rec, &rep)
	if len(rep.Sites) != 1 || rep.Sites[0].Site != "barn" || len(rep.Requests) != 1 || rep.Requests[0].ID != "evt-1/0" {
		t.Errorf("report %+v", rep)
	}
}

// A program's secret is written once and never read back: lists and
// replies redact it, and a change that sends the redaction keeps it.
func TestPower_ProgramSecrets(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/power/programs", nil))
	if strings.Contains(rec.Body.String(), "client-secret") || !strings.Contains(rec.Body.String(), `"secret":"***"`) {
		t.Fatalf("list shows %s", rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), `"silent":true`) {
		t.Errorf("list lacks the runner's status: %s", rec.Body.String())
	}
	rec = serve(f.Handler, withToken(request("PUT", "/api/v1/power/programs/grid", map[string]any{"kind": "openadr", "sites": []string{"barn", "home"},
		"fail_mode": "hold", "enabled": true, "secret": "***"}), validToken))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "client-secret") {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	if p, _ := f.Programs.FindPowerProgramByName(t.Context(), "grid"); p.Secret != "client-secret" || len(p.Sites) != 2 {
		t.Errorf("stored %+v, want the secret kept and two sites", p)
	}
	if rec := serve(f.Handler, request("DELETE", "/api/v1/power/programs/grid", nil)); rec.Code != http.StatusUnauthorized {
		t.Errorf("DELETE without a token: %d", rec.Code)
	}
	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/power/programs/grid", nil), validToken)); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE: %d", rec.Code)
	}
}

package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// A receiver's secret never comes back, and a write of "***" keeps it.
func TestReceivers_SecretRedacted(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, withToken(request("GET", "/api/v1/receivers", nil), validToken))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "hook-token") {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	var list hearthhttp.ReceiverList
	decode(t, rec, &list)
	if len(list.Receivers) != 1 || list.Receivers[0].Secret != hearth.RedactedSecret || list.Receivers[0].Status == nil || list.Receivers[0].Status.Sent != 3 {
		t.Errorf("list %+v", list)
	}
	rec = serve(f.Handler, withToken(request("PUT", "/api/v1/receivers/ops", map[string]any{"kind": "webhook", "enabled": false,
		"route": map[string]any{}, "settings": map[string]any{"url": "https://hooks.example/v2"}, "secret": "***"}), validToken))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "hook-token") {
		t.Fatalf("set: %d %s", rec.Code, rec.Body)
	}
	if r := f.Receivers.receivers["ops"]; r.Secret != "hook-token" || r.Enabled || !strings.Contains(string(r.Settings), "v2") {
		t.Errorf("stored %+v", r)
	}
}

// A receiver its kind refuses is not stored, and the answer says why.
func TestReceivers_Refused(t *testing.T) {
	f := newFixture(t)
	for name, body := range map[string]map[string]any{
		"unknown kind": {"kind": "pager", "route": map[string]any{}},
		"typo":         {"kind": "ntfy", "route": map[string]any{}, "settings": map[string]any{"ulr": "https://ntfy.sh/x"}},
		"bad matcher":  {"kind": "ntfy", "route": map[string]any{"matchers": []any{map[string]any{"name": "a", "type": "=~", "value": "("}}}, "settings": map[string]any{"url": "https://ntfy.sh/x"}},
	} {
		rec := serve(f.Handler, withToken(request("PUT", "/api/v1/receivers/new", body), validToken))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if _, ok := f.Receivers.receivers["new"]; ok {
		t.Error("a refused receiver was stored")
	}
	if rec := serve(f.Handler, request("PUT", "/api/v1/receivers/new", map[string]any{"kind": "ntfy"})); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", rec.Code)
	}
}

// A silence records its author (the token's name) and ends "for" after
// it starts; deleting it removes it.
func TestSilences(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, withToken(request("POST", "/api/v1/silences", map[string]any{
		"matchers": []any{map[string]any{"name": "site", "type": "=", "value": "barn"}}, "for": "2h", "comment": "rewiring"}), validToken))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var sl hearth.Silence
	decode(t, rec, &sl)
	if sl.CreatedBy != "admin" || !sl.StartsAt.Equal(testNow) || !sl.EndsAt.Equal(testNow.Add(2*time.Hour)) || sl.ID != 2 {
		t.Errorf("silence %+v", sl)
	}
	rec = serve(f.Handler, withToken(request("GET", "/api/v1/silences", nil), validToken))
	var list hearthhttp.SilenceList
	decode(t, rec, &list)
	if len(list.Silences) != 2 {
		t.Errorf("list %+v", list)
	}
	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/silences/2", nil), validToken)); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/api/v1/silences/2", "/api/v1/silences/x"} {
		if rec := serve(f.Handler, withToken(request("DELETE", path, nil), validToken)); rec.Code != http.StatusNotFound {
			t.Errorf("delete %s: %d", path, rec.Code)
		}
	}
	rec = serve(f.Handler, withToken(request("POST", "/api/v1/silences", map[string]any{
		"matchers": []any{map[string]any{"name": "site", "type": "=", "value": "barn"}}, "for": "2h", "ends_at": "2026-03-02T00:00:00Z"}), validToken))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("for and ends_at: %d", rec.Code)
	}
}

// The history's query reaches the store.
func TestAlertHistory(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/alerts/history?open=true&name=MinerOffline&since=2026-03-01T00:00:00Z&limit=5", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var h hearthhttp.AlertHistory
	decode(t, rec, &h)
	if len(h.Events) != 1 || h.Events[0].Labels["miner"] != "s21-c" {
		t.Errorf("events %+v", h.Events)
	}
	if l := f.History.last; !l.Open || l.Name != "MinerOffline" || l.Limit != 5 || l.Since.IsZero() {
		t.Errorf("filter %+v", l)
	}
	for _, q := range []string{"open=maybe", "limit=0", "until=soon"} {
		if rec := serve(f.Handler, request("GET", "/api/v1/alerts/history?"+q, nil)); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", q, rec.Code)
		}
	}
}

package http_test

import (
	"net/http"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestSchedules_CRUD(t *testing.T) {
	f := newFixture(t)
	night := map[string]any{"name": "night", "target": map[string]any{"kind": "site", "id": "barn"},
		"change":     map[string]any{"kind": "power-profile", "payload": map[string]any{"mode": "eco", "watts": 2500}},
		"recurrence": "22:00-06:00", "time_zone": "Europe/Oslo"}
	rec := serve(f.Handler, withToken(request("POST", "/api/v1/schedules", night), validToken))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
	}
	var created hearth.Schedule
	decode(t, rec, &created)
	if created.ID == "" || !created.Enabled || rec.Header().Get("Location") != "/api/v1/schedules/"+created.ID {
		t.Fatalf("created %+v (Location %q): want an ID and enabled by default", created, rec.Header().Get("Location"))
	}

	night["enabled"] = false
	night["recurrence"] = "23:00-05:00"
	rec = serve(f.Handler, withToken(request("PUT", "/api/v1/schedules/"+created.ID, night), validToken))
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	stored, err := f.Schedules.FindScheduleByID(t.Context(), created.ID)
	if err != nil || stored.Enabled || stored.Recurrence != "23:00-05:00" {
		t.Fatalf("after PUT: %+v, %v", stored, err)
	}

	night["change"] = map[string]any{"kind": "pause", "payload": map[string]any{"mode": "max"}}
	if rec := serve(f.Handler, withToken(request("PUT", "/api/v1/schedules/"+created.ID, night), validToken)); rec.Code != http.StatusBadRequest {
		t.Errorf("PUT of a pause with a payload: %d, want 400", rec.Code)
	}
	if rec := serve(f.Handler, request("POST", "/api/v1/schedules", night)); rec.Code != http.StatusUnauthorized {
		t.Errorf("POST without a token: %d, want 401", rec.Code)
	}

	if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/schedules/"+created.ID, nil), validToken)); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(f.Handler, withToken(request("GET", "/api/v1/schedules/"+created.ID, nil), validToken)); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", rec.Code)
	}
}

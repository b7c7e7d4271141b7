package http_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestProfiles(t *testing.T) {
	f := newFixture(t)
	h := f.Handler

	night := map[string]any{"name": "night", "description": "22:00 to 06:00", "mode": "target",
		"model_watts": map[string]any{"Antminer S21": 2500, "Antminer S19j Pro": 2200}}
	expectError(t, serve(h, request("POST", "/api/v1/profiles", night)), http.StatusUnauthorized, hearth.EUNAUTHORIZED)
	rec := serve(h, withToken(request("POST", "/api/v1/profiles", night), validToken))
	var p hearthhttp.ProfileItem
	decode(t, rec, &p)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/api/v1/profiles/night" {
		t.Fatalf("create: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if p.Mode != hearth.PowerTarget || !reflect.DeepEqual(p.ModelWatts, map[string]float64{"Antminer S21": 2500, "Antminer S19j Pro": 2200}) || p.UsedBy == nil {
		t.Fatalf("created %+v", p)
	}
	expectError(t, serve(h, withToken(request("POST", "/api/v1/profiles", night), validToken)), http.StatusConflict, hearth.ECONFLICT)
	expectError(t, serve(h, withToken(request("POST", "/api/v1/profiles", map[string]any{"name": "x", "mode": "eco"}), validToken)),
		http.StatusBadRequest, hearth.EINVALID)
	expectError(t, serve(h, withToken(request("POST", "/api/v1/profiles", map[string]any{"name": "x", "mode": "eco", "watts": 10, "model_watts": map[string]any{"S21": -1}}), validToken)),
		http.StatusBadRequest, hearth.EINVALID)
	expectError(t, serve(h, withToken(request("PUT", "/api/v1/profiles/night", map[string]any{"name": "day", "mode": "max"}), validToken)),
		http.StatusBadRequest, hearth.EINVALID)

	// PUT replaces the whole profile.
	p = hearthhttp.ProfileItem{}
	decode(t, serve(h, withToken(request("PUT", "/api/v1/profiles/night", map[string]any{"mode": "eco", "watts": 1800}), validToken)), &p)
	if p.Mode != hearth.PowerEco || p.Watts != 1800 || p.ModelWatts != nil || p.Description != "" {
		t.Fatalf("after PUT: %+v", p)
	}

	// A desired state and a schedule that name the profile show as its
	// users, and keep it from being deleted.
	f.Desired.SetDesired(t.Context(), &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "night"}}})
	rec = serve(h, withToken(request("POST", "/api/v1/schedules", map[string]any{"name": "overnight", "target": map[string]any{"kind": "group", "id": "old"},
		"change": map[string]any{"kind": "power-profile", "payload": map[string]any{"profile": "night"}}, "recurrence": "22:00-06:00", "time_zone": "Europe/Oslo"}), validToken))
	if rec.Code != http.StatusCreated {
		t.Fatalf("schedule naming a profile: %d %s", rec.Code, rec.Body.String())
	}
	var list hearthhttp.ProfileList
	decode(t, serve(h, request("GET", "/api/v1/profiles", nil)), &list)
	if len(list.Profiles) != 2 || list.Profiles[0].Name != "eco" || list.Profiles[1].Name != "night" {
		t.Fatalf("list: %+v", list.Profiles)
	}
	if users := list.Profiles[1].UsedBy; len(users) != 2 || users[0] != "site barn" || !strings.HasPrefix(users[1], "schedule overnight (") {
		t.Fatalf("users of night: %q", users)
	}
	if len(list.Profiles[0].UsedBy) != 0 {
		t.Fatalf("users of eco: %q", list.Profiles[0].UsedBy)
	}
	rec = serve(h, withToken(request("DELETE", "/api/v1/profiles/night", nil), validToken))
	expectError(t, rec, http.StatusConflict, hearth.ECONFLICT)
	if !strings.Contains(rec.Body.String(), "site barn") {
		t.Fatalf("refusal does not name the user: %s", rec.Body.String())
	}

	if rec := serve(h, withToken(request("DELETE", "/api/v1/profiles/eco", nil), validToken)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete unused: %d %s", rec.Code, rec.Body.String())
	}
	expectError(t, serve(h, request("GET", "/api/v1/profiles/eco", nil)), http.StatusNotFound, hearth.ENOTFOUND)
	expectError(t, serve(h, withToken(request("DELETE", "/api/v1/profiles/eco", nil), validToken)), http.StatusNotFound, hearth.ENOTFOUND)

	// A desired state may name a profile, but not with watts of its own.
	rec = serve(h, withToken(request("PUT", "/api/v1/desired", map[string]any{"scope": map[string]any{"kind": "site", "id": "home"},
		"state": map[string]any{"power": map[string]any{"profile": "night", "watts": 10}}}), validToken))
	expectError(t, rec, http.StatusBadRequest, hearth.EINVALID)

	f.Server.ProfileService = nil
	expectError(t, serve(f.Server.Handler(), request("GET", "/api/v1/profiles", nil)), http.StatusNotFound, hearth.ENOTFOUND)
}

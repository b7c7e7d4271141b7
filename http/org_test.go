package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestSites(t *testing.T) {
	f := newFixture(t)
	h := f.Handler

	// Reads list the sites with miner counts; writes need a token.
	rec := serve(h, request("GET", "/api/v1/sites", nil))
	var list struct{ Sites []hearth.Site }
	decode(t, rec, &list)
	if len(list.Sites) != 3 || list.Sites[0].Name != "barn" || list.Sites[0].MinerCount != 3 || list.Sites[0].PowerBudget != 500e3 {
		t.Fatalf("sites: %+v", list.Sites)
	}
	expectError(t, serve(h, request("POST", "/api/v1/sites", map[string]any{"name": "shed"})), http.StatusUnauthorized, hearth.EUNAUTHORIZED)

	rec = serve(h, withToken(request("POST", "/api/v1/sites", map[string]any{"name": "shed", "phases": 1, "voltage_v": 230, "time_zone": "America/Denver"}), validToken))
	var site hearth.Site
	decode(t, rec, &site)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/api/v1/sites/shed" || site.TimeZone != "America/Denver" {
		t.Fatalf("create: %d %+v", rec.Code, site)
	}

	// Errors name the field at fault.
	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"name": "x", "time_zone": "Nowhere/City"}, "time_zone"},
		{map[string]any{"name": "x", "phases": 2}, "phases"},
		{map[string]any{"name": "x", "power_budget_w": -5}, "power_budget_w"},
		{map[string]any{"name": "x", "power_kw": 5}, "power_kw"},
	} {
		msg := expectError(t, serve(h, withToken(request("POST", "/api/v1/sites", tc.body), validToken)), http.StatusBadRequest, hearth.EINVALID)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %q does not name %s", tc.body, msg, tc.want)
		}
	}

	// PUT replaces the facts and cannot rename.
	rec = serve(h, withToken(request("PUT", "/api/v1/sites/shed", map[string]any{"power_budget_w": 30000}), validToken))
	site = hearth.Site{}
	decode(t, rec, &site)
	if rec.Code != http.StatusOK || site.PowerBudget != 30000 || site.TimeZone != "" || site.Name != "shed" {
		t.Fatalf("update: %d %+v", rec.Code, site)
	}
	expectError(t, serve(h, withToken(request("PUT", "/api/v1/sites/shed", map[string]any{"name": "barn"}), validToken)), http.StatusBadRequest, hearth.EINVALID)
	expectError(t, serve(h, withToken(request("PUT", "/api/v1/sites/nope", map[string]any{}), validToken)), http.StatusNotFound, hearth.ENOTFOUND)

	// A site with miners is not deleted.
	expectError(t, serve(h, withToken(request("DELETE", "/api/v1/sites/barn", nil), validToken)), http.StatusConflict, hearth.ECONFLICT)
	if rec := serve(h, withToken(request("DELETE", "/api/v1/sites/shed", nil), validToken)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	expectError(t, serve(h, request("GET", "/api/v1/sites/shed", nil)), http.StatusNotFound, hearth.ENOTFOUND)
}

func TestGroups(t *testing.T) {
	f := newFixture(t)
	h := f.Handler

	// A group whose first members cannot all be added is not created.
	expectError(t, serve(h, withToken(request("POST", "/api/v1/groups", map[string]any{"name": "hot", "miners": []string{"s21-b", "ghost"}}), validToken)),
		http.StatusNotFound, hearth.ENOTFOUND)
	expectError(t, serve(h, request("GET", "/api/v1/groups/hot", nil)), http.StatusNotFound, hearth.ENOTFOUND)

	rec := serve(h, withToken(request("POST", "/api/v1/groups", map[string]any{"name": "hot", "miners": []string{"s21-b", "s19-a"}}), validToken))
	var g hearth.Group
	decode(t, rec, &g)
	if rec.Code != http.StatusCreated || strings.Join(g.MinerIDs, ",") != "s19-a,s21-b" {
		t.Fatalf("create: %d %+v", rec.Code, g)
	}
	decode(t, serve(h, withToken(request("POST", "/api/v1/groups/hot/members", map[string]any{"miners": []string{"bitaxe-1"}}), validToken)), &g)
	if strings.Join(g.MinerIDs, ",") != "bitaxe-1,s19-a,s21-b" {
		t.Fatalf("after add: %v", g.MinerIDs)
	}
	decode(t, serve(h, withToken(request("DELETE", "/api/v1/groups/hot/members?miner=s19-a,s21-b", nil), validToken)), &g)
	if strings.Join(g.MinerIDs, ",") != "bitaxe-1" {
		t.Fatalf("after remove: %v", g.MinerIDs)
	}
	expectError(t, serve(h, withToken(request("DELETE", "/api/v1/groups/hot/members", nil), validToken)), http.StatusBadRequest, hearth.EINVALID)
	expectError(t, serve(h, withToken(request("PUT", "/api/v1/groups/hot", map[string]any{"miners": []string{"x"}}), validToken)), http.StatusBadRequest, hearth.EINVALID)
	expectError(t, serve(h, request("DELETE", "/api/v1/groups/hot", nil)), http.StatusUnauthorized, hearth.EUNAUTHORIZED)

	var list struct{ Groups []hearth.Group }
	decode(t, serve(h, request("GET", "/api/v1/groups", nil)), &list)
	if len(list.Groups) != 2 || list.Groups[0].Name != "hot" || list.Groups[1].Name != "old" {
		t.Fatalf("groups: %+v", list.Groups)
	}
}

func TestPositions(t *testing.T) {
	f := newFixture(t)
	h := f.Handler
	m, _ := f.Miners.FindMinerByID(t.Context(), "s19-a")
	m.Position = hearth.Position{Row: "B", Rack: "07", Shelf: "2", Slot: "4"}

	t.Run("Export", func(t *testing.T) {
		rec := serve(h, request("GET", "/api/v1/positions?site=barn", nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		want := "miner,site,row,rack,shelf,slot\ns19-a,barn,B,07,2,4\ns21-b,barn,,,,\ns21-c,barn,,,,\n"
		if got := rec.Body.String(); got != want {
			t.Fatalf("export:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("ImportNeedsToken", func(t *testing.T) {
		expectError(t, serve(h, request("POST", "/api/v1/positions", "miner\ns19-a\n")), http.StatusUnauthorized, hearth.EUNAUTHORIZED)
	})

	t.Run("DryRun", func(t *testing.T) {
		rec := serve(h, withToken(request("POST", "/api/v1/positions?dry_run=1", "Rack,MINER\n9,s19-a\n"), validToken))
		var rep hearth.PositionImport
		decode(t, rec, &rep)
		if rec.Code != http.StatusOK || !rep.DryRun || !f.Positions.DryRun || len(f.Positions.Got) != 1 || *f.Positions.Got[0].Rack != "9" || f.Positions.Got[0].Row != nil {
			t.Fatalf("dry run: %d %+v", rec.Code, rep)
		}
	})

	t.Run("BadFile", func(t *testing.T) {
		msg := expectError(t, serve(h, withToken(request("POST", "/api/v1/positions", "miner,rak\ns19-a,9\n"), validToken)), http.StatusBadRequest, hearth.EINVALID)
		if !strings.Contains(msg, "Line 1, column 2") {
			t.Fatalf("message %q does not name the line and column", msg)
		}
		expectError(t, serve(h, withToken(request("POST", "/api/v1/positions?dry_run=maybe", "miner\ns19-a\n"), validToken)), http.StatusBadRequest, hearth.EINVALID)
	})
}

// A new miner may be given its position; it is validated and returned.
func TestCreateMinerWithPosition(t *testing.T) {
	h := newFixture(t).Handler
	rec := serve(h, withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.9.9.9", "family": "antminer", "site": "barn",
		"position": map[string]any{"row": " A ", "rack": "07", "shelf": "2", "slot": "4"}}), validToken))
	var m struct {
		Site     string
		Position hearth.Position
	}
	decode(t, rec, &m)
	if rec.Code != http.StatusCreated || m.Site != "barn" || m.Position != (hearth.Position{Row: "A", Rack: "07", Shelf: "2", Slot: "4"}) {
		t.Fatalf("create: %d %+v", rec.Code, m)
	}
	msg := expectError(t, serve(h, withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.9.9.8", "family": "antminer",
		"position": map[string]any{"slot": strings.Repeat("9", 40)}}), validToken)), http.StatusBadRequest, hearth.EINVALID)
	if !strings.Contains(msg, "slot") {
		t.Fatalf("message %q does not name the slot", msg)
	}
}

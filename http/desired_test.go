package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestDesired(t *testing.T) {
	f := newFixture(t)
	put := map[string]any{"scope": map[string]any{"kind": "group", "id": "row-a"}, "priority": 3, "state": map[string]any{
		"pools": []any{map[string]any{"url": "stratum+tcp://pool:3333", "user_pattern": "acct.{site}-{rack}-{slot}", "password": "s3cret"}},
		"power": map[string]any{"mode": "eco", "watts": 2500},
	}}

	t.Run("PutNeedsToken", func(t *testing.T) {
		if rec := serve(f.Handler, request("PUT", "/api/v1/desired", put)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", rec.Code)
		}
	})

	t.Run("PutAndList", func(t *testing.T) {
		rec := serve(f.Handler, withToken(request("PUT", "/api/v1/desired", put), validToken))
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "s3cret") {
			t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
		}
		stored, _ := f.Desired.FindDesired(t.Context(), hearth.DesiredFilter{})
		if len(stored) != 1 || stored[0].State.Pools[0].Password != "s3cret" || stored[0].Priority != 3 {
			t.Fatalf("stored %+v", stored)
		}
		var list hearthhttp.DesiredList
		rec = serve(f.Handler, request("GET", "/api/v1/desired?kind=group", nil))
		decode(t, rec, &list)
		if len(list.Desired) != 1 || list.Desired[0].State.Pools[0].Password != "***" || list.Desired[0].State.Power.Watts != 2500 {
			t.Fatalf("list %+v", list)
		}
	})

	// A state read back (password "***") and written again keeps the
	// stored password of the pool with the same URL: the web editor never
	// learns passwords, yet can change a pool's user.
	t.Run("PutKeepsRedactedPassword", func(t *testing.T) {
		again := map[string]any{"scope": map[string]any{"kind": "group", "id": "row-a"}, "state": map[string]any{
			"pools": []any{map[string]any{"url": "stratum+tcp://pool:3333", "user_pattern": "acct.{miner}", "password": "***"}}}}
		if rec := serve(f.Handler, withToken(request("PUT", "/api/v1/desired", again), validToken)); rec.Code != http.StatusOK {
			t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
		}
		stored, _ := f.Desired.FindDesired(t.Context(), hearth.DesiredFilter{})
		if len(stored) != 1 || stored[0].State.Pools[0].Password != "s3cret" || stored[0].State.Pools[0].UserPattern != "acct.{miner}" {
			t.Fatalf("stored %+v", stored)
		}
		other := map[string]any{"scope": map[string]any{"kind": "group", "id": "row-a"}, "state": map[string]any{
			"pools": []any{map[string]any{"url": "stratum+tcp://other:3333", "user_pattern": "acct", "password": "***"}}}}
		if rec := serve(f.Handler, withToken(request("PUT", "/api/v1/desired", other), validToken)); rec.Code != http.StatusBadRequest {
			t.Fatalf("PUT of a redacted password for a new pool: %d %s", rec.Code, rec.Body.String())
		}
	})

	t.Run("PutInvalid", func(t *testing.T) {
		bad := map[string]any{"scope": map[string]any{"kind": "group", "id": "row-a"}, "state": map[string]any{
			"pools": []any{map[string]any{"url": "stratum+tcp://pool:3333", "user_pattern": "acct.{bay}"}}}}
		rec := serve(f.Handler, withToken(request("PUT", "/api/v1/desired", bad), validToken))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "{bay}") {
			t.Fatalf("status %d %s", rec.Code, rec.Body.String())
		}
	})

	t.Run("Delete", func(t *testing.T) {
		if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/desired?kind=group&id=row-a", nil), validToken)); rec.Code != http.StatusNoContent {
			t.Fatalf("status %d %s", rec.Code, rec.Body.String())
		}
		if rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/desired?kind=group&id=row-a", nil), validToken)); rec.Code != http.StatusNotFound {
			t.Fatalf("second delete status %d", rec.Code)
		}
	})
}

func TestDrift(t *testing.T) {
	f := newFixture(t)
	var rep hearthhttp.DriftReport
	decode(t, serve(f.Handler, request("GET", "/api/v1/drift", nil)), &rep)
	if len(rep.Miners) != 1 || rep.Miners[0].LastErrorCode != hearth.ETIMEOUT || rep.Sites["barn"].BatchSize != 50 {
		t.Fatalf("drift %+v", rep)
	}
	decode(t, serve(f.Handler, request("GET", "/api/v1/drift?all=true", nil)), &rep)
	if len(rep.Miners) != 2 {
		t.Fatalf("all drift %+v", rep)
	}
	rep = hearthhttp.DriftReport{}
	decode(t, serve(f.Handler, request("GET", "/api/v1/drift?all=true&miner=s21-b", nil)), &rep)
	if len(rep.Miners) != 1 || rep.Miners[0].MinerID != "s21-b" || !rep.Miners[0].InSync || rep.Miners[0].Commands != 1 {
		t.Fatalf("drift of s21-b %+v", rep)
	}
	rep = hearthhttp.DriftReport{}
	decode(t, serve(f.Handler, request("GET", "/api/v1/drift?miner=s21-b", nil)), &rep)
	if len(rep.Miners) != 0 {
		t.Fatalf("drifting miners of s21-b %+v", rep)
	}
}

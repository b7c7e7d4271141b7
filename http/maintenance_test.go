package http_test

import (
	"net/http"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// The queue's thresholds are the server's defaults unless the query
// overrides them; a bad one is refused before the queue is built.
func TestMaintenance(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/maintenance", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	var q hearth.MaintenanceQueue
	decode(t, rec, &q)
	if f.Maintenance.last.Thresholds != hearth.DefaultMaintenanceThresholds || f.Maintenance.last.Site != "" {
		t.Errorf("asked with %+v, want the defaults", f.Maintenance.last)
	}
	if len(q.Sites) != 1 || len(q.Sites[0].Racks) != 1 || !q.Sites[0].Racks[0].Ready || *q.Sites[0].Racks[0].Items[0].Board != 1 || !q.Sites[0].Racks[0].Items[0].Dead {
		t.Errorf("queue %+v", q)
	}

	f.Server.MaintenanceThresholds = hearth.MaintenanceThresholds{FailedChips: 5, Faults: 2, FaultDays: 3, RackBoards: 6, RackPercent: 20}
	rec = serve(f.Handler, request("GET", "/api/v1/maintenance?site=barn&failed_chips=1&rack_percent=50", nil))
	want := hearth.MaintenanceThresholds{FailedChips: 1, Faults: 2, FaultDays: 3, RackBoards: 6, RackPercent: 50}
	if rec.Code != http.StatusOK || f.Maintenance.last.Thresholds != want || f.Maintenance.last.Site != "barn" {
		t.Errorf("overridden: %d, asked with %+v, want %+v", rec.Code, f.Maintenance.last, want)
	}
	for _, query := range []string{"faults=0", "rack_percent=120", "failed_chips=x", "fault_days=-1"} {
		if rec := serve(f.Handler, request("GET", "/api/v1/maintenance?"+query, nil)); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", query, rec.Code)
		}
	}
}

// Acknowledging records who did, shows in the alert history, and needs a
// token.
func TestAlertAck(t *testing.T) {
	f := newFixture(t)
	if rec := serve(f.Handler, request("POST", "/api/v1/alerts/ack", map[string]any{"miner": "s21-c"})); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", rec.Code)
	}
	rec := serve(f.Handler, withToken(request("POST", "/api/v1/alerts/ack", map[string]any{"miner": "s21-c"}), validToken))
	if rec.Code != http.StatusOK {
		t.Fatalf("ack: %d %s", rec.Code, rec.Body)
	}
	var list hearthhttp.AlertAckList
	decode(t, rec, &list)
	offline := hearth.Fingerprint("MinerOffline", map[string]string{"miner": "s21-c", "site": "barn"})
	if len(list.Acks) != 1 || list.Acks[0].Fingerprint != offline || list.Acks[0].AckedBy != "admin" || !list.Acks[0].AckedAt.Equal(testNow) {
		t.Fatalf("acks %+v", list.Acks)
	}
	var h hearthhttp.AlertHistory
	decode(t, serve(f.Handler, request("GET", "/api/v1/alerts/history", nil)), &h)
	if a := h.Acks[offline]; a == nil || a.AckedBy != "admin" {
		t.Errorf("history acks %+v", h.Acks)
	}
	for name, body := range map[string]map[string]any{
		"nothing open": {"miner": "s19-a"},
		"unknown":      {"fingerprint": "Nope{}"},
	} {
		if rec := serve(f.Handler, withToken(request("POST", "/api/v1/alerts/ack", body), validToken)); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if rec := serve(f.Handler, withToken(request("POST", "/api/v1/alerts/ack", map[string]any{}), validToken)); rec.Code != http.StatusBadRequest {
		t.Errorf("empty: %d", rec.Code)
	}
}

// FuzzMaintenanceQuery holds GET /api/v1/maintenance to its contract for
// any query: the queue under valid thresholds, or 400 with a JSON error.
func FuzzMaintenanceQuery(f *testing.F) {
	for _, seed := range []string{
		"", "site=barn", "failed_chips=0", "faults=1&fault_days=30", "rack_boards=2&rack_percent=12.5",
		"rack_percent=NaN", "rack_percent=1e400", "faults=99999999999999999999", "failed_chips=-1", "fault_days=0", "rack_percent=%00",
	} {
		f.Add(seed)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := request("GET", "/api/v1/maintenance", nil)
		req.URL.RawQuery = query
		rec := serve(fx.Handler, req)
		switch rec.Code {
		case http.StatusOK:
			var q hearth.MaintenanceQueue
			decode(t, rec, &q)
			if err := q.Thresholds.Validate(); err != nil {
				t.Fatalf("queue under invalid thresholds %+v: %v", q.Thresholds, err)
			}
		case http.StatusBadRequest:
			var e apiError
			decode(t, rec, &e)
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body.String())
		}
	})
}

package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// GET /api/v1/alerts lists the firing alert and the pending one with its
// miner and when it fires; ?state= keeps one state.
func TestActiveAlerts(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/alerts", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/alerts: %d %s", rec.Code, rec.Body)
	}
	var list hearthhttp.ActiveAlertList
	decode(t, rec, &list)
	if len(list.Alerts) != 2 {
		t.Fatalf("alerts %+v, want 2", list.Alerts)
	}
	firing, pending := list.Alerts[0], list.Alerts[1]
	if firing.Name != "MinerOffline" || firing.State != hearth.AlertFiring || !firing.FiresAt.IsZero() || firing.ForSeconds != 120 {
		t.Errorf("first alert %+v, want MinerOffline firing", firing)
	}
	if pending.Name != "MinerOverTemperature" || pending.State != hearth.AlertPending || pending.Labels["miner"] != "s19-a" ||
		pending.ForSeconds != 60 || !pending.FiresAt.Equal(testNow.Add(20*time.Second)) ||
		pending.Fingerprint != hearth.Fingerprint("MinerOverTemperature", pending.Labels) {
		t.Errorf("second alert %+v, want MinerOverTemperature of s19-a pending, firing in 20 s", pending)
	}

	rec = serve(f.Handler, request("GET", "/api/v1/alerts?state=pending", nil))
	list = hearthhttp.ActiveAlertList{}
	decode(t, rec, &list)
	if len(list.Alerts) != 1 || list.Alerts[0].Name != "MinerOverTemperature" {
		t.Errorf("pending only: %+v", list.Alerts)
	}
	expectError(t, serve(f.Handler, request("GET", "/api/v1/alerts?state=resolved", nil)), http.StatusBadRequest, hearth.EINVALID)

	f.Server.ActiveAlerts = nil
	expectError(t, serve(f.Server.Handler(), request("GET", "/api/v1/alerts", nil)), http.StatusNotFound, hearth.ENOTFOUND)
}

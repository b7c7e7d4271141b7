package notify_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
	"github.com/hearth-fleet/hearth/secret"
	"github.com/hearth-fleet/hearth/sqlite"
)

// End to end on a real store, as serve wires it: a receiver and a
// silence set through the watched services take effect at once, and
// the history sink keeps the alert's changes.
func TestDispatcher_WithStore(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	silences := sqlite.NewSilenceService(db)
	d := startDispatcher(t, notify.Config{Silences: silences})
	receivers := d.WatchReceivers(sqlite.NewReceiverService(db, box))
	watchedSilences := d.WatchSilences(silences)
	history := &notify.History{Service: sqlite.NewAlertHistoryService(db)}
	sink := notify.Sinks{history, d}

	srv := newFakeServer(t)
	if err := receivers.SetReceiver(ctx, webhookReceiver("ops", srv.URL)); err != nil {
		t.Fatal(err)
	}
	if err := watchedSilences.CreateSilence(ctx, &hearth.Silence{Matchers: []hearth.Matcher{{Name: "miner", Type: hearth.MatchEqual, Value: "sim-00002"}},
		StartsAt: time.Now().Add(-time.Minute), EndsAt: time.Now().Add(time.Hour), CreatedBy: "tech"}); err != nil {
		t.Fatal(err)
	}
	a, b := firing("HashrateLow", "sim-00001"), firing("HashrateLow", "sim-00002")
	send(t, sink, a, b)
	r := srv.next(t)
	var n notify.Notification
	json.Unmarshal(r.Body, &n)
	if len(n.Alerts) != 1 || n.Alerts[0].Labels["miner"] != "sim-00001" {
		t.Fatalf("notification %s, want sim-00001 only (sim-00002 silenced)", r.Body)
	}
	if r.Header.Get("Authorization") != "Bearer tok3n" {
		t.Errorf("the webhook's token did not come back out of the sealed store: %v", r.Header)
	}
	send(t, sink, resolved(a), b)
	if n := srv.nextNotification(t); n.Status != "resolved" || len(n.Alerts) != 1 {
		t.Errorf("resolution %+v", n)
	}
	open, err := history.Service.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Open: true})
	if err != nil || len(open) != 1 || open[0].Labels["miner"] != "sim-00002" {
		t.Errorf("open alerts %+v, %v; want the silenced one, still firing", open, err)
	}
	all, _ := history.Service.FindAlertHistory(ctx, hearth.AlertHistoryFilter{})
	if len(all) != 3 {
		t.Errorf("history %d events, want 3 (two fired, one resolved)", len(all))
	}

	// Removing the receiver stops its notifications.
	if err := receivers.DeleteReceiver(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Status("ops"); ok {
		t.Error("a removed receiver still runs")
	}
}

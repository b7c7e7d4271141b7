package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

func webhookReceiver(name, url string) *hearth.Receiver {
	return &hearth.Receiver{Name: name, Kind: notify.KindWebhook, Enabled: true, Route: fastRoute(),
		Settings: json.RawMessage(`{"url":"` + url + `"}`), Secret: "tok3n"}
}

// A webhook receiver gets the alerts of one rule in one grouped
// notification in Alertmanager's payload, then a notification when one
// resolves, then one when all have.
func TestDispatcher_WebhookGroupsAndResolves(t *testing.T) {
	srv := newFakeServer(t)
	d := startDispatcher(t, notify.Config{ExternalURL: "http://hearth.local:8080"}, webhookReceiver("ops", srv.URL+"/hook"))
	a, b := firing("MinerOffline", "sim-00001"), firing("MinerOffline", "sim-00002")
	send(t, d, a)
	send(t, d, b) // within group_wait: the same notification

	r := srv.next(t)
	if r.Path != "/hook" || r.Header.Get("Authorization") != "Bearer tok3n" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %v", r.Path, r.Header)
	}
	var raw map[string]any
	json.Unmarshal(r.Body, &raw)
	for _, key := range []string{"version", "groupKey", "status", "receiver", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "alerts"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("payload lacks %q: %s", key, r.Body)
		}
	}
	var n notify.Notification
	json.Unmarshal(r.Body, &n)
	if n.Version != "4" || n.Status != "firing" || n.Receiver != "ops" || len(n.Alerts) != 2 ||
		n.GroupLabels["alertname"] != "MinerOffline" || n.CommonLabels["site"] != "barn" || n.CommonLabels["miner"] != "" ||
		n.ExternalURL != "http://hearth.local:8080" {
		t.Fatalf("first notification %s", r.Body)
	}
	first := n.Alerts[0]
	if first.Status != "firing" || first.Labels["miner"] != "sim-00001" || first.Labels["alertname"] != "MinerOffline" ||
		!first.StartsAt.Equal(a.FiredAt) || first.Fingerprint != a.Fingerprint() || first.Annotations["summary"] == "" {
		t.Errorf("first alert %+v", first)
	}

	// Repeats of firing alerts change nothing before repeat_interval.
	send(t, d, a, b)
	srv.none(t, 250*time.Millisecond)

	send(t, d, resolved(a), b)
	n2 := srv.nextNotification(t)
	if n2.Status != "firing" || len(n2.Alerts) != 2 || n2.Alerts[0].Status != "resolved" || n2.Alerts[1].Status != "firing" ||
		!n2.Alerts[0].EndsAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("after one resolved: %+v", n2)
	}
	send(t, d, resolved(b))
	n3 := srv.nextNotification(t)
	if n3.Status != "resolved" || len(n3.Alerts) != 1 || n3.Alerts[0].Labels["miner"] != "sim-00002" {
		t.Errorf("after all resolved: %+v", n3)
	}
	waitStatus(t, d, "ops", func(st notify.ReceiverStatus) bool { return st.Sent == 3 && st.Failed == 0 })
}

// Alerts of different rules go in different groups, and a route's
// matchers keep other alerts from its receiver.
func TestDispatcher_RoutesAndGroups(t *testing.T) {
	all, hot := newFakeServer(t), newFakeServer(t)
	hotRoute := webhookReceiver("hot", hot.URL)
	hotRoute.Route.Matchers = []hearth.Matcher{{Name: "alertname", Type: hearth.MatchRegexp, Value: "Chip.*"}}
	d := startDispatcher(t, notify.Config{}, webhookReceiver("all", all.URL), hotRoute)
	send(t, d, firing("MinerOffline", "sim-00001"), firing("ChipTooHot", "sim-00002"))

	got := map[string]int{}
	for range 2 {
		n := all.nextNotification(t)
		got[n.GroupLabels["alertname"]] = len(n.Alerts)
	}
	if got["MinerOffline"] != 1 || got["ChipTooHot"] != 1 {
		t.Errorf("groups of receiver all: %v", got)
	}
	n := hot.nextNotification(t)
	if len(n.Alerts) != 1 || n.Alerts[0].Labels["alertname"] != "ChipTooHot" {
		t.Errorf("receiver hot got %+v", n)
	}
	hot.none(t, 200*time.Millisecond)
}

// A silence mutes the alerts it selects; the others still go.
func TestDispatcher_Silences(t *testing.T) {
	srv := newFakeServer(t)
	silences := &memSilences{}
	silences.CreateSilence(context.Background(), &hearth.Silence{
		Matchers: []hearth.Matcher{{Name: "miner", Type: hearth.MatchEqual, Value: "sim-00001"}},
		StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(time.Hour), CreatedBy: "tech", Comment: "replacing PSU"})
	d := startDispatcher(t, notify.Config{Silences: silences}, webhookReceiver("ops", srv.URL))
	send(t, d, firing("MinerOffline", "sim-00001"), firing("MinerOffline", "sim-00002"))
	n := srv.nextNotification(t)
	if len(n.Alerts) != 1 || n.Alerts[0].Labels["miner"] != "sim-00002" {
		t.Fatalf("notification %+v, want only sim-00002", n)
	}
	// A silenced alert alone sends nothing, even its resolution.
	send(t, d, firing("FanFailed", "sim-00001"))
	srv.none(t, 250*time.Millisecond)
	send(t, d, resolved(firing("FanFailed", "sim-00001")))
	srv.none(t, 250*time.Millisecond)

	// An expired silence no longer mutes.
	silences.mu.Lock()
	silences.list[0].EndsAt = time.Now().Add(-time.Second)
	silences.mu.Unlock()
	d.SilencesChanged()
	// Both groups now tell of sim-00001: MinerOffline, held all along,
	// and FanFailed, firing again.
	send(t, d, firing("FanFailed", "sim-00001"))
	got := map[string]int{}
	for range 2 {
		n := srv.nextNotification(t)
		got[n.GroupLabels["alertname"]] = len(n.Alerts)
	}
	if got["FanFailed"] != 1 || got["MinerOffline"] != 2 {
		t.Errorf("after the silence ended: %v", got)
	}
}

// waitStatus waits until the receiver's status satisfies ok.
func waitStatus(t *testing.T, d *notify.Dispatcher, name string, ok func(notify.ReceiverStatus) bool) notify.ReceiverStatus {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := d.Status(name)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status of %s: %+v", name, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An unchanged group is sent again every repeat_interval while it fires.
func TestDispatcher_RepeatInterval(t *testing.T) {
	srv := newFakeServer(t)
	r := webhookReceiver("ops", srv.URL)
	r.Route.RepeatInterval = 150 * time.Millisecond
	d := startDispatcher(t, notify.Config{}, r)
	a := firing("PoolDown", "sim-00003")
	send(t, d, a)
	start := time.Now()
	first := srv.nextNotification(t)
	again := srv.nextNotification(t)
	if gap := time.Since(start); gap < 150*time.Millisecond {
		t.Errorf("repeat after %v, want at least the repeat interval", gap)
	}
	if first.GroupKey != again.GroupKey || len(again.Alerts) != 1 || again.Status != "firing" {
		t.Errorf("repeat %+v", again)
	}
}

// Without send_resolved, a resolution is not told.
func TestDispatcher_NoSendResolved(t *testing.T) {
	srv := newFakeServer(t)
	r := webhookReceiver("ops", srv.URL)
	r.Route.SendResolved = false
	d := startDispatcher(t, notify.Config{}, r)
	a := firing("PoolDown", "sim-00003")
	send(t, d, a)
	srv.next(t)
	send(t, d, resolved(a))
	srv.none(t, 300*time.Millisecond)
}

// A receiver that never answers delays neither SendAlerts nor the
// other receivers, and its failures are counted.
func TestDispatcher_DeadReceiver(t *testing.T) {
	hang := make(chan struct{})
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(dead.Close)
	t.Cleanup(func() { close(hang) })
	live := newFakeServer(t)
	d := startDispatcher(t, notify.Config{Timeout: 50 * time.Millisecond, Attempts: 2, QueueSize: 8},
		webhookReceiver("dead", dead.URL), webhookReceiver("live", live.URL))

	start := time.Now()
	for i := range 500 {
		d.SendAlerts(context.Background(), []*hearth.Alert{firing("MinerOffline", "sim-"+string(rune('a'+i%26)))})
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("500 SendAlerts took %v with a dead receiver", took)
	}
	if n := live.nextNotification(t); n.Status != "firing" || len(n.Alerts) == 0 {
		t.Errorf("live receiver got %+v", n)
	}
	st := waitStatus(t, d, "dead", func(st notify.ReceiverStatus) bool { return st.Failed > 0 })
	if st.LastError == "" || st.Sent != 0 {
		t.Errorf("dead status %+v", st)
	}
}

// A full queue refuses alerts at once instead of blocking.
func TestDispatcher_QueueFull(t *testing.T) {
	d := notify.NewDispatcher(notify.Config{QueueSize: 2}) // never run
	a := []*hearth.Alert{firing("MinerOffline", "sim-00001")}
	for range 2 {
		if err := d.SendAlerts(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SendAlerts(context.Background(), a); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("third batch: %v, want EUNAVAILABLE", err)
	}
}

// A receiver whose settings do not build is refused with EINVALID; the
// others run.
func TestDispatcher_BadReceiver(t *testing.T) {
	d := notify.NewDispatcher(notify.Config{})
	bad := &hearth.Receiver{Name: "bad", Kind: notify.KindWebhook, Enabled: true, Settings: json.RawMessage(`{"url":"ftp://x"}`)}
	good := webhookReceiver("good", "http://127.0.0.1:1/")
	err := d.SetReceivers([]*hearth.Receiver{bad, good})
	if hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("bad receiver: %v, want EINVALID", err)
	}
	if _, ok := d.Status("good"); !ok {
		t.Error("the good receiver does not run")
	}
}

// A firing alert the rule engine stops sending (its rule was removed)
// resolves after the resolve timeout, and the receiver is told.
func TestDispatcher_ResolveTimeout(t *testing.T) {
	srv := newFakeServer(t)
	d := startDispatcher(t, notify.Config{ResolveTimeout: 200 * time.Millisecond}, webhookReceiver("ops", srv.URL))
	send(t, d, firing("PoolDown", "sim-00005"))
	if n := srv.nextNotification(t); n.Status != "firing" {
		t.Fatalf("first %+v", n)
	}
	n := srv.nextNotification(t)
	if n.Status != "resolved" || len(n.Alerts) != 1 || n.Alerts[0].EndsAt.IsZero() {
		t.Errorf("after the resolve timeout: %+v", n)
	}
}

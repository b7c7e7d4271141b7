package storetest

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// opsWebhook is a webhook receiver routing a site's alerts, with a
// token.
func opsWebhook() *hearth.Receiver {
	return &hearth.Receiver{Name: "ops", Kind: "webhook", Enabled: true,
		Route: hearth.Route{Matchers: []hearth.Matcher{{Name: "site", Type: hearth.MatchEqual, Value: "barn"}},
			GroupBy: []string{"alertname"}, GroupWait: 10 * time.Second, RepeatInterval: time.Hour, SendResolved: true},
		Settings: json.RawMessage(`{"url":"https://hooks.example/alert"}`), Secret: "hook-token"}
}

func testReceiverService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	r := opsWebhook()
	if err := st.Receivers.SetReceiver(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.Secret != hearth.RedactedSecret || !r.CreatedAt.Equal(Now) {
		t.Errorf("after set: secret %q created %v", r.Secret, r.CreatedAt)
	}
	var sealed []byte
	st.QueryRow(t, `SELECT secret FROM receivers WHERE name = 'ops'`, &sealed)
	if len(sealed) == 0 || string(sealed) == "hook-token" {
		t.Errorf("secret stored as %q, want sealed", sealed)
	}
	list, err := st.Receivers.FindReceivers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Secret != hearth.RedactedSecret || list[0].Kind != "webhook" || !list[0].Enabled ||
		len(list[0].Route.Matchers) != 1 || list[0].Route.Matchers[0].Value != "barn" || list[0].Route.GroupWait != 10*time.Second ||
		!list[0].Route.SendResolved || list[0].Route.GroupBy[0] != "alertname" {
		t.Fatalf("list %+v", list)
	}
	got, err := st.Reopen(t).Receivers.FindReceiverByName(ctx, "ops")
	if err != nil || got.Secret != "hook-token" {
		t.Fatalf("notifier's view after a restart: %+v, %v", got, err)
	}
	st = st.Reopen(t)

	got.Enabled, got.Secret = false, hearth.RedactedSecret
	if err := st.Receivers.SetReceiver(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := st.Receivers.FindReceiverByName(ctx, "ops")
	if again.Enabled || again.Secret != "hook-token" {
		t.Errorf("after an update keeping the secret: %+v", again)
	}
	again.Secret = ""
	if err := st.Receivers.SetReceiver(ctx, again); err != nil {
		t.Fatal(err)
	}
	if none, _ := st.Receivers.FindReceiverByName(ctx, "ops"); none.Secret != "" {
		t.Errorf("secret %q after removing it", none.Secret)
	}
	// Keeping a secret when none is stored keeps none; a new receiver
	// cannot keep a secret it never had.
	none := opsWebhook()
	none.Secret = hearth.RedactedSecret
	if err := st.Receivers.SetReceiver(ctx, none); err != nil {
		t.Errorf("keeping no stored secret: %v", err)
	} else if got, _ := st.Receivers.FindReceiverByName(ctx, "ops"); got.Secret != "" {
		t.Errorf("secret %q after keeping none", got.Secret)
	}
	fresh := opsWebhook()
	fresh.Name, fresh.Secret = "new", hearth.RedactedSecret
	if err := st.Receivers.SetReceiver(ctx, fresh); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("a new receiver keeping a secret it never had: %v, want EINVALID", err)
	}
	for name, mutate := range map[string]func(*hearth.Receiver){
		"no kind":        func(r *hearth.Receiver) { r.Kind = "" },
		"settings !JSON": func(r *hearth.Receiver) { r.Settings = json.RawMessage(`{`) },
		"bad matcher":    func(r *hearth.Receiver) { r.Route.Matchers[0].Type = "~" },
		"bad name":       func(r *hearth.Receiver) { r.Name = "a/b" },
	} {
		r := opsWebhook()
		mutate(r)
		if err := st.Receivers.SetReceiver(ctx, r); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if err := st.Receivers.DeleteReceiver(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if err := st.Receivers.DeleteReceiver(ctx, "ops"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
	if _, err := st.Receivers.FindReceiverByName(ctx, "ops"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("find deleted: %v, want ENOTFOUND", err)
	}
}

func testSilenceService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	psu := &hearth.Silence{Matchers: []hearth.Matcher{{Name: "miner", Type: hearth.MatchEqual, Value: "sim-00001"},
		{Name: "alertname", Type: hearth.MatchRegexp, Value: "Fan.*|MinerOffline"}},
		StartsAt: Now, EndsAt: Now.Add(2 * time.Hour), CreatedBy: "tech", Comment: "replacing the PSU"}
	old := &hearth.Silence{Matchers: []hearth.Matcher{{Name: "site", Type: hearth.MatchEqual, Value: "garage"}},
		StartsAt: Now.Add(-3 * time.Hour), EndsAt: Now.Add(-time.Hour), CreatedBy: "admin"}
	for _, s := range []*hearth.Silence{psu, old} {
		if err := st.Silences.CreateSilence(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if psu.ID == 0 || psu.ID == old.ID || !psu.CreatedAt.Equal(Now) {
		t.Errorf("ids %d %d, created %v", psu.ID, old.ID, psu.CreatedAt)
	}
	active, err := st.Silences.FindSilences(ctx, Now)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active[0].ID != psu.ID || len(active[0].Matchers) != 2 || active[0].Matchers[1].Type != hearth.MatchRegexp ||
		active[0].Comment != "replacing the PSU" || active[0].CreatedBy != "tech" || !active[0].EndsAt.Equal(psu.EndsAt) || !active[0].StartsAt.Equal(Now) {
		t.Fatalf("active %+v", active)
	}
	if all, _ := st.Silences.FindSilences(ctx, time.Time{}); len(all) != 2 || all[0].ID != old.ID {
		t.Errorf("all silences %+v, want the one ending first first", all)
	}
	for name, s := range map[string]*hearth.Silence{
		"no matchers": {StartsAt: Now, EndsAt: Now.Add(time.Hour)},
		"ends before": {Matchers: psu.Matchers, StartsAt: Now, EndsAt: Now.Add(-time.Hour)},
		"bad regexp":  {Matchers: []hearth.Matcher{{Name: "a", Type: hearth.MatchRegexp, Value: "("}}, StartsAt: Now, EndsAt: Now.Add(time.Hour)},
	} {
		if err := st.Silences.CreateSilence(ctx, s); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if err := st.Silences.DeleteSilence(ctx, psu.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.Silences.DeleteSilence(ctx, psu.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
}

func testAlertHistoryService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	event := func(name, miner string, state hearth.AlertState, at time.Time) *hearth.AlertEvent {
		labels := map[string]string{"miner": miner, "site": "barn"}
		return &hearth.AlertEvent{Fingerprint: hearth.Fingerprint(name, labels), Name: name, Labels: labels,
			Annotations: map[string]string{"summary": miner + " down"}, State: state, Value: 1.5, At: at, ActiveAt: at.Add(-time.Minute)}
	}
	day := 24 * time.Hour
	events := []*hearth.AlertEvent{
		event("MinerOffline", "sim-00001", hearth.AlertFiring, Now.Add(-40*day)),
		event("MinerOffline", "sim-00001", hearth.AlertResolved, Now.Add(-39*day)),
		event("FanFailed", "sim-00002", hearth.AlertFiring, Now.Add(-35*day)), // still firing
		event("MinerOffline", "sim-00003", hearth.AlertFiring, Now.Add(-time.Hour)),
		event("MinerOffline", "sim-00001", hearth.AlertFiring, Now),
	}
	events[3].Value = math.NaN()
	if err := st.History.RecordAlertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	if events[0].ID == 0 || events[4].ID <= events[0].ID {
		t.Errorf("ids %d %d", events[0].ID, events[4].ID)
	}
	all, err := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].ID != events[4].ID || all[4].Labels["miner"] != "sim-00001" || all[4].Annotations["summary"] != "sim-00001 down" ||
		all[4].Value != 1.5 || !all[4].At.Equal(Now.Add(-40*day)) || !all[4].ActiveAt.Equal(Now.Add(-40*day-time.Minute)) ||
		all[3].State != hearth.AlertResolved || all[1].Value != 0 {
		t.Fatalf("history %+v", all)
	}
	open1, _ := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Open: true})
	if len(open1) != 3 || open1[0].ID != events[4].ID || open1[2].Name != "FanFailed" {
		t.Errorf("open %+v", open1)
	}
	if got, _ := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Name: "FanFailed"}); len(got) != 1 {
		t.Errorf("by name %+v", got)
	}
	if got, _ := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Since: Now.Add(-36 * day), Until: Now, Limit: 10}); len(got) != 2 {
		t.Errorf("since/until %+v", got)
	}
	if got, _ := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Limit: 2}); len(got) != 2 {
		t.Errorf("limit 2: %d events", len(got))
	}
	// Pruning 30 days keeps the still-firing FanFailed and the recent ones.
	n, err := st.History.PruneAlertHistory(ctx, Now.Add(-30*day))
	if err != nil || n != 2 {
		t.Errorf("pruned %d, %v; want the two old MinerOffline events", n, err)
	}
	left, _ := st.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{})
	if len(left) != 3 || left[2].Name != "FanFailed" {
		t.Errorf("after prune %+v", left)
	}
	bad := event("X", "m", "pending", Now)
	if err := st.History.RecordAlertEvents(ctx, []*hearth.AlertEvent{bad}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("pending event: %v, want EINVALID", err)
	}
}

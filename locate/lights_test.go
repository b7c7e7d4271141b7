package locate_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/action"
	"github.com/hearth-fleet/hearth/driver"
	_ "github.com/hearth-fleet/hearth/driver/antminer"
	"github.com/hearth-fleet/hearth/locate"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// hearthAt is one run of hearth's locate path on a database: the store,
// the lights and a reconciler that sends commands to the simulator.
type hearthAt struct {
	db      *sqlite.DB
	lights  *locate.Lights
	rc      *reconcile.Reconciler
	actions *action.Service
	desired hearth.DesiredStateService
	audit   hearth.AuditService
}

// start opens path and builds the path an alert takes to a fault light,
// as serve wires it.
func start(t *testing.T, path string) *hearthAt {
	t.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &hearthAt{db: db, audit: sqlite.NewAuditService(db), desired: sqlite.NewDesiredStateService(db, storetest.NewBox(t))}
	h.actions = &action.Service{Miners: sqlite.NewMinerService(db), Audit: h.audit}
	h.lights = &locate.Lights{Acks: sqlite.NewAlertAckService(db), History: sqlite.NewAlertHistoryService(db)}
	if err := h.lights.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.rc = &reconcile.Reconciler{
		Desired: h.desired,
		Journal: sqlite.NewJournalService(db),
		Applier: h.lights.Observe(h.actions),
		Audit:   h.audit,
		Overlay: h.lights.Overlay(reconcile.NewScheduleOverlay()),
		Stagger: -1,
	}
	return h
}

// converge polls the miner and lets the reconciler act on the reading,
// as after a poll.
func (h *hearthAt) converge(t *testing.T, m *hearth.Miner) {
	t.Helper()
	d, err := driver.Lookup(m.Family)
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Poll(context.Background(), hearth.TargetOf(m))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.rc.Reconcile(context.Background(), m, r); err != nil {
		t.Fatal(err)
	}
}

// fanAlert is a FanFailed alert of m0, firing since since, with the
// locate annotation when located.
func fanAlert(state hearth.AlertState, since time.Time, located bool) *hearth.Alert {
	a := &hearth.Alert{Name: "FanFailed", Labels: map[string]string{"miner": "m0", "fan": "0", "severity": "critical"},
		Annotations: map[string]string{"summary": "m0 fan 0 has stopped."}, State: state, ActiveAt: since, FiredAt: since.Add(time.Minute)}
	if located {
		a.Annotations[hearth.LocateAnnotation] = "true"
	}
	if state == hearth.AlertResolved {
		a.ResolvedAt = since.Add(5 * time.Minute)
	}
	return a
}

func TestLights_AgainstSimulator(t *testing.T) {
	ctx := context.Background()
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 3, Models: []string{sim.ModelS21}})
	mi := s.Miners()[0]
	path := filepath.Join(t.TempDir(), "hearth.db")
	h := start(t, path)
	m := &hearth.Miner{ID: "m0", Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, Family: mi.Family, Model: mi.Model}
	if err := h.actions.Miners.CreateMiner(ctx, m); err != nil {
		t.Fatal(err)
	}
	// The operator's own desired state of the miner, which the lights
	// must never write.
	userRecord := &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: "m0"}, State: hearth.DesiredState{Fan: &hearth.FanMode{Auto: true}}}
	if err := h.desired.SetDesired(ctx, userRecord); err != nil {
		t.Fatal(err)
	}
	light := func() bool { return s.Settings(0).Locate }

	// A rule without the annotation locates nothing.
	since := time.Now().Add(-10 * time.Minute).UTC()
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{fanAlert(hearth.AlertFiring, since, false)}); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if light() {
		t.Fatal("light on for an alert of a rule without the locate annotation")
	}

	// The located alert switches the light on, through the journal and
	// the audit log.
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{fanAlert(hearth.AlertFiring, since, true)}); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if !light() {
		t.Fatal("light off after a located alert fired")
	}
	entries, err := h.audit.FindAudit(ctx, hearth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !audited(entries, hearth.VerbLocateOn) {
		t.Errorf("no audited locate-on in %d entries", len(entries))
	}

	// It stays on after the alert resolves, and across a restart.
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{fanAlert(hearth.AlertResolved, since, true)}); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if !light() {
		t.Fatal("light off after the alert resolved, before any acknowledgement")
	}
	h.db.Close()
	h = start(t, path)
	if got := h.lights.LightOf("m0"); got != locate.LightOn {
		t.Fatalf("after a restart the lights want %v, want on", got)
	}
	h.converge(t, m)
	if !light() {
		t.Fatal("light off after a restart")
	}

	// Acknowledging switches it off and records who did.
	acks, err := h.lights.Acknowledge(ctx, locate.AckRequest{MinerID: "m0"}, "tech")
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 || acks[0].AckedBy != "tech" || acks[0].AckedAt.IsZero() || !acks[0].Located {
		t.Fatalf("acknowledgements %+v", acks)
	}
	h.converge(t, m)
	if light() {
		t.Fatal("light still on after the acknowledgement")
	}
	stored, _ := h.lights.FindAlertAcks(ctx, hearth.AlertAckFilter{MinerID: "m0"})
	if len(stored) != 1 || stored[0].AckedBy != "tech" || stored[0].LightOffAt.IsZero() {
		t.Fatalf("stored after the light went off: %+v", stored)
	}
	if _, err := h.lights.Acknowledge(ctx, locate.AckRequest{MinerID: "m0"}, "tech"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("acknowledging again: %v, want ENOTFOUND", err)
	}

	// A locate by hand afterwards is not undone.
	if res := h.rc.Do(ctx, m, hearth.Action{Verb: hearth.VerbLocateOn}, "ops"); !res.OK {
		t.Fatalf("locate by hand: %+v", res)
	}
	h.converge(t, m)
	if !light() {
		t.Fatal("a locate by hand was switched off")
	}
	if res := h.rc.Do(ctx, m, hearth.Action{Verb: hearth.VerbLocateOff}, "ops"); !res.OK {
		t.Fatalf("locate off by hand: %+v", res)
	}

	// The same firing sent again does not locate; a new firing does.
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{fanAlert(hearth.AlertFiring, since, true)}); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if light() {
		t.Fatal("the acknowledged firing switched the light on again")
	}
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{fanAlert(hearth.AlertFiring, time.Now().Add(time.Second), true)}); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if !light() {
		t.Fatal("a new firing after the acknowledgement did not locate")
	}

	// The operator's record was never written.
	recs, err := h.desired.FindDesired(ctx, hearth.DesiredFilter{Scopes: []hearth.Scope{userRecord.Scope}})
	if err != nil || len(recs) != 1 || recs[0].State.Locate != nil || recs[0].State.Fan == nil || !recs[0].State.Fan.Auto || !recs[0].UpdatedAt.Equal(userRecord.UpdatedAt) {
		t.Fatalf("the miner's own desired state changed: %+v, %v", recs, err)
	}
}

// The operator's own light setting wins once the alert is acknowledged.
func TestLights_OperatorSettingAfterAck(t *testing.T) {
	ctx := context.Background()
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 4, Models: []string{sim.ModelS21}})
	mi := s.Miners()[0]
	h := start(t, filepath.Join(t.TempDir(), "hearth.db"))
	m := &hearth.Miner{ID: "m0", Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, Family: mi.Family, Model: mi.Model}
	if err := h.actions.Miners.CreateMiner(ctx, m); err != nil {
		t.Fatal(err)
	}
	on := true
	if err := h.desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: "m0"}, State: hearth.DesiredState{Locate: &on}}); err != nil {
		t.Fatal(err)
	}
	a := fanAlert(hearth.AlertFiring, time.Now().Add(-time.Minute), true)
	if err := h.lights.SendAlerts(ctx, []*hearth.Alert{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.lights.Acknowledge(ctx, locate.AckRequest{Fingerprint: a.Fingerprint()}, "tech"); err != nil {
		t.Fatal(err)
	}
	h.converge(t, m)
	if !s.Settings(0).Locate {
		t.Fatal("the operator wants the light on, yet the acknowledgement switched it off")
	}
	if _, err := h.lights.Acknowledge(ctx, locate.AckRequest{}, "tech"); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("empty request: %v, want EINVALID", err)
	}
}

// audited reports whether entries hold a successful verb.
func audited(entries []*hearth.AuditEntry, verb hearth.Verb) bool {
	for _, e := range entries {
		if e.Action.Verb == verb && len(e.Results) == 1 && e.Results[0].OK {
			return true
		}
	}
	return false
}

// Pruning removes the settled acknowledgements from the store and from
// Lights, and never a light still on.
func TestLights_Prune(t *testing.T) {
	ctx := context.Background()
	h := start(t, filepath.Join(t.TempDir(), "hearth.db"))
	old := time.Now().Add(-100 * 24 * time.Hour).UTC()
	settled := &hearth.AlertAck{Fingerprint: "settled", Name: "FanFailed", MinerID: "m0", Located: true, Since: old, AckedAt: old, AckedBy: "tech", LightOffAt: old}
	on := &hearth.AlertAck{Fingerprint: "on", Name: "FanFailed", MinerID: "m1", Located: true, Since: old}
	for _, a := range []*hearth.AlertAck{settled, on} {
		if err := h.lights.Acks.SetAlertAck(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.lights.Load(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := h.lights.Prune(ctx, time.Now().Add(-90*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d, %v; want 1", n, err)
	}
	left, _ := h.lights.FindAlertAcks(ctx, hearth.AlertAckFilter{})
	if len(left) != 1 || left[0].Fingerprint != "on" {
		t.Fatalf("left after pruning: %+v", left)
	}
	if got := h.lights.LightOf("m1"); got != locate.LightOn {
		t.Errorf("m1's light after pruning: %v, want on", got)
	}
	// The pruned alert is gone: acknowledging its miner finds nothing,
	// and its miner's light is its own.
	if got := h.lights.LightOf("m0"); got != locate.LightAlone {
		t.Errorf("m0's light after pruning: %v, want alone", got)
	}
	if _, err := h.lights.Acknowledge(ctx, locate.AckRequest{MinerID: "m0"}, "tech"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("acknowledging m0 after pruning: %v, want ENOTFOUND", err)
	}
}

// Removing a miner whose light an alert still holds settles the alert: it
// is recorded acknowledged (by hearth, since nobody did) with its light
// off, no longer holds a light, and is pruned in time like any other.
func TestLights_RemovedMinerSettlesItsAlerts(t *testing.T) {
	ctx := context.Background()
	h := start(t, filepath.Join(t.TempDir(), "hearth.db"))
	miners := sqlite.NewMinerService(h.db)
	storetest.MustCreateMiner(t, miners, &hearth.Miner{ID: "m1", Address: "10.0.0.1", Family: hearth.FamilyAntminer})
	old := time.Now().Add(-100 * 24 * time.Hour).UTC()
	if err := h.lights.Acks.SetAlertAck(ctx, &hearth.AlertAck{Fingerprint: "on", Name: "FanFailed", MinerID: "m1", Located: true, Since: old}); err != nil {
		t.Fatal(err)
	}
	if err := h.lights.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := h.lights.Prune(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("prune while the light is on: %d, %v; want none", n, err)
	}

	if err := h.lights.Forgetting(miners).DeleteMiner(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if got := h.lights.LightOf("m1"); got != locate.LightAlone {
		t.Errorf("removed miner's light: %v, want alone", got)
	}
	acks, err := h.lights.FindAlertAcks(ctx, hearth.AlertAckFilter{})
	if err != nil || len(acks) != 1 || acks[0].AckedBy != locate.RemovedBy || acks[0].LightOffAt.IsZero() {
		t.Fatalf("records after removal: %+v, %v", acks, err)
	}
	if n, err := h.lights.Prune(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("prune after removal: %d, %v; want the settled record", n, err)
	}
}

// Package locate switches a miner's fault light on when an alert of a rule
// with the locate annotation fires for it, and keeps it on until someone
// acknowledges the alert: a technician walking the rows finds the machine
// that needs them, even after the fault went away by itself.
//
// The light is desired state, not a one-off command: Lights lays "fault
// light on" over the miner's desired state (an Overlay of the reconciler),
// so that it converges, survives restarts and every command is journalled
// and audited, and the operator's own desired-state records are never
// written. What holds a light is kept in the store (hearth.AlertAckService),
// so a restart keeps it on.
package locate

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

// Lights is the locate-on-alert sink, the overlay that gives its lights to
// the reconciler, and the acknowledgement of alerts. Set the fields, call
// Load once at start, then give it to the rule engine (it is a
// hearth.AlertSink), wrap the reconciler's overlay with Overlay and its
// applier with Observe.
type Lights struct {
	// Acks stores which alerts hold a light and who acknowledged which.
	Acks hearth.AlertAckService
	// History, when set, lets Acknowledge find the open alerts that never
	// located (by fingerprint, or all of a miner).
	History hearth.AlertHistoryService
	// Reconcile, when set, brings the given miners to their desired state
	// at once (the reconciler's ReconcileNow), so that a light does not
	// wait for the miner's next poll.
	Reconcile func(ctx context.Context, minerIDs []string)
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger

	mu sync.Mutex
	// located holds the records of the alerts that located, by
	// fingerprint, and byMiner the same by miner ID then fingerprint:
	// LightOf runs for every reconciliation of every miner, so it looks
	// at one miner's alerts only.
	located map[string]*hearth.AlertAck
	byMiner map[string]map[string]*hearth.AlertAck
}

// put records a as the located alert of its fingerprint. The caller holds
// l.mu.
func (l *Lights) put(a *hearth.AlertAck) {
	if l.located == nil {
		l.located, l.byMiner = map[string]*hearth.AlertAck{}, map[string]map[string]*hearth.AlertAck{}
	}
	if prev := l.located[a.Fingerprint]; prev != nil && prev.MinerID != a.MinerID {
		l.drop(prev)
	}
	l.located[a.Fingerprint] = a
	if l.byMiner[a.MinerID] == nil {
		l.byMiner[a.MinerID] = map[string]*hearth.AlertAck{}
	}
	l.byMiner[a.MinerID][a.Fingerprint] = a
}

// drop forgets the located alert a. The caller holds l.mu.
func (l *Lights) drop(a *hearth.AlertAck) {
	delete(l.located, a.Fingerprint)
	if m := l.byMiner[a.MinerID]; m != nil {
		delete(m, a.Fingerprint)
		if len(m) == 0 {
			delete(l.byMiner, a.MinerID)
		}
	}
}

var _ hearth.AlertSink = (*Lights)(nil)

func (l *Lights) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

func (l *Lights) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.Default()
	}
	return l.Logger
}

// Load reads the located alerts from the store, so that the lights they
// hold stay on across a restart.
func (l *Lights) Load(ctx context.Context) error {
	acks, err := l.Acks.FindAlertAcks(ctx, hearth.AlertAckFilter{Located: true})
	if err != nil {
		return fmt.Errorf("load located alerts: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.located, l.byMiner = nil, nil
	for _, a := range acks {
		l.put(a)
	}
	return nil
}

// SendAlerts switches the light on for every firing alert that locates
// (hearth.Alert.Locates) and does not hold it yet: a first firing, or a
// firing that began after the alert was last acknowledged. Resolved alerts
// change nothing: the light stays on until acknowledged.
func (l *Lights) SendAlerts(ctx context.Context, alerts []*hearth.Alert) error {
	var changed []*hearth.AlertAck
	l.mu.Lock()
	for _, a := range alerts {
		if a.State != hearth.AlertFiring || !a.Locates() {
			continue
		}
		fp := a.Fingerprint()
		prev := l.located[fp]
		if prev != nil && (prev.HoldsLight() || !a.Since().After(prev.AckedAt)) {
			continue // on already, or this very firing was acknowledged
		}
		ack := &hearth.AlertAck{Fingerprint: fp, Name: a.Name, MinerID: a.Labels["miner"], Located: true, Since: a.Since()}
		l.put(ack)
		changed = append(changed, ack)
	}
	l.mu.Unlock()
	if len(changed) == 0 {
		return nil
	}
	var firstErr error
	miners := map[string]bool{}
	for _, a := range changed {
		cp := *a
		if err := l.Acks.SetAlertAck(ctx, &cp); err != nil {
			// Forget it, so that the next evaluation stores it again:
			// a light the store does not know would not survive a
			// restart.
			l.mu.Lock()
			if l.located[a.Fingerprint] == a {
				l.drop(a)
			}
			l.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("locate %s for %s: %w", a.MinerID, a.Name, err)
			}
			continue
		}
		miners[a.MinerID] = true
		l.logger().Info("fault light on for an alert", "miner", a.MinerID, "alert", a.Name)
	}
	l.reconcile(ctx, miners)
	return firstErr
}

// reconcile brings miners to their desired state at once, when it can.
func (l *Lights) reconcile(ctx context.Context, miners map[string]bool) {
	if l.Reconcile != nil && len(miners) > 0 {
		l.Reconcile(ctx, slices.Sorted(maps.Keys(miners)))
	}
}

// Light says what locate-on-alert wants of one miner's fault light.
type Light int

// The wishes of Lights for a miner's fault light.
const (
	// LightAlone: no located alert concerns the miner; its own desired
	// state decides.
	LightAlone Light = iota
	// LightOn: an unacknowledged located alert holds the light on.
	LightOn
	// LightRelease: its located alerts were acknowledged and the light
	// has not been seen switched off since: off, unless the miner's own
	// desired state says otherwise.
	LightRelease
)

// LightOf returns what the located alerts want of miner id's light.
func (l *Lights) LightOf(id string) Light {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := LightAlone
	for _, a := range l.byMiner[id] {
		if a.HoldsLight() {
			return LightOn
		}
		if a.LightOffAt.IsZero() {
			out = LightRelease
		}
	}
	return out
}

// Overlay returns next (nil for the stored records alone) with the lights
// of located alerts laid over: on while an alert holds it, whatever the
// stored records say; off after the acknowledgement when no record sets the
// light, until the light is seen switched off.
func (l *Lights) Overlay(next reconcile.Overlay) reconcile.Overlay {
	return &overlay{lights: l, next: next}
}

// overlay is what Overlay returns.
type overlay struct {
	lights *Lights
	next   reconcile.Overlay
}

// Effective implements reconcile.Overlay.
func (o *overlay) Effective(scopes []hearth.Scope, records []*hearth.DesiredRecord) hearth.DesiredState {
	var d hearth.DesiredState
	if o.next != nil {
		d = o.next.Effective(scopes, records)
	} else {
		d = hearth.EffectiveDesired(records)
	}
	for _, sc := range scopes {
		if sc.Kind != hearth.ScopeMiner {
			continue
		}
		switch o.lights.LightOf(sc.ID) {
		case LightOn:
			on := true
			d.Locate = &on
		case LightRelease:
			if d.Locate == nil {
				off := false
				d.Locate = &off
			}
		}
	}
	return d
}

// Observe returns next with every fault light it switches off noted: the
// acknowledged alerts of that miner then no longer ask for the light off,
// so that a later locate by hand is not undone.
func (l *Lights) Observe(next reconcile.Applier) reconcile.Applier {
	return &observer{lights: l, next: next}
}

// observer is what Observe returns.
type observer struct {
	lights *Lights
	next   reconcile.Applier
}

// Apply sends a, and notes a fault light switched off.
func (o *observer) Apply(ctx context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult {
	res := o.next.Apply(ctx, m, a)
	if res.OK && a.Verb == hearth.VerbLocateOff {
		o.lights.lightOff(ctx, m.ID)
	}
	return res
}

// lightOff records that miner id's light went off, for its acknowledged
// located alerts.
func (l *Lights) lightOff(ctx context.Context, id string) {
	l.settle(ctx, id, "record fault light off", false, func(a *hearth.AlertAck, now time.Time) bool {
		if !a.Acknowledged() || !a.LightOffAt.IsZero() {
			return false
		}
		a.LightOffAt = now
		return true
	})
}

// settle applies change to each located alert of miner id under the lock
// and stores the records it changed, logging what (the step) on a failed
// write. With forget, the miner's records also leave memory.
func (l *Lights) settle(ctx context.Context, id, what string, forget bool, change func(a *hearth.AlertAck, now time.Time) bool) {
	now := l.now()
	var changed []*hearth.AlertAck
	l.mu.Lock()
	for _, a := range l.byMiner[id] {
		if change(a, now) {
			cp := *a
			changed = append(changed, &cp)
		}
		if forget {
			l.drop(a)
		}
	}
	l.mu.Unlock()
	for _, a := range changed {
		if err := l.Acks.SetAlertAck(context.WithoutCancel(ctx), a); err != nil {
			l.logger().Warn(what, "miner", id, "alert", a.Name, "err", err)
		}
	}
}

// AckRequest says which alerts to acknowledge: one by fingerprint, or
// every alert of a miner.
type AckRequest struct {
	Fingerprint string `json:"fingerprint,omitempty"`
	MinerID     string `json:"miner,omitempty"`
}

// Acknowledge records that actor acknowledged the alerts r names and
// switches off the lights no other unacknowledged located alert holds.
// Acknowledging a miner covers its located alerts still holding a light
// and its open alerts (from History); a fingerprint may be either. It
// returns the records written, ENOTFOUND when there is nothing to
// acknowledge and EINVALID for a request naming neither or both.
func (l *Lights) Acknowledge(ctx context.Context, r AckRequest, actor string) ([]*hearth.AlertAck, error) {
	if (r.Fingerprint == "") == (r.MinerID == "") {
		return nil, hearth.Errorf(hearth.EINVALID, "Acknowledge one alert by its fingerprint, or every alert of a miner; not both.")
	}
	now := l.now()
	targets := map[string]*hearth.AlertAck{}
	l.mu.Lock()
	for fp, a := range l.located {
		if a.HoldsLight() && (fp == r.Fingerprint || (r.MinerID != "" && a.MinerID == r.MinerID)) {
			cp := *a
			targets[fp] = &cp
		}
	}
	l.mu.Unlock()
	if l.History != nil {
		open, err := l.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Open: true, Limit: 100000})
		if err != nil {
			return nil, fmt.Errorf("open alerts: %w", err)
		}
		var fps []string
		for _, e := range open {
			if targets[e.Fingerprint] == nil && (e.Fingerprint == r.Fingerprint || (r.MinerID != "" && e.Labels["miner"] == r.MinerID)) {
				targets[e.Fingerprint] = &hearth.AlertAck{Fingerprint: e.Fingerprint, Name: e.Name, MinerID: e.Labels["miner"], Since: e.ActiveAt}
				fps = append(fps, e.Fingerprint)
			}
		}
		if err := l.keepStored(ctx, targets, fps); err != nil {
			return nil, err
		}
	}
	if len(targets) == 0 {
		if r.Fingerprint != "" {
			return nil, hearth.Errorf(hearth.ENOTFOUND, "No open or located alert %s to acknowledge.", r.Fingerprint)
		}
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %s has no open or located alert to acknowledge.", r.MinerID)
	}
	out := make([]*hearth.AlertAck, 0, len(targets))
	miners := map[string]bool{}
	for _, fp := range slices.Sorted(maps.Keys(targets)) {
		a := targets[fp]
		a.AckedAt, a.AckedBy, a.LightOffAt = now, actor, time.Time{}
		if err := l.Acks.SetAlertAck(ctx, a); err != nil {
			return out, fmt.Errorf("acknowledge %s: %w", a.Name, err)
		}
		if a.Located {
			cp := *a
			l.mu.Lock()
			l.put(&cp)
			l.mu.Unlock()
			miners[a.MinerID] = true
		}
		out = append(out, a)
	}
	l.logger().Info("alerts acknowledged", "actor", actor, "alerts", len(out), "miner", r.MinerID, "fingerprint", r.Fingerprint)
	l.reconcile(ctx, miners)
	return out, nil
}

// keepStored fills the open alerts of targets (fingerprints fps) with
// their stored records: an alert located while the rule had the
// annotation stays located, so acknowledging it releases its light; an
// alert whose current firing was acknowledged already is left out.
func (l *Lights) keepStored(ctx context.Context, targets map[string]*hearth.AlertAck, fps []string) error {
	if len(fps) == 0 {
		return nil
	}
	stored, err := l.Acks.FindAlertAcks(ctx, hearth.AlertAckFilter{Fingerprints: fps})
	if err != nil {
		return fmt.Errorf("acknowledgements of open alerts: %w", err)
	}
	for _, a := range stored {
		t := targets[a.Fingerprint]
		if t == nil {
			continue
		}
		if a.Acknowledged() && !t.Since.After(a.AckedAt) {
			delete(targets, a.Fingerprint) // this firing is acknowledged already
			continue
		}
		t.Located = a.Located
		if t.Since.IsZero() {
			t.Since = a.Since
		}
	}
	return nil
}

// FindAlertAcks returns the stored records f chooses, for the alert lists.
func (l *Lights) FindAlertAcks(ctx context.Context, f hearth.AlertAckFilter) ([]*hearth.AlertAck, error) {
	return l.Acks.FindAlertAcks(ctx, f)
}

// Prune removes the acknowledgement records that no longer matter and are
// older than before (hearth.AlertAckService.PruneAlertAcks), and forgets
// the located ones it removed, so that neither the table nor Lights grows
// with every alert that ever fired. A located alert still holding its
// light, or whose light is still to be switched off, is never removed. It
// returns how many records it removed.
func (l *Lights) Prune(ctx context.Context, before time.Time) (int64, error) {
	n, err := l.Acks.PruneAlertAcks(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("prune alert acknowledgements: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	kept, err := l.Acks.FindAlertAcks(ctx, hearth.AlertAckFilter{Located: true})
	if err != nil {
		return n, fmt.Errorf("located alerts after pruning: %w", err)
	}
	stored := make(map[string]bool, len(kept))
	for _, a := range kept {
		stored[a.Fingerprint] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for fp, a := range l.located {
		// Only a record whose light is off again can have been pruned; a
		// newer one, located since and perhaps not stored yet, stays.
		if !stored[fp] && a.Acknowledged() && !a.LightOffAt.IsZero() {
			l.drop(a)
		}
	}
	return n, nil
}

// RemovedBy is the actor recorded on the located alerts of a miner that
// was removed from the inventory while its light was still held.
const RemovedBy = "hearth (miner removed)"

// Forgetting returns inventory with its DeleteMiner also settling the
// located alerts of the removed miner: no light of a miner hearth no
// longer manages can be switched off or needs to be, so each is recorded
// as off (and, when nobody had, acknowledged by RemovedBy), which lets
// pruning remove the records in time instead of keeping them forever.
func (l *Lights) Forgetting(inventory hearth.MinerService) hearth.MinerService {
	return &forgettingInventory{MinerService: inventory, lights: l}
}

// forgettingInventory is what Forgetting returns.
type forgettingInventory struct {
	hearth.MinerService
	lights *Lights
}

// DeleteMiner removes the miner, then settles its located alerts.
func (f *forgettingInventory) DeleteMiner(ctx context.Context, id string) error {
	if err := f.MinerService.DeleteMiner(ctx, id); err != nil {
		return err
	}
	f.lights.forget(ctx, id)
	return nil
}

// forget records every located alert of the removed miner id as
// acknowledged and its light off, and drops them from memory.
func (l *Lights) forget(ctx context.Context, id string) {
	l.settle(ctx, id, "settle a removed miner's located alert", true, func(a *hearth.AlertAck, now time.Time) bool {
		if !a.Acknowledged() {
			a.AckedAt, a.AckedBy = now, RemovedBy
		}
		if a.LightOffAt.IsZero() {
			a.LightOffAt = now
		}
		return true
	})
}

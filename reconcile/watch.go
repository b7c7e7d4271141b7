package reconcile

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// ReconcileNow reconciles miners at once against their latest readings
// from Status, instead of waiting for their next polls: a change of desired
// state then reaches the fleet within the commands' own time, and the next
// poll confirms it. Miners without a reading, or offline, wait for their
// poll. It returns without waiting; Wait waits. The reconciliations run
// under the context given to Start, as StoreReading's do.
//
// Each site's miners are taken in the order given by a few workers, twice
// the site's batch size, rather than a goroutine each: a curtailment of a
// hundred thousand miners then neither parks a hundred thousand
// goroutines on the site's slots nor hands the slots out at random, and
// every site still moves at once.
func (rc *Reconciler) ReconcileNow(_ context.Context, miners []*hearth.Miner) {
	if rc.Status == nil {
		return
	}
	rc.mu.Lock()
	runCtx := rc.ctx
	rc.mu.Unlock()
	if runCtx == nil || runCtx.Err() != nil {
		return
	}
	bySite := map[string][]*hearth.Miner{}
	var sites []string
	for _, m := range miners {
		if _, ok := bySite[m.Site]; !ok {
			sites = append(sites, m.Site)
		}
		bySite[m.Site] = append(bySite[m.Site], m)
	}
	for _, site := range sites {
		rc.reconcileInTurn(runCtx, bySite[site])
	}
}

// reconcileInTurn reconciles one site's miners, in order, with
// 2 × BatchSize workers.
func (rc *Reconciler) reconcileInTurn(ctx context.Context, miners []*hearth.Miner) {
	work := make(chan *hearth.Miner)
	workers := min(len(miners), 2*orDefault(rc.BatchSize, DefaultBatchSize))
	rc.wg.Add(workers + 1)
	go func() {
		defer rc.wg.Done()
		defer close(work)
		for _, m := range miners {
			select {
			case work <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer rc.wg.Done()
			for m := range work {
				st := rc.Status.MinerStatus(m.ID)
				if st.Latest == nil || st.State != hearth.StateOnline {
					continue
				}
				rc.reconcileLogged(ctx, m, st.Latest)
			}
		}()
	}
}

// Watch returns s with every change (SetDesired, DeleteDesired) followed by
// ReconcileNow of the miners of inventory, so that an operator's change
// does not wait a poll interval to start converging.
func (rc *Reconciler) Watch(s hearth.DesiredStateService, inventory hearth.MinerService) hearth.DesiredStateService {
	return &watchedDesired{DesiredStateService: s, rc: rc, inventory: inventory}
}

// watchedDesired is what Watch returns.
type watchedDesired struct {
	hearth.DesiredStateService
	rc        *Reconciler
	inventory hearth.MinerService
}

// SetDesired stores r, then reconciles the fleet.
func (w *watchedDesired) SetDesired(ctx context.Context, r *hearth.DesiredRecord) error {
	if err := w.DesiredStateService.SetDesired(ctx, r); err != nil {
		return err
	}
	w.changed(ctx)
	return nil
}

// DeleteDesired removes the scope's record, then reconciles the fleet.
func (w *watchedDesired) DeleteDesired(ctx context.Context, sc hearth.Scope) error {
	if err := w.DesiredStateService.DeleteDesired(ctx, sc); err != nil {
		return err
	}
	w.changed(ctx)
	return nil
}

// changed reconciles every miner of the inventory.
func (w *watchedDesired) changed(ctx context.Context) {
	w.rc.reconcileAll(ctx, w.inventory, "reconcile after a desired-state change")
}

// WatchProfiles returns s with every change (SetProfile, DeleteProfile)
// followed by ReconcileNow of the miners of inventory, so that a new
// wattage for "eco" reaches the miners using it without waiting a poll
// interval. Give it the CachedProfiles the reconciler reads, so that the
// copy is dropped before the fleet is reconciled.
func (rc *Reconciler) WatchProfiles(s hearth.ProfileService, inventory hearth.MinerService) hearth.ProfileService {
	return &watchedProfiles{ProfileService: s, rc: rc, inventory: inventory}
}

// watchedProfiles is what WatchProfiles returns.
type watchedProfiles struct {
	hearth.ProfileService
	rc        *Reconciler
	inventory hearth.MinerService
}

// SetProfile stores p, then reconciles the fleet.
func (w *watchedProfiles) SetProfile(ctx context.Context, p *hearth.Profile) error {
	if err := w.ProfileService.SetProfile(ctx, p); err != nil {
		return err
	}
	w.rc.reconcileAll(ctx, w.inventory, "reconcile after a profile change")
	return nil
}

// DeleteProfile removes the profile, then reconciles the fleet.
func (w *watchedProfiles) DeleteProfile(ctx context.Context, name string) error {
	if err := w.ProfileService.DeleteProfile(ctx, name); err != nil {
		return err
	}
	w.rc.reconcileAll(ctx, w.inventory, "reconcile after a profile change")
	return nil
}

// reconcileAll reconciles every miner of inventory at once. A failure to
// list them only delays convergence to the next polls, so it is logged
// (as why), not returned.
func (rc *Reconciler) reconcileAll(ctx context.Context, inventory hearth.MinerService, why string) {
	miners, _, err := inventory.FindMiners(context.WithoutCancel(ctx), hearth.MinerFilter{})
	if err != nil {
		rc.logger().Warn(why, "err", err)
		return
	}
	rc.ReconcileNow(ctx, miners)
}

// Forget drops what the reconciler keeps about miner id (its drift, its
// backoff), for a miner removed from the inventory. Journal entries stay.
func (rc *Reconciler) Forget(id string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if st := rc.miners[id]; st != nil && !st.busy {
		delete(rc.miners, id)
	}
}

// Forgetting returns inventory with every deleted miner forgotten by the
// reconciler too, so that its drift is no longer reported.
func (rc *Reconciler) Forgetting(inventory hearth.MinerService) hearth.MinerService {
	return &forgettingInventory{MinerService: inventory, rc: rc}
}

// forgettingInventory is what Forgetting returns.
type forgettingInventory struct {
	hearth.MinerService
	rc *Reconciler
}

// DeleteMiner removes the miner, then forgets it.
func (f *forgettingInventory) DeleteMiner(ctx context.Context, id string) error {
	if err := f.MinerService.DeleteMiner(ctx, id); err != nil {
		return err
	}
	f.rc.Forget(id)
	return nil
}

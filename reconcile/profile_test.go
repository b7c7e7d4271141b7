package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/sqlite"
)

// countingProfiles counts the reads reaching a profile store.
type countingProfiles struct {
	hearth.ProfileService
	reads int
}

func (c *countingProfiles) FindProfiles(ctx context.Context) ([]*hearth.Profile, error) {
	c.reads++
	return c.ProfileService.FindProfiles(ctx)
}

// A site's desired power that names a profile gives each model its own
// watts; a model the profile has no watts for, and a profile that does not
// exist, are the miners' drift errors, while their other fields still
// converge. A change of the profile through the cache is seen at the next
// poll, which is the only time the store is read again.
func TestReconciler_NamedProfile(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	clock := newFakeClock()
	fleet := newFakeFleet(clock)
	miners := simMiners(3, "barn")
	miners[0].Model, miners[1].Model, miners[2].Model = "Antminer S21", "Antminer S19j Pro", "Bitaxe Gamma"
	for _, m := range miners {
		fleet.add(m, nil)
	}
	store := &countingProfiles{ProfileService: sqlite.NewProfileService(db)}
	profiles := &reconcile.CachedProfiles{ProfileService: store}
	rc := newReconciler(t, db, fleet)
	rc.Profiles = profiles
	rc.Start(ctx)

	if err := profiles.SetProfile(ctx, &hearth.Profile{Name: "eco", Mode: hearth.PowerEco,
		ModelWatts: map[string]float64{"Antminer S21": 3000, "Antminer S19j Pro": 2600}}); err != nil {
		t.Fatal(err)
	}
	on := true
	barn := hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: barn,
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "eco"}, Locate: &on}}); err != nil {
		t.Fatal(err)
	}
	pollAll(rc, fleet, miners)
	pollAll(rc, fleet, miners)
	for i, want := range []float64{3000, 2600} {
		if got := fleet.reading(miners[i].ID).PowerLimit; got != want {
			t.Errorf("%s (%s): power limit %v, want %v", miners[i].ID, miners[i].Model, got, want)
		}
		if d := rc.Drift(miners[i].ID); !d.InSync {
			t.Errorf("%s: drift %+v, want in sync", miners[i].ID, d)
		}
	}
	gamma := rc.Drift(miners[2].ID)
	if gamma.InSync || gamma.LastErrorCode != hearth.EINVALID || !strings.Contains(gamma.LastError, `"eco"`) || !strings.Contains(gamma.LastError, `"Bitaxe Gamma"`) {
		t.Errorf("model without watts: drift %+v; want an EINVALID error naming the profile and the model", gamma)
	}
	if fleet.count(miners[2].ID, hearth.VerbPowerTarget) != 0 {
		t.Error("a power target went to a model the profile has no watts for")
	}
	if fleet.count(miners[2].ID, hearth.VerbLocateOn) != 1 {
		t.Error("the other fields of a miner whose profile does not resolve were not applied")
	}
	if store.reads != 1 {
		t.Errorf("%d reads of the profile store for two polls of three miners, want 1", store.reads)
	}

	// Giving the profile a default wattage through the cache reaches
	// every model at the next poll (the S21 change is beyond the power
	// tolerance, so it is sent).
	if err := profiles.SetProfile(ctx, &hearth.Profile{Name: "eco", Mode: hearth.PowerEco, Watts: 15,
		ModelWatts: map[string]float64{"Antminer S21": 2500, "Antminer S19j Pro": 2600}}); err != nil {
		t.Fatal(err)
	}
	pollAll(rc, fleet, miners)
	pollAll(rc, fleet, miners)
	if got := fleet.reading(miners[0].ID).PowerLimit; got != 2500 {
		t.Errorf("S21 after the profile changed: %v W, want 2500", got)
	}
	if got, d := fleet.reading(miners[2].ID).PowerLimit, rc.Drift(miners[2].ID); got != 15 || !d.InSync {
		t.Errorf("Gamma after the profile got default watts: %v W, drift %+v", got, d)
	}

	// A profile that does not exist is every miner's drift error.
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: barn,
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "ghost"}}}); err != nil {
		t.Fatal(err)
	}
	pollAll(rc, fleet, miners)
	for _, m := range miners {
		d := rc.Drift(m.ID)
		if d.InSync || d.LastErrorCode != hearth.ENOTFOUND || !strings.Contains(d.LastError, `"ghost"`) {
			t.Errorf("%s with an unknown profile: drift %+v", m.ID, d)
		}
	}
	if drifting := rc.Drifts(true); len(drifting) != 3 {
		t.Errorf("%d miners reported drifting, want 3", len(drifting))
	}
}

// Without a profile service, a named profile is a drift error, not a crash.
func TestReconciler_NamedProfileWithoutProfiles(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	fleet := newFakeFleet(newFakeClock())
	miners := simMiners(1, "barn")
	fleet.add(miners[0], nil)
	rc := newReconciler(t, db, fleet)
	rc.Start(ctx)
	if err := rc.Desired.SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Power: &hearth.PowerProfile{Profile: "eco"}}}); err != nil {
		t.Fatal(err)
	}
	pollAll(rc, fleet, miners)
	if d := rc.Drift(miners[0].ID); d.InSync || !strings.Contains(d.LastError, "not enabled") {
		t.Fatalf("drift %+v", d)
	}
}

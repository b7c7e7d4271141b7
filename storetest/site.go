package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func testSiteService(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	sites, miners := st.Sites, st.Miners

	barn := &hearth.Site{Name: "north-barn", Description: "Old dairy barn", PowerBudget: 500e3, Voltage: 400, Phases: 3,
		MainBreaker: 800, PDULimitCurrent: 32, PDULimitPower: 22e3, TimeZone: "Europe/Oslo"}
	if err := sites.CreateSite(ctx, barn); err != nil {
		t.Fatal(err)
	}
	if !barn.CreatedAt.Equal(Now) || !barn.UpdatedAt.Equal(Now) {
		t.Fatalf("CreatedAt=%v UpdatedAt=%v, want %v", barn.CreatedAt, barn.UpdatedAt, Now)
	}
	if err := sites.CreateSite(ctx, &hearth.Site{Name: "north-barn"}); hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Fatalf("duplicate site: %v, want conflict", err)
	}

	t.Run("Invalid", func(t *testing.T) {
		for _, s := range []*hearth.Site{
			{Name: ""},
			{Name: "a/b"},
			{Name: "nul\x00"},
			{Name: "x", Phases: 2},
			{Name: "x", PowerBudget: -1},
			{Name: "x", TimeZone: "Mars/Olympus"},
			{Name: "x", TimeZone: "Local"},
		} {
			if err := sites.CreateSite(ctx, s); hearth.ErrorCode(err) != hearth.EINVALID {
				t.Errorf("%+v: %v, want invalid", s, err)
			}
		}
	})

	// A miner naming an unknown site creates it; the barn counts its miner.
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Site: "north-barn"})
	m := MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Site: "south-shed"})
	MustCreateMiner(t, miners, &hearth.Miner{Address: "10.0.0.3", Family: hearth.FamilyAntminer})

	list, err := sites.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "north-barn" || list[0].MinerCount != 1 || list[1].Name != "south-shed" || list[1].MinerCount != 1 {
		t.Fatalf("sites: %+v %+v", list[0], list[len(list)-1])
	}
	got := list[0]
	got.MinerCount = barn.MinerCount
	if *got != *barn {
		t.Fatalf("round trip:\n got  %+v\n want %+v", got, barn)
	}
	if loc := got.Location(); loc.String() != "Europe/Oslo" {
		t.Fatalf("Location=%v", loc)
	}

	// A batch of miners creates each new site once.
	batch := []*hearth.Miner{
		{Address: "10.0.1.1", Family: hearth.FamilyAntminer, Site: "east-tank"},
		{Address: "10.0.1.2", Family: hearth.FamilyAntminer, Site: "east-tank"},
		{Address: "10.0.1.3", Family: hearth.FamilyAntminer, Site: "north-barn"},
	}
	if err := miners.CreateMiners(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if s, err := sites.FindSiteByName(ctx, "east-tank"); err != nil || s.MinerCount != 2 || !s.CreatedAt.Equal(Now) {
		t.Fatalf("east-tank: %+v, %v", s, err)
	}
	if s, err := sites.FindSiteByName(ctx, "north-barn"); err != nil || s.MinerCount != 2 || s.PowerBudget != 500e3 {
		t.Fatalf("north-barn after a batch: %+v, %v", s, err)
	}

	// Moving a miner to a new site by UpdateMiner creates that site too.
	m.Site = "west-container"
	if err := miners.UpdateMiner(ctx, m); err != nil {
		t.Fatal(err)
	}
	if s, err := sites.FindSiteByName(ctx, "west-container"); err != nil || s.MinerCount != 1 {
		t.Fatalf("west-container: %+v, %v", s, err)
	}

	// Update keeps the name and creation time.
	shed := &hearth.Site{Name: "south-shed", PowerBudget: 30e3, Phases: 1, Voltage: 230, TimeZone: "UTC"}
	if err := sites.UpdateSite(ctx, shed); err != nil {
		t.Fatal(err)
	} else if !shed.CreatedAt.Equal(Now) || shed.MinerCount != 0 {
		t.Fatalf("UpdateSite filled %+v", shed)
	} else if got, _ := sites.FindSiteByName(ctx, "south-shed"); got.PowerBudget != 30e3 || got.Phases != 1 || got.MinerCount != 0 {
		t.Fatalf("updated: %+v", got)
	}
	if err := sites.UpdateSite(ctx, &hearth.Site{Name: "nowhere"}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("update unknown: %v", err)
	}
	if _, err := sites.FindSiteByName(ctx, "nul\x00"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("find a name no store can hold: %v, want not found", err)
	}

	// A site with miners stays; an empty one goes.
	if err := sites.DeleteSite(ctx, "north-barn"); hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Fatalf("delete site with miners: %v, want conflict", err)
	}
	if s, err := sites.FindSiteByName(ctx, "north-barn"); err != nil || s.MinerCount != 2 {
		t.Fatalf("north-barn after a refused delete: %+v, %v", s, err)
	}
	if err := sites.DeleteSite(ctx, "south-shed"); err != nil {
		t.Fatal(err)
	}
	if _, err := sites.FindSiteByName(ctx, "south-shed"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("deleted site: %v", err)
	}
	if err := sites.DeleteSite(ctx, "south-shed"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("delete again: %v", err)
	}
}

// A site and its facts survive a restart.
func testSiteService_Reopen(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	want := &hearth.Site{Name: "north-barn", PowerBudget: 500e3, Voltage: 400, Phases: 3, PDULimitPower: 22e3, TimeZone: "Europe/Oslo"}
	if err := st.Sites.CreateSite(ctx, want); err != nil {
		t.Fatal(err)
	}
	st = st.Reopen(t)
	got, err := st.Sites.FindSiteByName(ctx, "north-barn")
	if err != nil {
		t.Fatal(err)
	}
	if *got != *want {
		t.Fatalf("after reopen:\n got  %+v\n want %+v", got, want)
	}
}

// Deleting a site while miners are being added to it never leaves a miner
// in a site that does not exist: the delete either sees the miner and is
// refused, or the miner makes the site again.
func testSiteService_DeleteWhileAdding(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range n {
			m := SimMiner(i)
			m.Site = "tank"
			if err := st.Miners.CreateMiner(ctx, m); err != nil {
				errs <- err
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range n {
			err := st.Sites.DeleteSite(ctx, "tank")
			if code := hearth.ErrorCode(err); err != nil && code != hearth.ENOTFOUND && code != hearth.ECONFLICT {
				errs <- err
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, err := st.Sites.FindSiteByName(ctx, "tank")
	if err != nil || s.MinerCount != n {
		t.Fatalf("site after the race: %+v, %v; want %d miners", s, err, n)
	}
}

package hearth_test

import (
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestEffectiveDesired(t *testing.T) {
	on, off := true, false
	eco := &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2000}
	sitePools := []hearth.PoolTemplate{{URL: "stratum+tcp://site:3333", UserPattern: "a.{site}"}}
	groupPools := []hearth.PoolTemplate{{URL: "stratum+tcp://g1:3333", UserPattern: "b.{slot}"}, {URL: "stratum+tcp://g2:3333", UserPattern: "b.{slot}"}}
	records := []*hearth.DesiredRecord{
		{Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: "m1"}, State: hearth.DesiredState{Locate: &on}},
		{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: hearth.DesiredState{Pools: sitePools, Power: eco, Locate: &off, Fan: &hearth.FanMode{Auto: true}}},
		{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "zz-low"}, Priority: 1, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerSleep}}},
		{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "b-high"}, Priority: 9, State: hearth.DesiredState{Pools: groupPools}},
		{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "a-high"}, Priority: 9, State: hearth.DesiredState{Fan: &hearth.FanMode{Percent: 80}}},
		nil,
	}
	got := hearth.EffectiveDesired(records)
	if got.Locate == nil || !*got.Locate {
		t.Errorf("Locate: the miner's own value must win, got %v", got.Locate)
	}
	if len(got.Pools) != 2 || got.Pools[0].URL != "stratum+tcp://g1:3333" {
		t.Errorf("Pools: the group's whole list must replace the site's, got %+v", got.Pools)
	}
	if got.Power == nil || got.Power.Mode != hearth.PowerSleep {
		t.Errorf("Power: a group must win over the site, got %+v", got.Power)
	}
	if got.Fan == nil || got.Fan.Auto || got.Fan.Percent != 80 {
		t.Errorf("Fan: the higher-priority group (ties by ID) must win, got %+v", got.Fan)
	}
	// The result does not depend on the order the records came in.
	reversed := make([]*hearth.DesiredRecord, len(records))
	for i, r := range records {
		reversed[len(records)-1-i] = r
	}
	if again := hearth.EffectiveDesired(reversed); again.Fan == nil || again.Fan.Percent != 80 || again.Power.Mode != hearth.PowerSleep {
		t.Errorf("order-dependent result %+v", again)
	}
	if !hearth.EffectiveDesired(nil).IsZero() {
		t.Error("no records must give an empty desired state")
	}
}

func TestExpandWorker(t *testing.T) {
	p := hearth.Placement{MinerID: "sim-00007", Hostname: "sim-00007", Site: "barn", Row: "2", Rack: "R07", Shelf: "3", Slot: "12"}
	for pattern, want := range map[string]string{
		"acct.{site}-{rack}-{slot}":  "acct.barn-R07-12",
		"acct.{row}.{shelf}.{miner}": "acct.2.3.sim-00007",
		"acct.{HOSTNAME}":            "acct.sim-00007",
		"plain":                      "plain",
		"lit{{site}}":                "lit{site}",
	} {
		if got, err := hearth.ExpandWorker(pattern, p); err != nil || got != want {
			t.Errorf("ExpandWorker(%q)=%q, %v; want %q", pattern, got, err, want)
		}
	}
	for _, bad := range []string{"acct.{bay}", "acct.{site", "acct.site}", "{}"} {
		if _, err := hearth.ExpandWorker(bad, p); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("ExpandWorker(%q) err=%v, want EINVALID", bad, err)
		}
	}
}

func TestDesiredStateValidate(t *testing.T) {
	good := hearth.DesiredState{
		Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://p:3333", UserPattern: "a.{site}", Password: "x"}},
		Power: &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: 3000},
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if r := good.Redacted(); r.Pools[0].Password != "***" || good.Pools[0].Password != "x" {
		t.Errorf("Redacted %+v, original %+v", r.Pools, good.Pools)
	}
	for name, d := range map[string]hearth.DesiredState{
		"FourPools":   {Pools: make([]hearth.PoolTemplate, 4)},
		"NoUser":      {Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://p:1"}}},
		"EcoNoWatts":  {Power: &hearth.PowerProfile{Mode: hearth.PowerEco}},
		"UnknownMode": {Power: &hearth.PowerProfile{Mode: "turbo"}},
		"FanTooFast":  {Fan: &hearth.FanMode{Percent: 120}},
		"BadV2":       {Pools: []hearth.PoolTemplate{{URL: "stratum2+tcp://p", UserPattern: "a"}}},
	} {
		if err := d.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: err=%v, want EINVALID", name, err)
		}
	}
}

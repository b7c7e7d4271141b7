package poller_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	_ "github.com/hearth-fleet/hearth/driver/antminer"
	_ "github.com/hearth-fleet/hearth/driver/axeos"
	_ "github.com/hearth-fleet/hearth/driver/whatsminer"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/poller"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// Polls of simulated S19j Pro, S21, Whatsminer and Bitaxe miners name
// their fans by position, the same in the reading (what the UI shows) and
// in the metrics' fan label; with the simulator's fan-fail fault, the
// stopped fan is the one named.
func TestPollNamesFansByPosition(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 16, Seed: 6, Mix: map[string]float64{sim.ModelS19jPro: 1, sim.ModelS21: 1, sim.ModelM50S: 1, sim.ModelBitaxeGamma: 1}})
	store, err := metrics.Open(t.TempDir(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	p := &poller.Poller{Sink: store, Timeout: 5 * time.Second}

	want := map[string][]string{
		sim.ModelS19jPro:     {"fan1", "fan2", "fan3", "fan4"},
		sim.ModelS21:         {"fan1", "fan2", "fan3", "fan4"},
		sim.ModelM50S:        {"intake", "exhaust"},
		sim.ModelBitaxeGamma: {"fan"},
	}
	// The fan the simulator's fan-fail fault stops on each model.
	stopped := map[string]string{
		sim.ModelS21:         "fan2",
		sim.ModelM50S:        "exhaust",
		sim.ModelBitaxeGamma: "fan",
	}
	miners := map[string]*hearth.Miner{}
	for _, mi := range s.Miners() {
		if miners[mi.ModelShort] == nil {
			miners[mi.ModelShort] = &hearth.Miner{ID: mi.Name, Address: mi.Address.String(), Port: mi.Port,
				WebPort: mi.WebPort, APIPort: mi.APIPort, Family: mi.Family, Model: mi.Model}
		}
	}
	for short, names := range want {
		m := miners[short]
		if m == nil {
			t.Fatalf("the simulated fleet has no %s", short)
		}
		if _, ok := stopped[short]; ok {
			mi := slices.IndexFunc(s.Miners(), func(mi sim.MinerInfo) bool { return mi.Name == m.ID })
			if err := s.SetFault(sim.Fault{Index: mi, Kind: sim.FaultFanFail}); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(short, func(t *testing.T) {
			ctx := context.Background()
			r, err := p.PollOnce(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Fans {
				got = append(got, f.Name)
				if stop := f.Name == stopped[short]; stop != (f.RPM == 0) {
					t.Errorf("fan %s (index %d) at %v RPM; the stopped fan should be %q", f.Name, f.Index, f.RPM, stopped[short])
				}
			}
			if !slices.Equal(got, names) {
				t.Errorf("reading names fans %q, want %q", got, names)
			}
			res, err := store.Query(ctx, `mining_fan_speed_rpm{miner="`+m.ID+`"}`, r.Time)
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			for _, smp := range res.Vector {
				labels = append(labels, smp.Metric[metrics.LabelFan])
				if stop := smp.Metric[metrics.LabelFan] == stopped[short]; stop != (smp.Value == 0) {
					t.Errorf("series fan=%q at %v RPM; the stopped fan should be %q", smp.Metric[metrics.LabelFan], smp.Value, stopped[short])
				}
			}
			slices.Sort(labels)
			sorted := slices.Sorted(slices.Values(names))
			if !slices.Equal(labels, sorted) {
				t.Errorf("fan labels %q, want %q", labels, sorted)
			}
		})
	}
}

package simtest

import (
	"testing"

	"github.com/hearth-fleet/hearth/sim"
)

// Start builds and starts a simulator of cfg on free loopback ports and
// closes it when the test ends, failing the test at once if it cannot
// start, since nothing after it could run.
func Start(tb testing.TB, cfg sim.Config) *sim.Sim {
	tb.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		tb.Fatalf("sim.New: %v", err)
	}
	if err := s.Start(); err != nil {
		tb.Fatalf("sim.Start: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Model returns the simulator's nameplate of the model with the given
// short name (sim.ModelS21 and the like), the figures a test checks a
// reading against; it fails the test for a name the simulator lacks rather
// than let a test compare with zeros.
func Model(tb testing.TB, short string) sim.Model {
	tb.Helper()
	for _, m := range sim.KnownModels() {
		if m.Short == short {
			return m
		}
	}
	tb.Fatalf("the simulator has no model %s", short)
	return sim.Model{}
}

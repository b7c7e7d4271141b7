package simtest

import (
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
)

// LogFault is a fault the simulator plays and a line of text the miner's
// log must then hold, as the real firmware writes it.
type LogFault struct {
	Kind sim.FaultKind
	Want string
}

// CheckFaultsInLog plays each fault on simulated miner i alone, fetches
// the log with fetch and fails the test when the log lacks the fault's
// line: a user diagnosing a miner from hearth's log view must see what
// went wrong. It leaves the last fault in place.
func CheckFaultsInLog(tb testing.TB, s *sim.Sim, i int, fetch func() (*hearth.MinerLog, error), faults ...LogFault) {
	tb.Helper()
	for _, f := range faults {
		s.ClearFaults(i)
		if err := s.SetFault(sim.Fault{Index: i, Kind: f.Kind}); err != nil {
			tb.Fatal(err)
		}
		l, err := fetch()
		if err != nil {
			tb.Fatalf("%s: %v", f.Kind, err)
		}
		if !strings.Contains(l.Text, f.Want) {
			tb.Errorf("%s: log lacks %q:\n%s", f.Kind, f.Want, l.Text)
		}
	}
}

package simtest

import (
	"slices"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// readCapabilities are what a driver reads rather than does: a test of the
// verbs need not list them.
var readCapabilities = []hearth.Capability{
	hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
}

// CheckVerbsTested fails the test unless the verbs a driver declares
// (declared, its Capabilities, read capabilities left out) are exactly
// tested, the ones the test exercises against the simulator: a driver that
// gains a verb must gain its check against the simulator too, and a test
// must not exercise a verb the driver does not offer.
func CheckVerbsTested(tb testing.TB, declared []hearth.Capability, tested ...hearth.Capability) {
	tb.Helper()
	untested := map[hearth.Capability]bool{}
	for _, c := range tested {
		untested[c] = true
	}
	for _, c := range declared {
		if slices.Contains(readCapabilities, c) {
			continue
		}
		if !untested[c] {
			tb.Errorf("declared verb %s is not tested against the simulator", c)
		}
		delete(untested, c)
	}
	if len(untested) != 0 {
		tb.Errorf("verbs tested but not declared: %v", untested)
	}
}

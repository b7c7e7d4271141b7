package axeos_test

import (
	"slices"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/axeos"
)

// What an AxeOS can do depends on its release: pause from v2.14, locate
// from v2.12, the log from v2.15; a release hearth cannot read keeps all.
func TestCapabilitiesOfRelease(t *testing.T) {
	d := axeos.New()
	for _, tc := range []struct {
		firmware            string
		locate, pause, logs bool
	}{
		{"AxeOS v2.9.0", false, false, false},
		{"AxeOS v2.12.1", true, false, false},
		{"AxeOS v2.14.0", true, true, false},
		{"AxeOS v2.15.0-dirty", true, true, true},
		{"AxeOS 2.10", false, false, false},
		{"AxeOS v3.0.0", true, true, true},
		{"AxeOS", true, true, true},
		{"AxeOS nightly", true, true, true},
	} {
		caps := d.CapabilitiesOf(tc.firmware)
		got := [3]bool{slices.Contains(caps, hearth.CapLocate), slices.Contains(caps, hearth.CapPause), slices.Contains(caps, hearth.CapLogs)}
		if want := [3]bool{tc.locate, tc.pause, tc.logs}; got != want {
			t.Errorf("%s: locate, pause, logs = %v, want %v", tc.firmware, got, want)
		}
		if !slices.Contains(caps, hearth.CapPowerTarget) {
			t.Errorf("%s: lost the power target", tc.firmware)
		}
	}
}

package axeos

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// The first AxeOS releases with each verb that older ones lack.
var (
	releaseIdentify = [3]int{2, 12, 0} // locate
	releasePause    = [3]int{2, 14, 0} // pause and resume
	releaseLogs     = [3]int{2, 15, 0} // the log buffer
)

// CapabilitiesOf narrows Capabilities to what the release in firmware (as
// identification reports it, "AxeOS v2.9.0") has: an AxeOS before v2.14
// cannot pause, so the power controller trims it to its lowest power
// instead of sending a sleep it would refuse. A release hearth cannot read
// keeps every verb; the miner's answer then says what it lacks.
func (d *Driver) CapabilitiesOf(firmware string) []hearth.Capability {
	caps := d.Capabilities()
	r, ok := releaseOf(firmware)
	if !ok {
		return caps
	}
	for _, gate := range []struct {
		cap   hearth.Capability
		since [3]int
	}{{hearth.CapLocate, releaseIdentify}, {hearth.CapPause, releasePause}, {hearth.CapLogs, releaseLogs}} {
		if slices.Compare(r[:], gate.since[:]) < 0 {
			caps = slices.DeleteFunc(caps, func(c hearth.Capability) bool { return c == gate.cap })
		}
	}
	return caps
}

// releaseOf reads the release numbers of "AxeOS v2.14.0", "v2.9.1-dirty"
// or "2.10"; ok is false when firmware holds no such numbers.
func releaseOf(firmware string) (r [3]int, ok bool) {
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(firmware), "AxeOS"))
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	if i := strings.IndexFunc(v, func(c rune) bool { return c != '.' && (c < '0' || c > '9') }); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(strings.Trim(v, "."), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return r, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return r, false
		}
		r[i] = n
	}
	return r, true
}

package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/sim"
)

// verbCapability is the capability each verb of `hearth miners do` needs.
var verbCapability = []struct {
	verb string
	args []string
	cap  hearth.Capability
}{
	{"set-pools", []string{"--pool", "stratum+tcp://pool.hearth.test:3333,farm.w1,s3cret"}, hearth.CapSetPools},
	{"fan-mode", []string{"--fan", "auto"}, hearth.CapFanMode},
	{"locate-on", nil, hearth.CapLocate},
	{"locate-off", nil, hearth.CapLocate},
	{"pause", nil, hearth.CapPause},
	{"resume", nil, hearth.CapPause},
	{"power-target", []string{"--watts", "2500"}, hearth.CapPowerTarget},
	{"restart", nil, hearth.CapRestart},
	{"reboot", nil, hearth.CapReboot},
}

// Every verb of the supported-hardware table, for the families whose
// control the Antminer, AxeOS and LuxOS tests above do not cover: through
// the CLI, the API and the driver to the simulated firmware. A verb the
// driver declares succeeds; any other answers EUNSUPPORTED. The miners are
// found by the demo's scan, so identification over every protocol (gRPC
// and Whatsminer API v3 on the second-API port included) is part of it.
func TestEveryFamilyVerbThroughHearth(t *testing.T) {
	t.Parallel()
	models := []string{sim.ModelS21BOS, sim.ModelAvalonNano3, sim.ModelS19jProVNish, sim.ModelS19jProEPIC, sim.ModelM50S, sim.ModelM60S}
	d := startDemo(t, "--miners", "12", "--models", strings.Join(models, ","), "--poll-interval", "1s")
	byFamily := map[hearth.Family][]string{}
	for _, m := range listMiners(t, d).Miners {
		if m.Firmware == "" {
			t.Errorf("%s (%s) was not identified by the scan", m.ID, m.Family)
		}
		byFamily[m.Family] = append(byFamily[m.Family], m.ID)
	}
	for _, f := range []hearth.Family{hearth.FamilyBraiins, hearth.FamilyAvalon, hearth.FamilyVNish, hearth.FamilyEPIC, hearth.FamilyWhatsminer} {
		if len(byFamily[f]) == 0 {
			t.Fatalf("no %s miner in the fleet: %v", f, byFamily)
		}
	}

	for family, ids := range byFamily {
		t.Run(string(family), func(t *testing.T) {
			t.Parallel()
			drv, err := driver.Lookup(family)
			if err != nil {
				t.Fatal(err)
			}
			caps := drv.Capabilities()
			for _, id := range ids {
				eventually(t, id+" online", func() bool { return showMiner(t, d, id).Status.State == "online" })
			}
			for _, v := range verbCapability {
				sent := time.Now()
				res := doVerb(t, d, append([]string{v.verb, "--select", "family=" + string(family)}, v.args...)...)
				for _, id := range ids {
					r := res[id]
					switch {
					case slices.Contains(caps, v.cap) && !r.OK:
						t.Errorf("%s %s: declared but failed: %s %s", id, v.verb, r.Code, r.Error)
					case !slices.Contains(caps, v.cap) && (r.OK || r.Code != hearth.EUNSUPPORTED):
						t.Errorf("%s %s: not declared, want EUNSUPPORTED, got %+v", id, v.verb, r)
					}
				}
				// A restart, a reboot or new pools take some firmwares
				// down for a moment: the next verb waits until a poll
				// begun after this one has reached the miner again.
				for _, id := range ids {
					eventually(t, id+" answering after "+v.verb, func() bool {
						st := showMiner(t, d, id).Status
						return st.State == "online" && st.LastSeen.After(sent.Add(time.Second))
					})
				}
			}
			// logs: the firmware's own log where the driver declares it;
			// btminer before API v3 has none, as the README's table says.
			for _, id := range ids {
				out, errOut, code := runCLI(t, "miners", "logs", id, "--server", d.URL)
				switch {
				case showMiner(t, d, id).Model == "Whatsminer M50SVH20":
					if code == 0 || !strings.Contains(errOut, "API v2") {
						t.Errorf("%s logs on API v2 firmware: exit %d: %s", id, code, errOut)
					}
				case slices.Contains(caps, hearth.CapLogs) && (code != 0 || strings.TrimSpace(out) == ""):
					t.Errorf("%s logs: declared but failed (exit %d): %s", id, code, errOut)
				case !slices.Contains(caps, hearth.CapLogs) && (code == 0 || !strings.Contains(errOut, "support")):
					t.Errorf("%s logs: not declared, want unsupported, got exit %d: %s", id, code, errOut)
				}
			}
			// The pools written above show in the readings after the reboot.
			if slices.Contains(caps, hearth.CapSetPools) {
				for _, id := range ids {
					eventually(t, id+" mines on the new pool", func() bool {
						m := showMiner(t, d, id)
						return m.Status.State == "online" && m.Latest != nil && len(m.Latest.Pools) > 0 &&
							strings.Contains(m.Latest.Pools[0].URL, "pool.hearth.test")
					})
				}
			}
		})
	}
}

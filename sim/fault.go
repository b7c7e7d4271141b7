package sim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// FaultKind names one way a simulated miner can go wrong. The names are
// those of the fault spec (ParseFaults) and of FaultHelp.
type FaultKind string

// The faults the simulator can inject. FaultHelp says what each looks like
// on the wire.
const (
	FaultOffline         FaultKind = "offline"
	FaultLowHashrate     FaultKind = "low-hashrate"
	FaultHighReject      FaultKind = "high-reject"
	FaultHighLatency     FaultKind = "high-latency"
	FaultInefficient     FaultKind = "inefficient"
	FaultFailedChips     FaultKind = "failed-chips"
	FaultDeadBoard       FaultKind = "dead-board"
	FaultHot             FaultKind = "hot"
	FaultFanFail         FaultKind = "fan-fail"
	FaultGarbled         FaultKind = "garbled"
	FaultSlow            FaultKind = "slow"
	FaultCoolingReversed FaultKind = "cooling-reversed"
	FaultPoolDown        FaultKind = "pool-down"
)

// faultKinds lists every kind; a kind's position is its bit in a faultSet.
var faultKinds = []FaultKind{
	FaultOffline, FaultLowHashrate, FaultHighReject, FaultHighLatency,
	FaultInefficient, FaultFailedChips, FaultDeadBoard, FaultHot,
	FaultFanFail, FaultGarbled, FaultSlow, FaultCoolingReversed,
	FaultPoolDown,
}

// FaultKinds returns every fault kind, in the order FaultHelp lists them.
func FaultKinds() []FaultKind { return append([]FaultKind(nil), faultKinds...) }

// FaultHelp documents every fault for `hearth sim --help` and the admin
// handler: what it does to the miner and what a poller sees.
const FaultHelp = `Faults are given as INDEX:FAULT[@DELAY],... where INDEX is the miner's
0-based index (miner 3 is sim-00003 at 127.1.0.4), FAULT one of the names
below and DELAY an optional Go duration (90s, 5m) after the simulator
starts (after the change, when set at run time through the admin API).
Example: 3:low-hashrate@60s,7:high-reject,9:offline

  offline           Connections are accepted and closed at once with no reply,
                    on the RPC port and on HTTP.
  low-hashrate      The chip clock drops so the hash rate is about 55 % of
                    normal; power follows (efficiency unchanged). Antminer
                    freqN and frequency drop; total_rateideal stays nominal.
                    On AxeOS the configured frequency and expectedHashrate
                    stay; hashRate, power and current drop.
  high-reject       About 10 % of shares are rejected from then on.
  high-latency      Every reply waits 150-300 ms before its first byte.
  inefficient       Power rises 35 % at the same hash rate, and the miner runs
                    a little warmer. AxeOS reports it (power, current); stock
                    Antminer firmware reports no power, so there it is only
                    visible as slightly higher temperatures.
  failed-chips      20 chips of board 0 fail: 'x' in chain_acs1, and the
                    board's hash rate drops by their share. Antminer hardware
                    only (stock, LuxOS, VNish chip_statuses red, ePIC).
  dead-board        Board 1 (chain 2) disappears: chain_acn2 0, chain_rate2 "",
                    zeroed temperature quads; the miner's hash rate and power
                    drop by a third. Antminer hardware only: VNish reports
                    chain 2 failed, ePIC board 1 detected but disabled.
  hot               Chip temperatures rise 30 °C, and at least to above 95 °C
                    (temp_chipN/temp2_N on Antminer, temp on AxeOS).
  fan-fail          Fan 2 (index 1) reads 0 RPM and temperatures rise about
                    10 °C. On a Bitaxe its single fan stops. Not on hydro
                    models, which have no fans.
  garbled           Replies are random bytes or truncated JSON.
  slow              Replies trickle out one byte every 200 ms.
  cooling-reversed  The inlet-edge PCB sensors (temp_pcbN a,b) read warmer
                    than the outlet edge (c,d), as on a hydro unit with its
                    hoses swapped. Antminer only.
  pool-down         The first pool is dead ("Status":"Dead") and the miner
                    has failed over to its second pool, which it now hashes
                    for. Antminer (stock, LuxOS, Braiins OS) only.`

// Fault is one fault on one miner. Delay is how long after the simulator
// starts (or, for a fault set at run time, after it is set) the fault
// begins; until then the miner is healthy.
type Fault struct {
	Index int           `json:"index"`
	Kind  FaultKind     `json:"fault"`
	Delay time.Duration `json:"delay_ns,omitempty"`
}

// String formats f in the spec syntax ParseFaults reads.
func (f Fault) String() string {
	if f.Delay > 0 {
		return fmt.Sprintf("%d:%s@%s", f.Index, f.Kind, f.Delay)
	}
	return fmt.Sprintf("%d:%s", f.Index, f.Kind)
}

// ParseFaults parses a fault spec such as "3:low-hashrate@60s,7:high-reject".
// Items are separated by commas; spaces around items are ignored. It checks
// the syntax and the fault names; whether the index exists and the fault
// fits the miner's model is checked when the faults are applied (New,
// SetFault), because only the simulator knows its fleet.
func ParseFaults(spec string) ([]Fault, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	var out []Fault
	for n, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		f, err := parseFault(item)
		if err != nil {
			return nil, fmt.Errorf("fault %d %q: %w", n+1, item, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseFault parses one INDEX:FAULT[@DELAY] item.
func parseFault(item string) (Fault, error) {
	if item == "" {
		return Fault{}, fmt.Errorf("empty item (stray comma?)")
	}
	indexText, rest, ok := strings.Cut(item, ":")
	if !ok {
		return Fault{}, fmt.Errorf("want INDEX:FAULT[@DELAY], no ':' found")
	}
	indexText = strings.TrimSpace(indexText)
	if indexText == "" || strings.TrimLeft(indexText, "0123456789") != "" {
		return Fault{}, fmt.Errorf("miner index %q is not a non-negative number", indexText)
	}
	index, err := strconv.Atoi(indexText)
	if err != nil || index >= MaxMiners {
		return Fault{}, fmt.Errorf("miner index %q is out of range 0..%d", indexText, MaxMiners-1)
	}
	kindText, delayText, hasDelay := strings.Cut(rest, "@")
	kind, err := parseFaultKind(strings.TrimSpace(kindText))
	if err != nil {
		return Fault{}, err
	}
	f := Fault{Index: index, Kind: kind}
	if hasDelay {
		delayText = strings.TrimSpace(delayText)
		d, err := time.ParseDuration(delayText)
		if err != nil {
			return Fault{}, fmt.Errorf("delay %q is not a Go duration such as 90s or 5m", delayText)
		}
		if d < 0 {
			return Fault{}, fmt.Errorf("delay %q is negative", delayText)
		}
		f.Delay = d
	}
	return f, nil
}

func parseFaultKind(s string) (FaultKind, error) {
	for _, k := range faultKinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(faultKinds))
	for i, k := range faultKinds {
		names[i] = string(k)
	}
	if s == "" {
		return "", fmt.Errorf("fault name missing (known: %s)", strings.Join(names, ", "))
	}
	return "", fmt.Errorf("unknown fault %q (known: %s)", s, strings.Join(names, ", "))
}

// faultSet is a set of fault kinds, one bit per entry of faultKinds.
type faultSet uint16

func bitOf(k FaultKind) faultSet {
	for i, kk := range faultKinds {
		if kk == k {
			return 1 << i
		}
	}
	return 0
}

var (
	setOffline         = bitOf(FaultOffline)
	setLowHashrate     = bitOf(FaultLowHashrate)
	setHighReject      = bitOf(FaultHighReject)
	setHighLatency     = bitOf(FaultHighLatency)
	setInefficient     = bitOf(FaultInefficient)
	setFailedChips     = bitOf(FaultFailedChips)
	setDeadBoard       = bitOf(FaultDeadBoard)
	setHot             = bitOf(FaultHot)
	setFanFail         = bitOf(FaultFanFail)
	setGarbled         = bitOf(FaultGarbled)
	setSlow            = bitOf(FaultSlow)
	setCoolingReversed = bitOf(FaultCoolingReversed)
	setPoolDown        = bitOf(FaultPoolDown)
)

func (s faultSet) has(bit faultSet) bool { return s&bit != 0 }

// checkFaultFits reports why kind cannot apply to model, or nil. Faults that
// need hash boards, chip strings or PCB sensor quads exist only on
// Antminers; a fan fault needs fans.
func checkFaultFits(kind FaultKind, model *Model) error {
	switch kind {
	case FaultFailedChips, FaultDeadBoard:
		if !reportsBoards(model) {
			return fmt.Errorf("fault %s needs a miner that reports its hash boards; miner is a %s", kind, model.Name)
		}
		if kind == FaultDeadBoard && model.Boards < 2 {
			// The fault kills board 1; a one-board miner has none.
			return fmt.Errorf("fault %s needs a second hash board; the %s has one", kind, model.Name)
		}
	case FaultCoolingReversed:
		if !speaksRPC(model) {
			return fmt.Errorf("fault %s needs an Antminer's hash boards; miner is a %s", kind, model.Name)
		}
	case FaultPoolDown:
		// Only the cgminer-style pools replies (stock, LuxOS, Braiins OS)
		// carry a per-pool status and the failover.
		if f := model.Family; f != hearth.FamilyAntminer && f != hearth.FamilyLuxOS && f != hearth.FamilyBraiins {
			return fmt.Errorf("fault %s needs a miner with a cgminer pools reply; miner is a %s", kind, model.Name)
		}
	case FaultFanFail:
		if model.Hydro {
			return fmt.Errorf("fault %s needs fans; the %s is hydro-cooled", kind, model.Name)
		}
	}
	return nil
}

// reportsBoards reports whether model's firmware reports hash boards
// with chip counts, so that board faults show.
func reportsBoards(model *Model) bool {
	return model.Family != hearth.FamilyAxeOS // a Bitaxe's one ASIC is its board
}

// scheduledFault is a fault with its start in seconds since sim start.
type scheduledFault struct {
	kind FaultKind
	bit  faultSet
	at   float64
}

// faultState is a miner's faults together with the share counters at the
// moment they were last changed. Share counters are integrals of the share
// rate over time; a fault that changes the rate changes the slope from its
// start on, and the base keeps the counters monotonic when faults are
// changed at run time. A faultState is immutable once published; changes
// publish a new one.
type faultState struct {
	faults  []scheduledFault
	baseT   float64 // sim seconds at which baseAcc and baseRej hold
	baseAcc float64
	baseRej float64
	ctl     controlPhysics // what the control settings do to the physics
}

// activeAt returns the faults in force at sim time t.
func (fs *faultState) activeAt(t float64) faultSet {
	if fs == nil {
		return 0
	}
	var set faultSet
	for _, f := range fs.faults {
		if t >= f.at {
			set |= f.bit
		}
	}
	return set
}

// list returns the faults as Fault values with delays from sim start.
func (fs *faultState) list(index int) []Fault {
	if fs == nil {
		return nil
	}
	out := make([]Fault, 0, len(fs.faults))
	for _, f := range fs.faults {
		out = append(out, Fault{Index: index, Kind: f.kind, Delay: time.Duration(f.at * float64(time.Second))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

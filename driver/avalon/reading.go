package avalon

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Limits on what one stats blob may describe.
const (
	// maxBoards bounds the hashboards; Avalons have one to four.
	maxBoards = 16
	// maxFans bounds the fans read (Fan1 … Fan8 on the largest models).
	maxFans = 8
)

// newReading maps the replies of one poll to a Reading in base units. Any
// of the documents may be nil (its command failed).
func newReading(summary, pools, stats *cgminer.Document) *hearth.Reading {
	r := &hearth.Reading{}
	if summary != nil {
		readSummary(r, summary.First("SUMMARY"))
	}
	if stats != nil {
		readStats(r, minerStats(stats), summary == nil)
	}
	if pools != nil {
		r.Pools = cgminer.Pools(pools)
	}
	return r
}

// readSummary fills the counters and hash rates of cgminer's summary:
// "MHS 1m" is the current rate (pyasic's choice; Avalons' "MHS 5s" is
// often 0), "MHS av" the average, both in MH/s.
func readSummary(r *hearth.Reading, s cgminer.Object) {
	r.HashRate = summaryHashRate(s)
	r.HashRateAvg = nonNegative(s.Float("MHS av")) * 1e6
	r.Uptime = seconds(s.Float("Elapsed"))
	r.Accepted = s.Uint("Accepted")
	r.Rejected = s.Uint("Rejected")
	r.HardwareErrors = s.Uint("Hardware Errors")
}

// summaryHashRate returns the current hash rate of a summary in H/s.
func summaryHashRate(s cgminer.Object) float64 {
	for _, key := range []string{"MHS 1m", "MHS 5s"} {
		if s.Has(key) {
			return nonNegative(s.Float(key)) * 1e6
		}
	}
	return 0
}

// minerStats returns the parsed Avalon blob of a stats reply: the "MM ID0"
// or "MM ID0:Summary" string of the first device entry that has one, with
// the "HBinfo" blob of newer firmware merged in. Pool entries carry none.
func minerStats(doc *cgminer.Document) Stats {
	st := Stats{}
	for _, v := range doc.Section("STATS").All() {
		o := v.Object()
		blob, ok := o.Get("MM ID0:Summary")
		if !ok {
			blob, ok = o.Get("MM ID0")
		}
		if !ok {
			continue
		}
		st = ParseStats(blob.Text())
		if hb, ok := o.Get("HBinfo"); ok {
			st.Merge(ParseStats(hb.Text()))
		}
		break
	}
	return st
}

// readStats maps the Avalon blob: expected rate GHSmm (GH/s), power
// WALLPOWER (W; older A-series report it as the fifth PS field), power
// limit MPO (W), fans Fan1… with the duty FanR, boards from MGHS and the
// per-board and per-chip temperatures. When the summary failed, the
// current rate comes from GHSspd and the uptime from Elapsed.
func readStats(r *hearth.Reading, st Stats, noSummary bool) {
	if noSummary {
		if f, ok := st.Float("GHSspd"); ok {
			r.HashRate = nonNegative(f) * 1e9
		}
		if f, ok := st.Float("Elapsed"); ok {
			r.Uptime = seconds(f)
		}
	}
	if f, ok := st.Float("GHSmm"); ok {
		r.IdealHashRate = nonNegative(f) * 1e9
	}
	if f, ok := st.Float("WALLPOWER"); ok {
		r.Power = nonNegative(f)
	} else if f, ok := st.FloatAt("PS", 4); ok && f > 0 {
		r.Power = f
	}
	if f, ok := st.Float("MPO"); ok {
		r.PowerLimit = nonNegative(f)
	}
	r.Paused = paused(st)
	r.Boards = boards(st)
	r.Fans = fans(st)
	r.Errors = faults(st)
}

// paused reports a miner in standby: SoftOFF above zero, the state the
// softoff command leaves (AvalonMinerTools §3, third-party; the Avalon Q
// fixture shows SoftOFF[4] with "Work: In Idle" after a softoff). An idle
// SYSTEMSTATU alone is not taken as paused: a miner without work from its
// pools says the same.
func paused(st Stats) bool {
	f, ok := st.Float("SoftOFF")
	return ok && f > 0
}

// boardCount returns the number of hashboards: one per MGHS field, or per
// PVT_Tn chip-temperature list where MGHS is missing.
func boardCount(st Stats) int {
	n := min(len(st.Fields("MGHS")), maxBoards)
	for n < maxBoards && st.Has("PVT_T"+strconv.Itoa(n)) {
		n++
	}
	return n
}

// boards maps the per-board values. A single-board miner (Nano, Q, Mini)
// gives its whole-miner temperatures to its board.
func boards(st Stats) []hearth.Board {
	n := boardCount(st)
	if n == 0 {
		return nil
	}
	freq, _ := st.Float("Freq")
	out := make([]hearth.Board, n)
	for i := range out {
		b := hearth.Board{Index: i, FrequencyMHz: nonNegative(freq)}
		if f, ok := st.FloatAt("MGHS", i); ok {
			b.HashRate = nonNegative(f) * 1e9
		}
		chips := st.Floats("PVT_T" + strconv.Itoa(i))
		b.Chips = len(st.Fields("PVT_T" + strconv.Itoa(i)))
		switch {
		case perBoard(st, "MTmax", i, n, &b.ChipTemp):
		case len(chips) > 0:
			b.ChipTemp = maxOf(chips)
		default:
			single(st, "TMax", n, &b.ChipTemp)
		}
		perBoard(st, "HBITemp", i, n, &b.InletTemp)
		perBoard(st, "HBOTemp", i, n, &b.OutletTemp)
		b.BoardTemp = max(b.InletTemp, b.OutletTemp)
		out[i] = b
	}
	return out
}

// perBoard sets *dst to field i of key when the key has one field per
// board, or to its only field on a single-board miner; it reports whether
// it did.
func perBoard(st Stats, key string, i, boards int, dst *float64) bool {
	if len(st.Fields(key)) >= boards && boards > 1 {
		if f, ok := st.FloatAt(key, i); ok {
			*dst = f
			return true
		}
		return false
	}
	return single(st, key, boards, dst)
}

// single sets *dst to key's value on a single-board miner.
func single(st Stats, key string, boards int, dst *float64) bool {
	if boards != 1 {
		return false
	}
	f, ok := st.Float(key)
	if ok {
		*dst = f
	}
	return ok
}

// fans maps Fan1 … Fan8 (RPM) with the common duty FanR (percent).
func fans(st Stats) []hearth.Fan {
	duty, _ := st.Float("FanR")
	var out []hearth.Fan
	for k := 1; k <= maxFans; k++ {
		rpm, ok := st.Float("Fan" + strconv.Itoa(k))
		if !ok {
			continue
		}
		out = append(out, hearth.Fan{Index: k - 1, RPM: nonNegative(rpm), Percent: nonNegative(duty)})
	}
	return out
}

// faults lists the error codes the firmware reports as non-zero: ECMM
// (controller), ECHU (one per hashboard) and FanErr.
func faults(st Stats) []string {
	var out []string
	if f, ok := st.Float("ECMM"); ok && f != 0 {
		out = append(out, fmt.Sprintf("Controller error code ECMM %g.", f))
	}
	for i := range st.Fields("ECHU") {
		if i == maxBoards {
			break
		}
		if f, ok := st.FloatAt("ECHU", i); ok && f != 0 {
			out = append(out, fmt.Sprintf("Hashboard %d error code ECHU %g.", i, f))
		}
	}
	if f, ok := st.Float("FanErr"); ok && f != 0 {
		out = append(out, fmt.Sprintf("Fan error code %g.", f))
	}
	return out
}

// maxOf returns the largest of fs.
func maxOf(fs []float64) float64 {
	m := math.Inf(-1)
	for _, f := range fs {
		m = max(m, f)
	}
	return m
}

// seconds converts a count of seconds to a Duration, clamped to what a
// Duration holds.
func seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	if s >= float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

// nonNegative clamps negative readings, which only garbage produces, to 0.
func nonNegative(f float64) float64 { return max(f, 0) }

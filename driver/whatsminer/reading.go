package whatsminer

import (
	"math"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Hash-rate units of btminer's fields: API v2 reports MH/s ("MHS av",
// "HS RT") and GH/s ("Factory GHS"); API v3 reports TH/s
// ("hash-realtime", "factory-hash").
const (
	mhs = 1e6
	ghs = 1e9
	ths = 1e12
)

// v2Reading maps API v2 replies (any of them may be nil) into a Reading:
// summary for rates, power, shares, uptime and fans; devs for the boards;
// pools for the pools.
func v2Reading(summary, devs, pools *cgminer.Document) *hearth.Reading {
	r := &hearth.Reading{}
	if summary != nil {
		s := summary.First("SUMMARY")
		avg := rate(s, "MHS av", mhs)
		// The average stands in only for firmware without a recent rate:
		// a paused miner's recent rate is 0, not its lifetime average.
		if _, ok := firstPresent(s, "MHS 1m", "HS RT", "MHS 5s"); ok {
			r.HashRate = firstRate(s, mhs, "MHS 1m", "HS RT", "MHS 5s")
		} else {
			r.HashRate = avg
		}
		r.HashRateAvg = avg
		r.IdealHashRate = rate(s, "Factory GHS", ghs)
		r.Power = nonNegative(s.Float("Power"))
		r.PowerLimit = nonNegative(s.Float("Power Limit"))
		r.Uptime = seconds(s.Float("Elapsed"))
		r.Accepted = s.Uint("Accepted")
		r.Rejected = s.Uint("Rejected")
		r.HardwareErrors = s.Uint("Hardware Errors")
		r.Fans = fans(s.Float("Fan Speed In"), s.Float("Fan Speed Out"))
	}
	if devs != nil {
		for i, v := range devs.Section("DEVS").All() {
			b := v.Object()
			r.Boards = append(r.Boards, hearth.Board{
				Index:         i,
				HashRate:      firstRate(b, mhs, "MHS 1m", "MHS av"),
				IdealHashRate: rate(b, "Factory GHS", ghs),
				ChipTemp:      temp(firstFloat(b, "Chip Temp Max", "Chip Temp Avg")),
				BoardTemp:     temp(b.Float("Temperature")),
				Chips:         count(b.Int("Effective Chips")),
				FrequencyMHz:  nonNegative(firstFloat(b, "Chip Frequency", "Frequency")),
			})
		}
	}
	if pools != nil {
		for i, v := range pools.Section("POOLS").All() {
			p := v.Object()
			r.Pools = append(r.Pools, hearth.Pool{
				Index:    i,
				URL:      p.String("URL"),
				User:     p.String("User"),
				Status:   poolStatus(p.String("Status")),
				Active:   p.Bool("Stratum Active"),
				Priority: count(p.Int("Priority")),
				Accepted: p.Uint("Accepted"),
				Rejected: p.Uint("Rejected"),
			})
		}
	}
	return r
}

// v3Reading maps API v3 get.miner.status replies (summary, edevs, pools;
// any may be nil) into a Reading. Hash rates there are in TH/s.
func v3Reading(summary, edevs, pools *cgminer.Document) *hearth.Reading {
	r := &hearth.Reading{}
	var boardTemps cgminer.Array
	if summary != nil {
		sv, _ := v3Msg(summary).Get("summary")
		s := sv.Object()
		r.HashRate = rate(s, "hash-realtime", ths)
		r.HashRateAvg = rate(s, "hash-average", ths)
		r.IdealHashRate = rate(s, "factory-hash", ths)
		r.Power = nonNegative(s.Float("power-realtime"))
		r.PowerLimit = nonNegative(s.Float("power-limit"))
		r.Uptime = seconds(s.Float("elapsed"))
		r.Fans = fans(s.Float("fan-speed-in"), s.Float("fan-speed-out"))
		bt, _ := s.Get("board-temperature")
		boardTemps = bt.Array()
	}
	if edevs != nil {
		ev, _ := v3Msg(edevs).Get("edevs")
		for i, v := range ev.Array().All() {
			b := v.Object()
			bt, _ := boardTemps.At(i).Float()
			r.Boards = append(r.Boards, hearth.Board{
				Index:         i,
				HashRate:      rate(b, "hash-realtime", ths),
				IdealHashRate: rate(b, "factory-hash", ths),
				ChipTemp:      temp(firstFloat(b, "chip-temp-max", "chip-temp-avg")),
				BoardTemp:     temp(bt),
				Chips:         count(b.Int("effective-chips")),
				FrequencyMHz:  nonNegative(b.Float("freq")),
			})
		}
	}
	if pools != nil {
		pv, _ := v3Msg(pools).Get("pools")
		for i, v := range pv.Array().All() {
			p := v.Object()
			r.Pools = append(r.Pools, hearth.Pool{
				Index:    i,
				URL:      p.String("url"),
				User:     p.String("account"),
				Status:   poolStatus(p.String("status")),
				Active:   p.Bool("stratum-active"),
				Priority: count(p.Int("pool-priority")),
				Accepted: p.Uint("accepted"),
				Rejected: p.Uint("rejected"),
			})
		}
		// API v3's summary has no share counters; the pools' add up to
		// the miner's.
		if r.Accepted == 0 && r.Rejected == 0 {
			for _, p := range r.Pools {
				r.Accepted += p.Accepted
				r.Rejected += p.Rejected
			}
		}
	}
	return r
}

// poolStatus maps btminer's pool status words to hearth's.
func poolStatus(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "alive":
		return "alive"
	case "dead":
		return "dead"
	case "disabled":
		return "disabled"
	case "rejecting":
		return "rejecting"
	}
	return "unknown"
}

// fans returns the inlet and outlet fans btminer reports, leaving out a
// fan that reads zero on both.
func fans(in, out float64) []hearth.Fan {
	if in <= 0 && out <= 0 {
		return nil
	}
	return []hearth.Fan{{Index: 0, RPM: nonNegative(in)}, {Index: 1, RPM: nonNegative(out)}}
}

// rate returns o[key] times unit as H/s, zero when absent or implausible.
func rate(o cgminer.Object, key string, unit float64) float64 {
	return nonNegative(o.Float(key) * unit)
}

// firstRate returns the first of keys present in o, times unit.
func firstRate(o cgminer.Object, unit float64, keys ...string) float64 {
	return nonNegative(firstFloat(o, keys...) * unit)
}

// firstFloat returns the first of keys present in o as a number.
func firstFloat(o cgminer.Object, keys ...string) float64 {
	f, _ := firstPresent(o, keys...)
	return f
}

// firstPresent returns the first of keys present in o as a number, and
// whether there was one.
func firstPresent(o cgminer.Object, keys ...string) (float64, bool) {
	for _, k := range keys {
		if v, ok := o.Get(k); ok {
			if f, ok := v.Float(); ok {
				return f, true
			}
		}
	}
	return 0, false
}

// nonNegative keeps f when it is a finite number ≥ 0, and returns 0 for
// negative, NaN or infinite values a broken miner may send.
func nonNegative(f float64) float64 {
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// temp keeps a temperature in the range a sensor can read, else 0.
func temp(f float64) float64 {
	if f <= -100 || f > 500 || math.IsNaN(f) {
		return 0
	}
	return f
}

// count keeps a non-negative count that fits an int.
func count(n int64) int {
	if n < 0 || n > math.MaxInt32 {
		return 0
	}
	return int(n)
}

// seconds returns f seconds as a Duration, 0 when negative or absurd
// (more than a century).
func seconds(f float64) time.Duration {
	if !(f > 0) || f > 100*365*24*3600 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

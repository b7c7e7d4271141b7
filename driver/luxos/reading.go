package luxos

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Hash-rate unit of LuxOS: its GHS fields and chain rates are GH/s.
const gigahash = 1e9

// maxHashRate is far beyond any machine (the whole Bitcoin network runs
// at about 1e21 H/s); a miner claiming more is sending garbage.
const maxHashRate = 1e20

// maxPower is far beyond any single miner's wall power, in watts.
const maxPower = 1e6

// Bounds on what one reply may add to a reading.
const (
	maxPools  = 16 // LuxOS groups hold a handful of pools
	maxBoards = 16 // chain slots scanned in stats (Antminers have 3 or 4)
	maxFans   = 16
)

// newReading maps the replies of one poll (any may be nil) to a Reading.
func newReading(summary, pools, stats, power *cgminer.Document) *hearth.Reading {
	r := &hearth.Reading{}
	if summary != nil {
		readSummary(r, summary)
	}
	if pools != nil {
		readPools(r, pools)
	}
	if stats != nil {
		readStats(r, stats)
	}
	if power != nil {
		readPower(r, power)
	}
	return r
}

// readSummary fills hash rates (GH/s on LuxOS), shares, hardware errors
// and uptime from SUMMARY.
func readSummary(r *hearth.Reading, doc *cgminer.Document) {
	s := doc.First("SUMMARY")
	if !s.Exists() {
		return
	}
	r.HashRate = hashes(s.Float("GHS 5s"), gigahash)
	r.HashRateAvg = hashes(s.Float("GHS av"), gigahash)
	r.Accepted = s.Uint("Accepted")
	r.Rejected = s.Uint("Rejected")
	r.HardwareErrors = s.Uint("Hardware Errors")
	r.Uptime = seconds(s.Float("Elapsed"))
}

// readPools fills r.Pools from POOLS; the mining pool is the one with
// "Stratum Active": true.
func readPools(r *hearth.Reading, doc *cgminer.Document) {
	section := doc.Section("POOLS")
	r.Pools = make([]hearth.Pool, 0, min(section.Len(), maxPools))
	for i, v := range section.All() {
		if i == maxPools {
			break
		}
		p := v.Object()
		if !p.Exists() {
			continue
		}
		index := i
		if n, ok := p.Get("POOL"); ok {
			if k, ok := n.Int(); ok && k >= 0 && k < 1<<16 {
				index = int(k)
			}
		}
		status := strings.ToLower(cleanText(p.String("Status"), 16))
		if status == "" {
			status = "unknown"
		}
		r.Pools = append(r.Pools, hearth.Pool{
			Index:    index,
			URL:      cleanText(p.String("URL"), 256),
			User:     cleanText(p.String("User"), 256),
			Status:   status,
			Active:   p.Bool("Stratum Active"),
			Priority: int(min(max(p.Int("Priority"), 0), 1<<16)),
			Accepted: p.Uint("Accepted"),
			Rejected: p.Uint("Rejected"),
		})
	}
}

// readStats fills boards, fans and the ideal hash rate from the device
// block of stats, which LuxOS writes in bmminer's layout: chain_acnN
// chips, chain_acsN chip states, chain_rateN GH/s (a string),
// temp_chipN and temp_pcbN sensor quads "a-b-c-d", freqN, chain_hwN, and
// fanN up to fan_num.
func readStats(r *hearth.Reading, doc *cgminer.Document) {
	dev := deviceBlock(doc)
	if !dev.Exists() {
		return
	}
	r.IdealHashRate = hashes(dev.Float("total_rateideal"), gigahash)
	for n := 1; n <= maxBoards; n++ {
		key := strconv.Itoa(n)
		if !dev.Has("chain_acn"+key) && !dev.Has("chain_rate"+key) {
			continue
		}
		chips := int(min(max(dev.Int("chain_acn"+key), 0), 1<<16))
		pcb, pcbOK := quad(dev.String("temp_pcb" + key))
		if chips == 0 && !pcbOK {
			continue // an empty slot
		}
		b := hearth.Board{
			Index:        len(r.Boards),
			HashRate:     hashes(dev.Float("chain_rate"+key), gigahash),
			Chips:        chips,
			FailedChips:  strings.Count(dev.String("chain_acs"+key), "x"),
			FrequencyMHz: clamp(dev.Float("freq"+key), 0, 1e5),
			HardwareErrs: dev.Uint("chain_hw" + key),
		}
		if pcbOK {
			b.InletTemp = min(pcb[0], pcb[1])
			b.OutletTemp = max(pcb[2], pcb[3])
			b.BoardTemp = max(pcb[0], pcb[1], pcb[2], pcb[3])
		}
		if chip, ok := quad(dev.String("temp_chip" + key)); ok {
			b.ChipTemp = max(chip[0], chip[1], chip[2], chip[3])
		} else {
			b.ChipTemp = temperature(dev.Float("temp2_" + key))
		}
		r.Boards = append(r.Boards, b)
	}
	fans := int(min(max(dev.Int("fan_num"), 0), maxFans))
	for n := 1; n <= fans; n++ {
		v, ok := dev.Get("fan" + strconv.Itoa(n))
		if !ok {
			continue
		}
		rpm, _ := v.Float()
		r.Fans = append(r.Fans, hearth.Fan{Index: n - 1, RPM: clamp(rpm, 0, 1e6)})
	}
}

// deviceBlock returns the STATS entry with the chain data: the first one
// with an ID (the first entry is the version block).
func deviceBlock(doc *cgminer.Document) cgminer.Object {
	for _, v := range doc.Section("STATS").All() {
		if o := v.Object(); o.Has("ID") || o.Has("chain_acn1") {
			return o
		}
	}
	return cgminer.Object{}
}

// readPower reads POWER[0].Watts, the wall power LuxOS measures.
func readPower(r *hearth.Reading, doc *cgminer.Document) {
	p := doc.First("POWER")
	if w, ok := p.Get("Watts"); ok {
		f, _ := w.Float()
		r.Power = clamp(f, 0, maxPower)
	}
}

// quad parses a sensor quad "a-b-c-d". A quad of zeros, or anything
// else than four numbers, is no reading.
func quad(s string) (q [4]float64, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 4 {
		return q, false
	}
	var any bool
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return [4]float64{}, false
		}
		q[i] = temperature(f)
		any = any || q[i] != 0
	}
	return q, any
}

// temperature refuses values no sensor reports, °C.
func temperature(c float64) float64 { return clamp(c, 0, 250) }

// hashes converts a rate in units of unit H/s to H/s, turning negative,
// absurd and overflowing values into 0.
func hashes(rate, unit float64) float64 {
	h := rate * unit
	if !(h > 0 && h <= maxHashRate) {
		return 0
	}
	return h
}

// clamp returns f when lo ≤ f ≤ hi and 0 otherwise (NaN included).
func clamp(f, lo, hi float64) float64 {
	if math.IsNaN(f) || f < lo || f > hi {
		return 0
	}
	return f
}

// seconds converts a count of seconds to a Duration, refusing nonsense.
func seconds(s float64) time.Duration {
	if s <= 0 || s > 100*365*24*3600 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

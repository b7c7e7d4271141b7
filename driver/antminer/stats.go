package antminer

import (
	"bytes"
	"strings"

	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Bounds of the per-chain and per-fan fields read from stats. bmminer
// numbers chains from 1 and some models start at 6 or 11, so 16 covers
// every layout; more fans than 16 exist on no Antminer.
const (
	maxChains = 16
	maxFans   = 16
)

// stats is what one pass over a bmminer stats reply collects.
type stats struct {
	// typ is the Type of the version block, e.g. "Antminer S19 Pro".
	typ string
	// found is set when the reply had a device block at all.
	found bool

	elapsed, ghs5s, ghsAv float64
	hasElapsed            bool
	// idealTotal is total_rateideal in rate units; unit is rate_unit in
	// H/s.
	idealTotal float64
	unit       float64

	fanNum int
	fans   [maxFans + 1]fanSlot
	chains [maxChains + 1]chain
}

type fanSlot struct {
	listed bool
	rpm    float64
}

// chain is one hashboard slot as stats reports it.
type chain struct {
	// listed is set when the slot appears (chain_acnN), populated or not.
	listed bool
	// rated is set when chain_rateN is not empty.
	rated    bool
	chips    int
	failed   int
	hwErrors uint64
	// rate and ideal are in rate units.
	rate, ideal float64
	freq        float64
	chipTemps   quad
	pcbTemps    quad
	// temp2 (temp2_N, hottest chip on older models) and temp (tempN,
	// hottest PCB sensor) are fallbacks for the quads.
	temp2, temp float64
}

// failedChip marks a chip that does not answer in chain_acsN, where 'o'
// is a good one.
var failedChip = []byte{'x'}

// populated reports a slot with a board that answered: chips or a rate.
func (c *chain) populated() bool { return c.chips > 0 || c.rated }

// readStats collects the device block of a stats reply in one pass over
// its members. STATS[0] is bmminer's version block; the device block is
// the first entry with an "Elapsed" or an "ID".
func readStats(doc *cgminer.Document) stats {
	st := stats{unit: gigahash}
	var device cgminer.Object
	for _, v := range doc.Section("STATS").All() {
		o := v.Object()
		if st.typ == "" {
			st.typ = o.String("Type")
		}
		if !device.Exists() && (o.Has("Elapsed") || o.Has("ID")) {
			device = o
		}
	}
	if !device.Exists() {
		return st
	}
	st.found = true
	for key, v := range device.All() {
		prefix, n := splitIndex(key)
		if n == 0 {
			st.readField(key, v)
			continue
		}
		if string(prefix) == "fan" {
			if n <= maxFans {
				rpm, _ := v.Float()
				st.fans[n] = fanSlot{listed: true, rpm: nonNegative(rpm)}
			}
			continue
		}
		if n > maxChains {
			continue
		}
		c := &st.chains[n]
		switch string(prefix) {
		case "chain_acn":
			c.listed = true
			if k, ok := v.Int(); ok && k > 0 && k < 1<<16 {
				c.chips = int(k)
			}
		case "chain_acs":
			// JSON escapes hold no 'x', so the raw text counts right.
			c.failed = bytes.Count(v.Raw(), failedChip)
		case "chain_hw":
			c.hwErrors, _ = v.Uint()
		case "chain_rate":
			c.rated = len(trimmed(v)) > 0
			f, _ := v.Float()
			c.rate = nonNegative(f)
		case "chain_rateideal":
			f, _ := v.Float()
			c.ideal = nonNegative(f)
		case "freq", "freq_avg":
			if f, _ := v.Float(); f > 0 {
				c.freq = f
			}
		case "temp_chip":
			c.chipTemps = parseQuad(v)
		case "temp_pcb":
			c.pcbTemps = parseQuad(v)
		case "temp2_":
			f, _ := v.Float()
			c.temp2 = temperature(f)
		case "temp":
			f, _ := v.Float()
			c.temp = temperature(f)
		}
	}
	return st
}

// readField reads a member without a chain or fan number.
func (st *stats) readField(key []byte, v cgminer.Value) {
	switch string(key) {
	case "Type":
		if st.typ == "" {
			st.typ = v.Text()
		}
	case "Elapsed":
		st.elapsed, st.hasElapsed = v.Float()
	case "GHS 5s":
		f, _ := v.Float()
		st.ghs5s = nonNegative(f)
	case "GHS av":
		f, _ := v.Float()
		st.ghsAv = nonNegative(f)
	case "total_rateideal":
		f, _ := v.Float()
		st.idealTotal = nonNegative(f)
	case "rate_unit":
		st.unit = rateUnit(v.Text())
	case "fan_num":
		if n, ok := v.Int(); ok && n > 0 && n <= maxFans {
			st.fanNum = int(n)
		}
	}
}

// splitIndex splits a key such as "chain_acn3" or "temp2_1" into its name
// and its trailing number ("chain_acn", 3; "temp2_", 1). Keys without a
// number of one or two digits give n == 0.
func splitIndex(key []byte) (prefix []byte, n int) {
	i := len(key)
	for i > 0 && '0' <= key[i-1] && key[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(key) || len(key)-i > 2 {
		return key, 0
	}
	for _, c := range key[i:] {
		n = n*10 + int(c-'0')
	}
	return key[:i], n
}

// trimmed returns a value's text without surrounding spaces, without
// allocating.
func trimmed(v cgminer.Value) []byte {
	b := v.Raw()
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// rateUnit converts rate_unit ("GH", "TH/s", …) to H/s; anything unknown is
// bmminer's default, GH.
func rateUnit(s string) float64 {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/S"), "S")
	switch s {
	case "H":
		return 1
	case "KH":
		return 1e3
	case "MH":
		return megahash
	case "TH":
		return 1e12
	case "PH":
		return 1e15
	}
	return gigahash
}

// temperature keeps plausible temperatures, °C, and turns sensor
// placeholders and garbage into 0 (absent).
func temperature(f float64) float64 {
	if f <= 0 || f > 250 {
		return 0
	}
	return f
}

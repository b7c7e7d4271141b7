package antminer

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// newReading maps the replies of one poll to a reading. A nil document is
// a command that failed; what the others hold is still used. modelHint is
// the model from identification, which takes precedence over the Type in
// stats.
func newReading(modelHint string, summary, pools, statsDoc *cgminer.Document) *hearth.Reading {
	r := &hearth.Reading{}
	if summary != nil {
		readSummary(r, summary)
	}
	if pools != nil {
		r.Pools = cgminer.Pools(pools)
	}
	st := stats{unit: gigahash}
	if statsDoc != nil {
		st = readStats(statsDoc)
	}

	name := modelHint
	if name == "" {
		name = modelName(st.typ)
	}
	m, known := lookupModel(name)

	if st.found {
		// stats repeats the hash rates: use them when summary failed
		// or lacked them.
		if r.HashRate == 0 {
			r.HashRate = hashes(st.ghs5s, gigahash)
		}
		if r.HashRateAvg == 0 {
			r.HashRateAvg = hashes(st.ghsAv, gigahash)
		}
		if st.hasElapsed {
			r.Uptime = seconds(st.elapsed)
		}
		r.Boards = boards(&st, m, known)
		r.Fans = fans(&st, isHydro(name) || isHydro(st.typ))
		r.IdealHashRate = hashes(st.idealTotal, st.unit)
		if r.IdealHashRate == 0 {
			for _, b := range r.Boards {
				r.IdealHashRate += b.IdealHashRate
			}
		}
	}

	if known {
		// Stock firmware measures no power: estimate it from the
		// nameplate efficiency, W = TH/s × J/TH.
		r.Power = r.HashRate / 1e12 * m.joulesPerTH
		r.PowerEstimated = true
	}
	return r
}

package antminer

import (
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Hash-rate units, in hashes per second.
const (
	gigahash = 1e9
	megahash = 1e6
)

// readSummary fills r from the SUMMARY of a summary reply: hash rates
// (bmminer reports GH/s, "GHS 5s" sometimes as a space-padded string;
// stock cgminer MH/s), shares, hardware errors and uptime.
func readSummary(r *hearth.Reading, doc *cgminer.Document) {
	s := doc.First("SUMMARY")
	if !s.Exists() {
		return
	}
	r.HashRate = hashRate(s, "GHS 5s", "MHS 5s")
	r.HashRateAvg = hashRate(s, "GHS av", "MHS av")
	r.Accepted = s.Uint("Accepted")
	r.Rejected = s.Uint("Rejected")
	r.HardwareErrors = s.Uint("Hardware Errors")
	r.Uptime = seconds(s.Float("Elapsed"))
}

// hashRate reads bmminer's GH/s field ghs in H/s, falling back to stock
// cgminer's MH/s field mhs.
func hashRate(o cgminer.Object, ghs, mhs string) float64 {
	if v, ok := o.Get(ghs); ok {
		f, _ := v.Float()
		return hashes(f, gigahash)
	}
	if v, ok := o.Get(mhs); ok {
		f, _ := v.Float()
		return hashes(f, megahash)
	}
	return 0
}

// maxHashRate is far beyond any machine (the whole Bitcoin network runs
// at about 1e21 H/s); a miner claiming more is sending garbage.
const maxHashRate = 1e20

// hashes converts a rate in units of unit H/s to H/s, turning negative,
// absurd and overflowing values into 0.
func hashes(rate, unit float64) float64 {
	h := rate * unit
	if !(h > 0 && h <= maxHashRate) {
		return 0
	}
	return h
}

// seconds converts a count of seconds to a Duration, refusing nonsense.
func seconds(s float64) time.Duration {
	if s <= 0 || s > 100*365*24*3600 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

func nonNegative(f float64) float64 { return max(f, 0) }

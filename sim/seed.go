package sim

// The physical model is a pure function of (seed, miner index, time). These
// helpers turn the first two into reproducible pseudo-random numbers without
// any shared generator state, so that miners can be evaluated in any order,
// concurrently, and still give the same values for the same seed.

// mix64 is the SplitMix64 finaliser: a bijective hash whose output bits all
// depend on every input bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// draw is a deterministic source of numbers for one miner.
type draw struct{ key uint64 }

func newDraw(seed int64, index int) draw {
	return draw{key: mix64(uint64(seed)) ^ mix64(uint64(index)*0x2545f4914f6cdd1d+1)}
}

// bits returns 64 pseudo-random bits for the given purpose.
func (d draw) bits(salt uint64) uint64 { return mix64(d.key ^ mix64(salt)) }

// unit returns a number in [0, 1) for the given purpose.
func (d draw) unit(salt uint64) float64 { return float64(d.bits(salt)>>11) / (1 << 53) }

// between returns a number in [lo, hi) for the given purpose.
func (d draw) between(salt uint64, lo, hi float64) float64 {
	return lo + (hi-lo)*d.unit(salt)
}

// intn returns an integer in [0, n) for the given purpose.
func (d draw) intn(salt uint64, n int) int { return int(d.bits(salt) % uint64(n)) }

// Salts name the purposes numbers are drawn for; each must be distinct.
const (
	saltModel uint64 = iota + 1
	saltRate
	saltEff
	saltAmbient
	saltFan
	saltFanEach
	saltFailedBoard
	saltFailedCount
	saltFailedPos
	saltReject
	saltUptime
	saltPhase
	saltPeriod
	saltBoard
	saltSensor
	saltMAC
	saltSerial
	saltPool
	saltBest
	saltLatency
	saltRSSI
	saltChipRun
	saltHW
	saltVolt
)

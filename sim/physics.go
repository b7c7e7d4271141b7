package sim

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// The physical model. Everything a miner reports is computed here from its
// static draw (miner), its faults and the time since the simulator started;
// nothing is stored between requests, so a fleet of 100,000 miners costs no
// goroutines and no timers, and two simulators with the same seed and clock
// report the same values.

// shareScale converts a difficulty to the hashes one share of it stands for.
const shareScale = 4294967296.0 // 2^32

// snapshot is one miner's state at one instant, in the units the firmwares
// report: GH/s, MHz, °C, W.
type snapshot struct {
	active faultSet
	unix   int64   // wall clock of the request, unix seconds
	t      float64 // seconds since sim start
	uptime float64 // seconds since the mining process started

	boards  [maxBoards]boardSnap
	rate    float64 // current ("5s") hash rate, GH/s
	rateAvg float64 // average since the mining process started, GH/s
	rate30m float64 // 30-minute average, GH/s
	ideal   float64 // the rate the firmware expects at nominal settings, GH/s
	freq    int     // average chip clock of the working boards, MHz
	power   float64 // wall power, W
	fans    [maxFans]int
	fanPct  int

	acc, rej     uint64
	shares       float64 // accepted + rejected, unrounded
	shareRate    float64 // shares per second now
	lastShareAgo float64 // seconds since the last share
	best         uint64  // best share difficulty since the process started
	hw           uint64  // hardware errors, all boards

	chipTemp float64 // AxeOS: average chip temperature
	vrTemp   float64 // AxeOS: voltage regulator temperature
	latency  float64 // AxeOS: pool response time, ms
}

// boardSnap is one hash board (chain).
type boardSnap struct {
	present bool // the chain answers (chain_acn > 0)
	chips   int  // chips answering
	failed  int  // chips marked 'x'
	rate    float64
	freq    int
	chip    [4]int // temp_chipN quad: a,b inlet edge, c,d outlet edge
	pcb     [4]int
	pic     [4]int
	hw      uint64
}

// boardMean is board b's hash rate in GH/s without noise, with the faults
// in set applied. Share counters integrate it, so it must not depend on t.
func (m *miner) boardMean(b int, set faultSet) float64 {
	spec := m.model
	if set.has(setDeadBoard) && b == 1 {
		return 0
	}
	rate := spec.HashRate / 1e9 / float64(spec.Boards) * m.rateMul * m.boardMul[b]
	if set.has(setLowHashrate) {
		rate *= lowHashrateFactor
	}
	if failed := m.failedChips(b, set); failed > 0 {
		rate *= float64(spec.ChipsPerBoard-failed) / float64(spec.ChipsPerBoard)
	}
	return rate
}

// lowHashrateFactor is how far the low-hashrate fault drops the chip clock,
// and with it hash rate and power.
const lowHashrateFactor = 0.55

// failedChipsFault is how many chips the failed-chips fault kills on board 0.
const failedChipsFault = 20

// failedChips counts the chips of board b marked bad.
func (m *miner) failedChips(b int, set faultSet) int {
	n := 0
	if b == m.healthyFailedBoard {
		n = m.healthyFailedCount
	}
	if b == 0 && set.has(setFailedChips) {
		n += failedChipsFault
		// A healthy failure inside the faulty run is counted once.
		start := m.faultyChipRunStart()
		for k := 0; k < m.healthyFailedCount && m.healthyFailedBoard == 0; k++ {
			if (m.healthyFailedPos[k]-start+m.model.ChipsPerBoard)%m.model.ChipsPerBoard < failedChipsFault {
				n--
			}
		}
	}
	return n
}

// chipFailed reports whether chip c of board b is marked bad.
func (m *miner) chipFailed(b, c int, set faultSet) bool {
	if m.healthyFailed(b, c) {
		return true
	}
	if b == 0 && set.has(setFailedChips) {
		n := m.model.ChipsPerBoard
		return (c-m.faultyChipRunStart()+n)%n < failedChipsFault
	}
	return false
}

// meanRate is the miner's noise-free hash rate in GH/s under set.
func (m *miner) meanRate(set faultSet) float64 {
	var sum float64
	for b := 0; b < m.model.Boards; b++ {
		sum += m.boardMean(b, set)
	}
	return sum
}

// shareRateOf is shares per second at the miner's mean rate under set.
func (m *miner) shareRateOf(set faultSet) float64 {
	return m.meanRate(set) * 1e9 / (m.model.poolDiff * shareScale)
}

// rejectRatioOf is the share of shares rejected under set.
func (m *miner) rejectRatioOf(set faultSet) float64 {
	if set.has(setHighReject) {
		return highRejectRatio
	}
	return m.rejectRatio
}

// highRejectRatio is the reject ratio of the high-reject fault.
const highRejectRatio = 0.10

// shareCounts integrates the share rate from the last fault change up to
// sim time t, splitting the interval where a scheduled fault begins. It
// returns unrounded accepted and rejected counts since the mining process
// started.
func (m *miner) shareCounts(fs *faultState, t float64) (acc, rej float64) {
	if fs == nil {
		s := m.shareRateOf(0) * (m.uptime0 + t)
		r := m.rejectRatio
		return s * (1 - r), s * r
	}
	acc, rej = fs.baseAcc, fs.baseRej
	from := fs.baseT
	for from < t {
		// The next fault start after from, or t.
		to := t
		for _, f := range fs.faults {
			if f.at > from && f.at < to {
				to = f.at
			}
		}
		set := fs.activeAt(from)
		s := m.shareRateOf(set) * fs.workMul() * (to - from)
		r := m.rejectRatioOf(set)
		acc += s * (1 - r)
		rej += s * r
		from = to
	}
	return acc, rej
}

// noise is the relative deviation of board b's measured hash rate at t: a
// sum of slow sines with per-miner periods and phases, smooth in time.
func (m *miner) noise(t float64, b int) float64 {
	fb := float64(b)
	return noiseA*math.Sin(2*math.Pi*t/m.period[0]+m.phase[0]+fb*2.1) +
		noiseB*math.Sin(2*math.Pi*t/m.period[1]+m.phase[1]+fb*1.3) +
		noiseC*math.Sin(2*math.Pi*t/m.period[2]+m.phase[2]+fb*0.7)
}

// wobble is a slow, small signal in [-1, 1] for temperatures and fans.
func (m *miner) wobble(t float64, k int) float64 {
	return math.Sin(2*math.Pi*t/(m.period[2]*1.7) + m.phase[k%3] + float64(k)*0.9)
}

// evaluate computes the miner's snapshot at sim time t (seconds since start)
// with the site ambient temperature ambient (°C).
func (m *miner) evaluate(t float64, unix int64, ambient float64) snapshot {
	fs := m.faults.Load()
	spec := m.model
	var s snapshot
	s.t = t
	s.unix = unix
	s.active = fs.activeAt(t)
	s.uptime = fs.uptime(m, t)
	set := s.active
	work := fs.workMul()

	freq := spec.frequency * fs.freqMul()
	if set.has(setLowHashrate) {
		freq *= lowHashrateFactor
	}
	jPerTH := spec.JoulesPerTH() * m.effMul
	if set.has(setInefficient) {
		jPerTH *= inefficientFactor
	}

	var mean, boardPower [maxBoards]float64
	var working int
	var freqSum int
	for b := 0; b < spec.Boards; b++ {
		bs := &s.boards[b]
		mean[b] = m.boardMean(b, set) * work
		if set.has(setDeadBoard) && b == 1 {
			continue
		}
		working++
		bs.present = true
		bs.chips = spec.ChipsPerBoard
		bs.failed = m.failedChips(b, set)
		bs.rate = mean[b] * (1 + m.noise(t, b))
		bs.freq = int(math.Round(freq))
		freqSum += bs.freq
		bs.hw = uint64(s.uptime * m.draw.between(saltHW+uint64(b)<<8, 0.002, 0.006))
		s.hw += bs.hw
		s.rate += bs.rate
		boardPower[b] = mean[b] / 1000 * jPerTH
		s.power += boardPower[b]
	}
	if working > 0 {
		s.freq = freqSum / working
	}
	s.power *= 1 + 0.004*m.wobble(t, 1)
	s.ideal = spec.HashRate / 1e9
	meanTotal := m.meanRate(set) * work
	s.rate30m = meanTotal * (1 + noiseC*m.wobble(t, 2))

	// Shares. The average rate since the process started follows from the
	// share count: every share stands for difficulty × 2^32 hashes.
	accF, rejF := m.shareCounts(fs, t)
	s.acc, s.rej = uint64(accF), uint64(rejF)
	s.shares = accF + rejF
	if s.uptime > 0 {
		s.rateAvg = s.shares * spec.poolDiff * shareScale / s.uptime / 1e9
	}
	s.shareRate = m.shareRateOf(set) * work
	if s.shareRate > 0 {
		s.lastShareAgo = (s.shares - math.Floor(s.shares)) / s.shareRate
	} else {
		s.lastShareAgo = t // no share since the fault began
	}
	s.best = uint64(spec.poolDiff * math.Max(s.shares, 1) * m.bestMul)

	m.thermal(&s, ambient, boardPower)
	if spec.Family == hearth.FamilyAxeOS && fs.idle() {
		s.power = axeOSIdleWatts * (1 + 0.01*m.wobble(t, 1))
	}
	if spec.Family == hearth.FamilyAxeOS {
		s.latency = m.latencyBase + 10*math.Sin(2*math.Pi*s.t/m.period[1]+m.phase[0]) +
			6*(m.draw.unit(saltLatency+uint64(int64(s.t/5))<<8)-0.5)
	}
	return s
}

// inefficientFactor is the power increase of the inefficient fault.
const inefficientFactor = 1.35

// Thermal constants. A board at nameplate power with nominal airflow has
// its inlet PCB edge 18 °C above the air, the outlet edge 15 °C above that,
// and chips 9-11 °C above the PCB: about 43/58 °C PCB and 52/69 °C chips at
// 25 °C ambient, as in captured S19 stats. Hydro boards sit on a cold plate
// fed with coolant 12 °C above ambient.
const (
	nominalFanRPM      = 5200.0 // Antminer airflow reference
	bitaxeFanRPM       = 4200.0
	fanFailRise        = 10.0 // °C added by fan-fail
	hotRise            = 30.0 // °C added by hot, at least
	hotFloor           = 97.0 // °C the hottest chip reaches under hot, at least
	coolantOverAmbient = 12.0
)

// thermal fills fans and temperatures from power, ambient and airflow.
func (m *miner) thermal(s *snapshot, ambient float64, boardPower [maxBoards]float64) {
	spec := m.model
	set := s.active
	inlet := ambient + m.ambient

	// Fans: the controller runs faster in warmer air.
	var fanSum float64
	var fanN int
	if !spec.Hydro {
		perDegree := 90.0
		lo, hi := 4000.0, 6500.0
		if spec.Family == hearth.FamilyAxeOS {
			perDegree, lo, hi = 60, 3500, 5000
		}
		for f := 0; f < spec.Fans; f++ {
			rpm := m.fanBase + m.fanEach[f] + perDegree*(inlet-25) + 40*m.wobble(s.t, 3+f)
			rpm = math.Max(lo, math.Min(hi, rpm))
			if spec.Family == hearth.FamilyAntminer {
				rpm = 120 * math.Round(rpm/120) // bmminer reports multiples of 120
			}
			fanSum += rpm
			fanN++
			s.fans[f] = int(rpm)
		}
		if set.has(setFanFail) {
			failed := 1
			if spec.Fans == 1 {
				failed = 0
			}
			s.fans[failed] = 0
		}
	}
	air := 1.0
	if fanN > 0 {
		ref := nominalFanRPM
		if spec.Family == hearth.FamilyAxeOS {
			ref = bitaxeFanRPM
		}
		air = fanSum / float64(fanN) / ref
	}
	extra := 0.0
	if set.has(setFanFail) {
		extra = fanFailRise
	}

	if spec.Family == hearth.FamilyAxeOS {
		load := boardPower[0] / spec.Power
		s.chipTemp = inlet + 36*load/air + extra + 0.4*m.wobble(s.t, 4)
		s.vrTemp = inlet + 30*load/air + extra + 0.4*m.wobble(s.t, 5)
		if set.has(setHot) {
			s.chipTemp += hotDelta(s.chipTemp)
		}
		s.fanPct = int(math.Round(float64(s.fans[0]) / 70))
		return
	}

	nominalBoard := spec.Power / float64(spec.Boards)
	var pcb, chip [maxBoards][4]float64
	chipMax := math.Inf(-1)
	for b := 0; b < spec.Boards; b++ {
		if !s.boards[b].present {
			continue
		}
		load := boardPower[b] / nominalBoard
		var pcbIn, pcbOut, chipIn, chipOut float64
		if spec.Hydro {
			pcbIn = inlet + coolantOverAmbient + 2*load
			pcbOut = pcbIn + 9*load
			chipIn = pcbIn + 14*load
			chipOut = pcbOut + 12*load
		} else {
			pcbIn = inlet + 18*load/air
			pcbOut = pcbIn + 15*load/air
			chipIn = pcbIn + 9*load
			chipOut = pcbOut + 11*load
		}
		w := 0.4 * m.wobble(s.t, 6+b)
		edges := [4]float64{0, 0, 1, 1}
		for k := 0; k < 4; k++ {
			off := m.sensor[b][k] + w + extra
			if edges[k] == 0 {
				pcb[b][k], chip[b][k] = pcbIn+off, chipIn+off
			} else {
				pcb[b][k], chip[b][k] = pcbOut+off, chipOut+off
			}
			chipMax = math.Max(chipMax, chip[b][k])
		}
	}
	hot := 0.0
	if set.has(setHot) {
		hot = hotDelta(chipMax)
	}
	for b := 0; b < spec.Boards; b++ {
		bs := &s.boards[b]
		if !bs.present {
			continue
		}
		for k := 0; k < 4; k++ {
			src := k
			if set.has(setCoolingReversed) {
				src = (k + 2) % 4 // inlet edge reads what the outlet edge should
			}
			bs.pcb[k] = int(math.Round(pcb[b][src]))
			bs.chip[k] = int(math.Round(chip[b][src] + hot))
			bs.pic[k] = bs.pcb[k] - 10
		}
	}
}

// hotDelta is what the hot fault adds to a chip reading of max °C: 30 °C,
// or more where that would leave the chip at or under 95 °C.
func hotDelta(max float64) float64 {
	return math.Max(hotRise, hotFloor-max)
}

package sim

import (
	"fmt"
	"math"
	"net/netip"
	"sync/atomic"

	"github.com/hearth-fleet/hearth"
)

// maxBoards is the number of chain slots an Antminer control board reports
// (chain_acn1..4); the simulated models populate three of them.
const maxBoards = 4

// maxFans is the number of fan slots an Antminer reports (fan1..4).
const maxFans = 4

// miner holds everything about one virtual miner that does not change with
// time: drawn once from (seed, index) at New. What changes with time is
// computed from it on every request (see physics.go), and what an operator
// changes at run time lives in faults.
type miner struct {
	index int
	name  string
	addr  netip.Addr
	model *Model
	draw  draw

	rateMul  float64            // silicon quality: hash rate spread around nameplate
	boardMul [maxBoards]float64 // per-board share of the miner's rate, mean 1
	effMul   float64            // efficiency spread around nameplate J/TH
	ambient  float64            // offset of this miner's inlet from the site ambient, °C
	fanBase  float64            // fan speed the controller settles at, RPM
	fanEach  [maxFans]float64   // per-fan offset, RPM
	sensor   [maxBoards][4]float64

	healthyFailedBoard int // board with a failed chip on a healthy miner, -1 if none
	healthyFailedPos   [2]int
	healthyFailedCount int

	rejectRatio float64 // share of shares the pool rejects when healthy
	uptime0     float64 // uptime at sim start, seconds
	phase       [3]float64
	period      [3]float64
	bestMul     float64
	latencyBase float64 // Bitaxe pool response time, ms

	mac     [6]byte
	serial  string
	minerID string
	pool    int

	faults atomic.Pointer[faultState]
	// ctl is the operator's settings, nil until the first write.
	ctl atomic.Pointer[minerControl]
}

// Noise of the measured hash rate: the sum of three slow sines, at most
// ±2.4 % together, so that a healthy miner never reads as degraded (hearth
// flags a miner below 90 % of its ideal rate).
const (
	noiseA = 0.012
	noiseB = 0.008
	noiseC = 0.004
)

func newMiner(seed int64, index int, mix mixTable, modelDraw float64) *miner {
	d := newDraw(seed, index)
	m := &miner{
		index: index,
		name:  NameOf(index),
		addr:  AddressOf(index),
		model: mix.pick(modelDraw),
		draw:  d,
	}
	spec := m.model
	m.rateMul = d.between(saltRate, 0.985, 1.015)
	var sum float64
	for b := 0; b < spec.Boards; b++ {
		m.boardMul[b] = d.between(saltBoard+uint64(b)<<8, 0.99, 1.01)
		sum += m.boardMul[b]
	}
	for b := 0; b < spec.Boards; b++ {
		m.boardMul[b] *= float64(spec.Boards) / sum
	}
	m.effMul = d.between(saltEff, 0.98, 1.02)
	m.ambient = d.between(saltAmbient, -1.5, 1.5)
	switch {
	case spec.Hydro:
		m.fanBase = 0
	case spec.Family == hearth.FamilyAxeOS:
		m.fanBase = d.between(saltFan, 3800, 4600)
	default:
		m.fanBase = d.between(saltFan, 4800, 5600)
	}
	for f := 0; f < maxFans; f++ {
		m.fanEach[f] = d.between(saltFanEach+uint64(f)<<8, -250, 250)
	}
	for b := 0; b < maxBoards; b++ {
		for s := 0; s < 4; s++ {
			m.sensor[b][s] = d.between(saltSensor+uint64(b*4+s)<<8, -1.5, 1.5)
		}
	}
	// About one healthy Antminer in 25 has a chip or two marked bad, as in
	// any real fleet; that costs it under 1 % of its hash rate.
	m.healthyFailedBoard = -1
	if spec.ChipsPerBoard > 1 && d.unit(saltFailedBoard) < 0.04 {
		m.healthyFailedBoard = d.intn(saltFailedBoard+1, spec.Boards)
		m.healthyFailedCount = 1 + d.intn(saltFailedCount, 2)
		m.healthyFailedPos[0] = d.intn(saltFailedPos, spec.ChipsPerBoard)
		m.healthyFailedPos[1] = (m.healthyFailedPos[0] + 1 + d.intn(saltFailedPos+1, spec.ChipsPerBoard-1)) % spec.ChipsPerBoard
	}
	m.rejectRatio = d.between(saltReject, 0.001, 0.003)
	if spec.Family == hearth.FamilyAxeOS {
		m.uptime0 = math.Floor(d.between(saltUptime, 600, 10*86400))
	} else {
		m.uptime0 = math.Floor(d.between(saltUptime, 3600, 40*86400))
	}
	for k := 0; k < 3; k++ {
		m.phase[k] = d.between(saltPhase+uint64(k)<<8, 0, 2*math.Pi)
	}
	m.period[0] = d.between(saltPeriod, 23, 41)
	m.period[1] = d.between(saltPeriod+1<<8, 97, 151)
	m.period[2] = d.between(saltPeriod+2<<8, 401, 733)
	m.bestMul = d.between(saltBest, 0.6, 2.5)
	m.latencyBase = d.between(saltLatency, 33, 41)
	mac := d.bits(saltMAC)
	m.mac = [6]byte{0x02, 0x48, byte(mac >> 24), byte(index >> 16), byte(index >> 8), byte(index)}
	if spec.Family == hearth.FamilyAxeOS {
		m.serial = ""
	} else {
		m.serial = fmt.Sprintf("%s%s%08X", spec.serialCode, "B2", uint32(d.bits(saltSerial)))
	}
	m.minerID = fmt.Sprintf("%016x", d.bits(saltSerial+1))
	m.pool = d.intn(saltPool, len(simPools))
	return m
}

// healthyFailed reports whether chip c of board b is one of the chips a
// healthy miner has lost (see newMiner).
func (m *miner) healthyFailed(b, c int) bool {
	if b != m.healthyFailedBoard {
		return false
	}
	for k := 0; k < m.healthyFailedCount; k++ {
		if m.healthyFailedPos[k] == c {
			return true
		}
	}
	return false
}

// faultyChipRunStart is the first of the 20 chips the failed-chips fault
// marks bad on board 0; the run wraps around the end of the chain.
func (m *miner) faultyChipRunStart() int {
	return m.draw.intn(saltChipRun, m.model.ChipsPerBoard)
}

// macString formats the MAC address the way both firmwares print it.
func (m *miner) macString() string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", m.mac[0], m.mac[1], m.mac[2], m.mac[3], m.mac[4], m.mac[5])
}

// simPools are the pools simulated miners mine on. The .invalid top-level
// domain is reserved and never resolves, so nothing ever connects to them.
var simPools = []struct{ host, backup string }{
	{"btc.pool-a.sim.invalid", "btc-backup.pool-a.sim.invalid"},
	{"stratum.pool-b.sim.invalid", "stratum2.pool-b.sim.invalid"},
	{"mine.pool-c.sim.invalid", "mine-eu.pool-c.sim.invalid"},
}

const simPoolPort = 3333

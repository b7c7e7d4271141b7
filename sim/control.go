package sim

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Control state: what an operator has written to a miner through its
// firmware's management interface (pools, work mode, fault light, pause,
// frequency, reboots). Most miners are never written to, so the state is
// allocated on a miner's first write; until then the miner runs on the
// defaults drawn from the seed and costs nothing extra.

// DefaultRebootTime is how long a simulated miner stays unreachable after
// a reboot or restart when Config.RebootTime is zero.
const DefaultRebootTime = 5 * time.Second

// WorkMode is an Antminer's "miner-mode" (set_miner_conf) and
// "bitmain-work-mode" (get_miner_conf).
type WorkMode int

// The work modes stock Antminer firmware accepts.
const (
	// ModeNormal hashes at the nominal clock.
	ModeNormal WorkMode = 0
	// ModeSleep stops hashing; the control board stays reachable.
	ModeSleep WorkMode = 1
	// ModeLowPower lowers the chip clock to lowPowerFactor of nominal;
	// hash rate and power follow.
	ModeLowPower WorkMode = 3
)

// String names the mode as hearth's operators would.
func (w WorkMode) String() string {
	switch w {
	case ModeNormal:
		return "normal"
	case ModeSleep:
		return "sleep"
	case ModeLowPower:
		return "low-power"
	}
	return "mode-" + strconv.Itoa(int(w))
}

// lowPowerFactor is the clock, hash-rate and power share of ModeLowPower.
const lowPowerFactor = 0.6

// axeOSIdleWatts is what a paused Bitaxe draws: the ESP32, display and
// regulators with the ASIC idle.
const axeOSIdleWatts = 3.1

// PoolSetting is one configured pool as the firmware stores it.
type PoolSetting struct {
	// URL is as the firmware keeps it: the full "stratum+tcp://host:port"
	// on an Antminer, the bare host (AxeOS stratumURL) on a Bitaxe.
	URL string `json:"url"`
	// Port is AxeOS's stratumPort; 0 on Antminers, whose URL holds it.
	Port     int    `json:"port,omitempty"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// MinerSettings is the ground truth of what has been configured on a
// miner, for tests that check a driver's write against the firmware side.
type MinerSettings struct {
	// Pools in priority order: up to 3 on an Antminer (empty slots left
	// out), primary and fallback on a Bitaxe.
	Pools []PoolSetting `json:"pools"`
	// Mode is the Antminer work mode; always ModeNormal on a Bitaxe.
	Mode WorkMode `json:"mode"`
	// Locate is whether the fault light (Antminer blink, AxeOS identify)
	// is on now; AxeOS switches it off by itself after 30 s.
	Locate bool `json:"locate"`
	// Paused is AxeOS's miningPaused, VNish's stopped or paused mining
	// and UMC's idling after /miner "Stop"; Antminers sleep through Mode.
	Paused bool `json:"paused"`
	// FrequencyMHz is the configured chip clock (AxeOS frequency; the
	// nominal clock on an Antminer, whose low-power mode scales it).
	FrequencyMHz float64 `json:"frequency_mhz"`
	// CoreVoltageMV is AxeOS's configured core voltage; 0 on Antminers.
	CoreVoltageMV int `json:"core_voltage_mv,omitempty"`
	// FanManual and FanPercent are the fan setting: Antminer
	// bitmain-fan-ctrl / bitmain-fan-pwm, AxeOS autofanspeed 0 / fanspeed,
	// UMC's "Manual" fan mode.
	FanManual  bool `json:"fan_manual"`
	FanPercent int  `json:"fan_percent"`
	// FanTargetTemp and FanIdleSpeed are UMC's automatic fan mode
	// ("Target Temperature" °C, "Idle Speed" %); 0 on other firmwares.
	FanTargetTemp int `json:"fan_target_temp,omitempty"`
	FanIdleSpeed  int `json:"fan_idle_speed,omitempty"`
	// Reboots counts reboots and restarts since the simulator started.
	Reboots int `json:"reboots"`
	// Profile is the LuxOS power profile in force (profileset), e.g.
	// "490MHz"; "" on other firmwares.
	Profile string `json:"profile,omitempty"`
	// ATM is whether LuxOS's automatic tuning (atmset enabled=…) is on;
	// false on other firmwares.
	ATM bool `json:"atm,omitempty"`
	// ActivePool is the POOL number LuxOS mines on (switchpool); Pools
	// stay in POOL-number order there. Always 0 on other firmwares.
	ActivePool int `json:"active_pool,omitempty"`
	// PowerTargetW is the Braiins OS tuner's power target in watts
	// (SetPowerTarget), within the model's limits; hash rate and power
	// follow it. 0 on other firmwares.
	PowerTargetW int `json:"power_target_w,omitempty"`
	// WorkLevel is an Avalon's power step, 0 the lowest: the heater level
	// of a Nano 3 (ascset worklevel or workmode, Low/Medium/High), the
	// work mode of an A-series (Eco/Standard). Always 0 on other firmwares.
	WorkLevel int `json:"work_level,omitempty"`
	// Preset is VNish's autotune preset (settings miner.overclock.preset):
	// "disabled" for stock clocks, or a power in watts such as "2450".
	// "" on other firmwares.
	Preset string `json:"preset,omitempty"`
	// PowerLimitW is btminer's power limit in watts (adjust_power_limit,
	// set.miner.power_limit); 0 on other firmwares. Below the model's
	// nameplate power it lowers the clock, hash rate and power.
	PowerLimitW int `json:"power_limit_w,omitempty"`
}

// clone returns a copy that shares no slice with s.
func (s MinerSettings) clone() MinerSettings {
	s.Pools = append([]PoolSetting(nil), s.Pools...)
	return s
}

// minerControl is a miner's mutable control state. mu serialises writes;
// the physics reads the derived controlPhysics published with the faults.
type minerControl struct {
	mu       sync.Mutex
	settings MinerSettings
	// identifyUntil is the sim time an AxeOS identify ends, 0 when off.
	identifyUntil float64
	// lux is LuxOS's session state.
	lux luxSession
	// bos is Braiins OS's API sessions and pool groups.
	bos bosState
	// avalon holds an Avalon's scheduled softoff, softon and reboot.
	avalon avalonSchedule
	// vnish is VNish's unlock state: tokens handed out, wrong passwords.
	vnish vnishAuth
	// wm is btminer's API v2 write tokens.
	wm wmTokens
}

// controlPhysics is what the control state does to the physics, published
// in faultState so that a request reads it without locking.
type controlPhysics struct {
	set       bool
	workMul   float64 // hash-rate and power multiplier
	freqMul   float64 // chip-clock multiplier
	idle      bool    // not hashing: sleeping or paused
	bootT     float64 // sim time the mining process last started
	downUntil float64 // sim time a reboot ends; unreachable before
}

// workMul returns the hash-rate multiplier of the published control state.
func (fs *faultState) workMul() float64 {
	if fs == nil || !fs.ctl.set {
		return 1
	}
	return fs.ctl.workMul
}

// freqMul returns the chip-clock multiplier of the published control state.
func (fs *faultState) freqMul() float64 {
	if fs == nil || !fs.ctl.set {
		return 1
	}
	return fs.ctl.freqMul
}

// idle reports whether the miner is not hashing on purpose.
func (fs *faultState) idle() bool { return fs != nil && fs.ctl.idle }

// down reports whether the miner is rebooting at sim time t.
func (fs *faultState) down(t float64) bool { return fs != nil && t < fs.ctl.downUntil }

// uptime returns the seconds since m's mining process started, at sim time t.
func (fs *faultState) uptime(m *miner, t float64) float64 {
	if fs == nil || !fs.ctl.set || fs.ctl.bootT < 0 {
		return m.uptime0 + t
	}
	return math.Max(0, t-fs.ctl.bootT)
}

// unreachable reports whether m accepts no connection at sim time t:
// offline, or rebooting.
func (m *miner) unreachable(t float64) bool {
	fs := m.faults.Load()
	return fs.activeAt(t).has(setOffline) || fs.down(t)
}

// rebootTime is the configured time a reboot keeps a miner unreachable.
func (s *Sim) rebootTime() float64 {
	if s.cfg.RebootTime > 0 {
		return s.cfg.RebootTime.Seconds()
	}
	return DefaultRebootTime.Seconds()
}

// defaultSettings are m's settings before anyone writes to it, matching
// what its replies show: the seed's pool and its backup, nominal clock.
func defaultSettings(m *miner) MinerSettings {
	pool := simPools[m.pool]
	user := "hearth." + m.name
	st := MinerSettings{Mode: ModeNormal, FrequencyMHz: m.model.frequency}
	if m.model.Family == hearth.FamilyAxeOS {
		st.Pools = []PoolSetting{
			{URL: pool.host, Port: simPoolPort, User: user, Password: "x"},
			{URL: pool.backup, Port: simPoolPort, User: user, Password: "x"},
		}
		st.CoreVoltageMV = axeOSVoltage
		st.FanPercent = 100
		return st
	}
	url := func(host string) string { return fmt.Sprintf("stratum+tcp://%s:%d", host, simPoolPort) }
	st.Pools = []PoolSetting{
		{URL: url(pool.host), User: user, Password: "x"},
		{URL: url(pool.backup), User: user, Password: "x"},
		{URL: url(pool.backup), User: user, Password: "x"},
	}
	st.FanPercent = 100
	switch m.model.Family {
	case hearth.FamilyLuxOS:
		st.Profile = luxDefaultProfile
		st.ATM = true
	case hearth.FamilyVNish:
		st.Preset = vnishPresetStock
	case hearth.FamilyEPIC:
		st.FanTargetTemp, st.FanIdleSpeed = epicDefaultTargetTemp, epicDefaultIdleSpeed
	}
	if m.model.bos != nil {
		st.Pools = st.Pools[:2] // Braiins OS ships one group: pool and backup
		st.PowerTargetW = int(m.model.Power)
	}
	if m.model.avalon != nil {
		st.WorkLevel = m.model.avalon.defaultLevel
	}
	if m.model.Family == hearth.FamilyWhatsminer {
		st.PowerLimitW = m.model.wmPowerLimit
	}
	return st
}

// control returns m's control state, allocating it on first use.
func (m *miner) control() *minerControl {
	if c := m.ctl.Load(); c != nil {
		return c
	}
	c := &minerControl{settings: defaultSettings(m)}
	if m.ctl.CompareAndSwap(nil, c) {
		return c
	}
	return m.ctl.Load()
}

// settingsAt returns m's settings at sim time t without allocating.
func (m *miner) settingsAt(t float64) MinerSettings {
	c := m.ctl.Load()
	if c == nil {
		return defaultSettings(m)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.settings.clone()
	if m.model.Family == hearth.FamilyAxeOS {
		st.Locate = t < c.identifyUntil
	}
	return st
}

// Settings returns what is configured on miner i now: the ground truth a
// driver's writes are checked against. It panics if there is no miner i,
// like an index out of range.
func (s *Sim) Settings(i int) MinerSettings {
	m, t := s.miners[i], s.elapsed()
	if m.model.Family == hearth.FamilyAvalon {
		s.avalonDue(m, t) // a softoff whose time has come is in force
	}
	return m.settingsAt(t)
}

// write applies change to m's settings under its lock at sim time t and
// publishes the physics they imply. When reboot is true the mining process
// restarts: the miner is unreachable for the reboot time, and its uptime
// and share counters start again from zero after it.
func (s *Sim) write(m *miner, t float64, reboot bool, change func(c *minerControl)) {
	c := m.control()
	c.mu.Lock()
	defer c.mu.Unlock()
	change(c)
	st := &c.settings
	if reboot {
		st.Reboots++
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	old := m.faults.Load()
	acc, rej := m.shareCounts(old, t)
	next := faultState{baseT: t, baseAcc: acc, baseRej: rej}
	if old != nil {
		next.faults = old.faults
		next.ctl = old.ctl
	}
	if !next.ctl.set {
		next.ctl = controlPhysics{set: true, bootT: -1}
	}
	if reboot {
		up := t + s.rebootTime()
		next.ctl.downUntil = up
		next.ctl.bootT = up
		next.baseT, next.baseAcc, next.baseRej = up, 0, 0
		c.identifyUntil = 0
		st.Locate = false
		st.Paused = false    // ESP-Miner does not keep a pause across restarts
		c.lux = luxSession{} // a restart of LUXminer ends its session
		c.wm = wmTokens{}    // and of btminer forgets its tokens
	} else if next.ctl.downUntil > t {
		next.baseT = next.ctl.downUntil
	}
	next.ctl.workMul, next.ctl.freqMul, next.ctl.idle = workOf(m.model, st)
	m.faults.Store(&next)
}

// workOf returns the hash-rate and clock multipliers of settings st on
// model, and whether the miner is idle.
func workOf(model *Model, st *MinerSettings) (work, freq float64, idle bool) {
	if model.Family == hearth.FamilyAxeOS {
		freq = st.FrequencyMHz / model.frequency
		if st.Paused {
			return 0, freq, true
		}
		return freq, freq, false
	}
	if model.avalon != nil {
		share := model.avalon.share(st.WorkLevel)
		if st.Paused {
			return 0, share, true // soft-off: standby, not hashing
		}
		return share, share, false
	}
	if model.Family == hearth.FamilyLuxOS {
		freq = 1
		if p, ok := luxProfileNamed(model, st.Profile); ok {
			freq = p.freq / model.frequency
		}
		if st.Mode == ModeSleep {
			return 0, freq, true
		}
		return freq, freq, false
	}
	if model.bos != nil {
		return bosWorkOf(model, st)
	}
	if model.Family == hearth.FamilyVNish || model.Family == hearth.FamilyEPIC {
		work = 1
		if model.Family == hearth.FamilyVNish {
			work = vnishPresetWork(model, st.Preset)
		}
		if st.Paused {
			return 0, work, true
		}
		return work, work, false
	}
	if model.Family == hearth.FamilyWhatsminer {
		return wmWorkOf(model, st)
	}
	switch st.Mode {
	case ModeSleep:
		return 0, 1, true
	case ModeLowPower:
		return lowPowerFactor, lowPowerFactor, false
	}
	return 1, 1, false
}

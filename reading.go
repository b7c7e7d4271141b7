package hearth

import "time"

// Reading is everything one poll of one miner returned, in base units.
//
// A value the firmware does not report is left at zero and, where zero is a
// plausible real value, marked by a flag (PowerEstimated) or by the absence
// of the board, fan or pool. When one command of a poll fails, the rest of
// the reading is still filled and the failure is listed in PollErrors.
type Reading struct {
	MinerID string    `json:"miner_id"`
	Time    time.Time `json:"time"`
	// Latency is the network round trip to the miner's management
	// interface: the shortest time to first byte among the poll's requests.
	Latency time.Duration `json:"latency_ns"`

	// HashRate is the current hash rate in hashes per second.
	HashRate float64 `json:"hashrate_hs"`
	// HashRateAvg is the average since the mining process started, H/s.
	HashRateAvg float64 `json:"hashrate_avg_hs,omitempty"`
	// IdealHashRate is the rate the firmware expects at its settings, H/s.
	IdealHashRate float64 `json:"ideal_hashrate_hs,omitempty"`

	// Power is the electrical power drawn at the wall, in watts.
	Power float64 `json:"power_w"`
	// PowerEstimated is true when the firmware does not report power and
	// Power was estimated from the model's nameplate efficiency and the
	// measured hash rate.
	PowerEstimated bool `json:"power_estimated,omitempty"`
	// PowerLimit is the configured power limit in watts, zero if unknown.
	PowerLimit float64 `json:"power_limit_w,omitempty"`

	// Uptime is how long the mining process has run.
	Uptime time.Duration `json:"uptime_ns"`

	// Accepted and Rejected count shares since the mining process started.
	Accepted       uint64 `json:"accepted"`
	Rejected       uint64 `json:"rejected"`
	HardwareErrors uint64 `json:"hardware_errors,omitempty"`

	// Paused is true when the miner reports that mining is paused or asleep.
	Paused bool `json:"paused,omitempty"`

	Boards []Board `json:"boards,omitempty"`
	Fans   []Fan   `json:"fans,omitempty"`
	Pools  []Pool  `json:"pools,omitempty"`

	// Errors are faults the firmware itself reports (a dead board, an
	// overheat), in its words.
	Errors []string `json:"errors,omitempty"`
	// PollErrors are the commands of this poll that failed, each with why.
	PollErrors []string `json:"poll_errors,omitempty"`
}

// Board is one hashboard (a chain of ASIC chips).
type Board struct {
	// Index is the board's position, counted from 0 in the order the
	// firmware lists its populated slots.
	Index         int     `json:"index"`
	HashRate      float64 `json:"hashrate_hs"`
	IdealHashRate float64 `json:"ideal_hashrate_hs,omitempty"`
	// ChipTemp is the hottest chip temperature the board reports, °C.
	ChipTemp float64 `json:"chip_temp_c"`
	// BoardTemp is the PCB temperature, °C.
	BoardTemp float64 `json:"board_temp_c,omitempty"`
	// InletTemp and OutletTemp are the coldest and hottest PCB sensors
	// where the firmware reports several, °C.
	InletTemp  float64 `json:"inlet_temp_c,omitempty"`
	OutletTemp float64 `json:"outlet_temp_c,omitempty"`
	// VRTemp is the voltage regulator's temperature, °C, where the
	// firmware reports it (AxeOS); regulators run hotter than PCBs and have
	// limits of their own.
	VRTemp float64 `json:"vr_temp_c,omitempty"`
	// Chips is the number of chips the board answers with; ExpectedChips
	// the number the model has; FailedChips those marked bad.
	Chips         int     `json:"chips"`
	ExpectedChips int     `json:"expected_chips,omitempty"`
	FailedChips   int     `json:"failed_chips,omitempty"`
	FrequencyMHz  float64 `json:"frequency_mhz,omitempty"`
	HardwareErrs  uint64  `json:"hardware_errors,omitempty"`
}

// Fan is one fan.
type Fan struct {
	// Index is the fan's number as the firmware counts it, from 0.
	Index int `json:"index"`
	// Name says where the fan sits on the machine, from the model's fan
	// layout (FanName): "intake", "exhaust", "fan" for a single fan, or
	// "fan1".."fanN" after the firmware's own 1-based numbering where the
	// model's layout is not known. The UI and the metrics' fan label show
	// it, so that a technician finds the fan without counting from 0.
	Name string `json:"name,omitempty"`
	// RPM is the measured speed; Percent the commanded duty, if reported.
	RPM     float64 `json:"rpm"`
	Percent float64 `json:"percent,omitempty"`
}

// Pool is one configured mining pool as the miner reports it.
type Pool struct {
	Index  int    `json:"index"`
	URL    string `json:"url"`
	User   string `json:"user,omitempty"`
	Status string `json:"status"` // alive, dead, disabled, rejecting, unknown
	Active bool   `json:"active"`
	// Priority orders the pools; 0 is tried first.
	Priority int    `json:"priority"`
	Accepted uint64 `json:"accepted"`
	Rejected uint64 `json:"rejected"`
}

// Efficiency returns joules per terahash (W per TH/s), or zero when either
// power or hash rate is unknown.
func (r *Reading) Efficiency() float64 {
	if r.Power <= 0 || r.HashRate <= 0 {
		return 0
	}
	return r.Power / (r.HashRate / 1e12)
}

// HottestChip returns the highest chip temperature over all boards, °C.
func (r *Reading) HottestChip() float64 {
	var max float64
	for _, b := range r.Boards {
		if b.ChipTemp > max {
			max = b.ChipTemp
		}
	}
	return max
}

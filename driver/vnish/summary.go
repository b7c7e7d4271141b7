package vnish

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

const pathSummary = apiPrefix + "/summary"

// summary is GET /api/v1/summary (spec schema Summary): {"miner": stats},
// where miner is null while the mining process is not running.
type summary struct {
	Miner *minerStats `json:"miner"`
}

// minerStats is the part of the spec's AntmMinerStats hearth reads. Hash
// rates are in the unit /info names (GH/s on SHA-256 machines), power in
// watts, temperatures in °C.
type minerStats struct {
	MinerType   string `json:"miner_type"`
	MinerStatus struct {
		// MinerState is mining, initializing, starting, auto-tuning,
		// restarting, shutting-down, stopped or failure.
		MinerState string `json:"miner_state"`
		// MinerStateTime is the seconds spent in the current state.
		MinerStateTime float64  `json:"miner_state_time"`
		Description    *string  `json:"description"`
		FailureCode    *float64 `json:"failure_code"`
	} `json:"miner_status"`
	HrRealtime       float64 `json:"hr_realtime"`
	HrAverage        float64 `json:"hr_average"`
	HrNominal        float64 `json:"hr_nominal"`
	HwErrors         float64 `json:"hw_errors"`
	PowerConsumption float64 `json:"power_consumption"`
	Cooling          struct {
		FanDuty float64 `json:"fan_duty"`
		Fans    []struct {
			ID     float64 `json:"id"`
			RPM    float64 `json:"rpm"`
			Status string  `json:"status"`
		} `json:"fans"`
	} `json:"cooling"`
	Chains []chain    `json:"chains"`
	Pools  []poolStat `json:"pools"`
}

// tempRange is the spec's TempRange: the coldest and hottest sensor.
type tempRange struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// chain is one hashboard (spec schema AntmBoard).
type chain struct {
	ID            float64   `json:"id"`
	Frequency     float64   `json:"frequency"`
	HashrateRt    float64   `json:"hashrate_rt"`
	HashrateIdeal float64   `json:"hashrate_ideal"`
	HwErrors      float64   `json:"hw_errors"`
	PcbTemp       tempRange `json:"pcb_temp"`
	ChipTemp      tempRange `json:"chip_temp"`
	ChipStatuses  struct {
		// Red counts failed chips; orange and grey ones that are weak
		// or not measured.
		Red float64 `json:"red"`
	} `json:"chip_statuses"`
	Status struct {
		// State is initializing, mining, stopped, failure,
		// disconnected, disabled or unknown.
		State       string  `json:"state"`
		Description *string `json:"description"`
	} `json:"status"`
}

// poolStat is one pool (spec schema PoolStats).
type poolStat struct {
	ID     float64 `json:"id"`
	URL    string  `json:"url"`
	User   string  `json:"user"`
	Status string  `json:"status"`
	// PoolType is UserPool, DevFee or Refund; only the user's pools are
	// reported, as the firmware's own fee pool is not the user's to manage.
	PoolType string  `json:"pool_type"`
	Accepted float64 `json:"accepted"`
	Rejected float64 `json:"rejected"`
}

// decodeSummary parses a /summary body.
func decodeSummary(b []byte) (*summary, error) {
	var probe struct {
		Miner json.RawMessage `json:"miner"`
	}
	if err := decode(pathSummary, b, &probe); err != nil {
		return nil, err
	}
	if probe.Miner == nil {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "Miner's reply to %s is JSON but not VNish's summary (no \"miner\").", pathSummary)
	}
	var s summary
	if err := decode(pathSummary, b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// reading maps s to a hearth reading; unit is hashes per second per unit of
// the reported hash rates.
func (s *summary) reading(unit float64) *hearth.Reading {
	r := &hearth.Reading{}
	m := s.Miner
	if m == nil {
		r.Paused = true
		r.Errors = append(r.Errors, "VNish reports no running miner process.")
		return r
	}
	r.HashRate = hashRate(m.HrRealtime, unit)
	r.HashRateAvg = hashRate(m.HrAverage, unit)
	r.IdealHashRate = hashRate(m.HrNominal, unit)
	r.Power = nonNegative(m.PowerConsumption)
	r.HardwareErrors = count(m.HwErrors)

	st := m.MinerStatus
	switch st.MinerState {
	case "mining":
		r.Uptime = seconds(st.MinerStateTime)
	case "stopped":
		r.Paused = true
	case "failure":
		msg := "Miner failure"
		if st.Description != nil && *st.Description != "" {
			msg += ": " + *st.Description
		}
		if st.FailureCode != nil {
			msg += fmt.Sprintf(" (code %d)", int64(clamp(*st.FailureCode)))
		}
		r.Errors = append(r.Errors, msg)
	}

	var sum float64
	for _, c := range m.Chains {
		state := c.Status.State
		if state == "disabled" {
			continue
		}
		b := hearth.Board{
			Index:         len(r.Boards),
			HashRate:      hashRate(c.HashrateRt, unit),
			IdealHashRate: hashRate(c.HashrateIdeal, unit),
			ChipTemp:      nonNegative(c.ChipTemp.Max),
			BoardTemp:     nonNegative(c.PcbTemp.Max),
			InletTemp:     nonNegative(c.PcbTemp.Min),
			OutletTemp:    nonNegative(c.PcbTemp.Max),
			FailedChips:   int(count(math.Min(c.ChipStatuses.Red, math.MaxInt32))),
			FrequencyMHz:  nonNegative(c.Frequency),
			HardwareErrs:  count(c.HwErrors),
		}
		sum += b.HashRate
		r.Boards = append(r.Boards, b)
		if state == "failure" || state == "disconnected" {
			msg := fmt.Sprintf("Chain %d: %s", int64(clamp(c.ID)), state)
			if c.Status.Description != nil && *c.Status.Description != "" {
				msg += ": " + *c.Status.Description
			}
			r.Errors = append(r.Errors, msg)
		}
	}
	if r.HashRate == 0 {
		r.HashRate = sum
	}

	for i, f := range m.Cooling.Fans {
		r.Fans = append(r.Fans, hearth.Fan{Index: i, RPM: nonNegative(f.RPM), Percent: math.Min(nonNegative(m.Cooling.FanDuty), 100)})
		if f.Status == "lost" {
			r.Errors = append(r.Errors, fmt.Sprintf("Fan %d lost", int64(clamp(f.ID))))
		}
	}

	for _, p := range m.Pools {
		if p.PoolType != "" && p.PoolType != "UserPool" {
			continue
		}
		pool := hearth.Pool{
			Index:    len(r.Pools),
			URL:      p.URL,
			User:     p.User,
			Status:   poolStatus(p.Status),
			Active:   p.Status == "active",
			Priority: len(r.Pools),
			Accepted: count(p.Accepted),
			Rejected: count(p.Rejected),
		}
		r.Accepted += pool.Accepted
		r.Rejected += pool.Rejected
		r.Pools = append(r.Pools, pool)
	}
	return r
}

// poolStatus maps VNish's pool status to hearth's words.
func poolStatus(s string) string {
	switch strings.ToLower(s) {
	case "active", "working":
		return "alive"
	case "offline":
		return "dead"
	case "disabled":
		return "disabled"
	case "rejecting":
		return "rejecting"
	}
	return "unknown"
}

// nonNegative returns v, or zero for negative values (sensors not read).
func nonNegative(v float64) float64 {
	if v > 0 && !math.IsInf(v, 0) {
		return v
	}
	return 0
}

// count returns v as a non-negative integer count.
func count(v float64) uint64 {
	switch {
	case !(v > 0):
		return 0
	case v >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(v)
}

// clamp keeps v within int32 so that conversions to integers are defined.
func clamp(v float64) float64 {
	return math.Max(math.MinInt32, math.Min(v, math.MaxInt32))
}

// seconds converts a non-negative number of seconds to a duration, capped
// at a century so that a hostile value cannot overflow.
func seconds(v float64) time.Duration {
	const maxSecs = 100 * 365 * 24 * 3600
	if !(v > 0) {
		return 0
	}
	return time.Duration(math.Min(v, maxSecs) * float64(time.Second))
}

// maxHashRate bounds a believable hash rate: 1e21 H/s is a thousand times
// the whole Bitcoin network. A larger figure is garbage, not a reading.
const maxHashRate = 1e21

// hashRate converts a reported rate to hashes per second, reading garbage
// (negative, overflowing, beyond maxHashRate) as unknown.
func hashRate(v, unit float64) float64 {
	h := nonNegative(v) * unit
	if math.IsInf(h, 0) || math.IsNaN(h) || h > maxHashRate {
		return 0
	}
	return h
}

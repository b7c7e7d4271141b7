package http

import (
	"time"

	"github.com/hearth-fleet/hearth"
)

// StatusSummary is a miner's live state as lists and tables show it: the
// poller's verdict plus the handful of figures a fleet table has columns
// for.
//
// The figures come from the latest reading only while the miner is online.
// An offline miner keeps its last reading in the poller (the detail endpoint
// returns it, with its time) but its summary shows zeros, so that no list,
// total or sort ever presents an old value as current.
type StatusSummary struct {
	State     hearth.MinerState `json:"state"`
	LastSeen  time.Time         `json:"last_seen,omitzero"`
	LastPoll  time.Time         `json:"last_poll,omitzero"`
	LastError string            `json:"last_error,omitempty"`
	ErrorCode string            `json:"error_code,omitempty"`
	Failures  int               `json:"failures,omitempty"`

	HashRate       float64 `json:"hashrate_hs"`
	Power          float64 `json:"power_w"`
	PowerEstimated bool    `json:"power_estimated,omitempty"`
	Efficiency     float64 `json:"efficiency_j_per_th"`
	HottestChip    float64 `json:"hottest_chip_c"`
	Paused         bool    `json:"paused,omitempty"`
}

// summarize condenses the poller's status into a StatusSummary.
func summarize(st hearth.MinerStatus) StatusSummary {
	sum := StatusSummary{
		State:     st.State,
		LastSeen:  st.LastSeen,
		LastPoll:  st.LastPoll,
		LastError: st.LastError,
		ErrorCode: st.ErrorCode,
		Failures:  st.Failures,
	}
	if sum.State == "" {
		sum.State = hearth.StateUnknown
	}
	if r := st.Latest; r != nil && sum.State == hearth.StateOnline {
		sum.HashRate = r.HashRate
		sum.Power = r.Power
		sum.PowerEstimated = r.PowerEstimated && r.Power > 0
		sum.Efficiency = r.Efficiency()
		sum.HottestChip = r.HottestChip()
		sum.Paused = r.Paused
	}
	return sum
}

package hearth

import (
	"context"
	"time"
)

// MinerState is what hearth knows of a miner right now.
type MinerState string

const (
	// StateUnknown means the miner has not been polled yet.
	StateUnknown MinerState = "unknown"
	// StateOnline means the last poll got a reading.
	StateOnline MinerState = "online"
	// StateOffline means the last poll got nothing: the miner did not
	// answer, refused, or answered garbage.
	StateOffline MinerState = "offline"
)

// MinerStatus is the poller's view of one miner: its state, when it was last
// seen, why the last poll failed, and the latest reading. A miner that stops
// answering keeps its last reading for reference but shows StateOffline and
// its LastSeen time; the values are never presented as current.
type MinerStatus struct {
	MinerID   string     `json:"miner_id"`
	State     MinerState `json:"state"`
	LastSeen  time.Time  `json:"last_seen,omitzero"`
	LastPoll  time.Time  `json:"last_poll,omitzero"`
	LastError string     `json:"last_error,omitempty"`
	// ErrorCode is the hearth error code of LastError, for filtering.
	ErrorCode string `json:"error_code,omitempty"`
	// Failures counts consecutive failed polls.
	Failures int      `json:"failures,omitempty"`
	Latest   *Reading `json:"latest,omitempty"`
}

// StatusService reports the live state of miners.
type StatusService interface {
	// MinerStatus returns the status of one miner; a miner never polled has
	// StateUnknown.
	MinerStatus(id string) MinerStatus
}

// ReadingSink receives every reading the poller takes. The metrics store is
// one; tests use others.
type ReadingSink interface {
	// StoreReading records r for miner m. It must be safe for concurrent use.
	StoreReading(ctx context.Context, m *Miner, r *Reading) error
}

package hearth

import (
	"context"
	"time"
)

// JournalState is where a journalled command is in its life.
type JournalState string

// The states of a journal entry. The order of writes is what makes a crash
// harmless: an entry is written pending before anything else, marked sent
// just before the driver is called, and marked applied or failed after.
// So after a crash a pending entry was certainly never transmitted, and a
// sent one may or may not have reached the miner.
const (
	JournalPending JournalState = "pending"
	JournalSent    JournalState = "sent"
	JournalApplied JournalState = "applied"
	JournalFailed  JournalState = "failed"
)

// Done reports whether s is final.
func (s JournalState) Done() bool { return s == JournalApplied || s == JournalFailed }

// Idempotent reports whether applying v twice has the effect of applying it
// once. A command whose fate a crash left unknown is re-evaluated when its
// verb is idempotent, and never sent again when it is not (a second reboot
// is a second outage).
func (v Verb) Idempotent() bool {
	return v != VerbReboot && v != VerbRestart
}

// JournalEntry is one command to one miner, kept in the store so that a
// restart knows what was in flight.
type JournalEntry struct {
	ID      int64  `json:"id"`
	MinerID string `json:"miner_id"`
	// Action is the command, redacted: the journal never holds a pool
	// password, so a command is re-derived from the desired state rather
	// than replayed from here.
	Action     Action       `json:"action"`
	Idempotent bool         `json:"idempotent"`
	State      JournalState `json:"state"`
	// Attempts counts the sends to the miner.
	Attempts int `json:"attempts"`
	// Actor says who asked: "reconciler", or the user of a one-off action.
	Actor string `json:"actor"`
	// Error and Code are the last failure.
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
	// UptimeAtSend is the miner's uptime in the last reading before the
	// send, so that a reboot can be recognised after a restart.
	UptimeAtSend time.Duration `json:"uptime_at_send_ns,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	SentAt       time.Time     `json:"sent_at,omitzero"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// JournalFilter chooses journal entries.
type JournalFilter struct {
	MinerID string
	// States, when not empty, returns only entries in these states.
	States []JournalState
	// Limit caps the entries returned (0: 1000).
	Limit int
	// Newest takes the newest Limit entries rather than the oldest, still
	// returned oldest first: a miner's recent history, whatever its age.
	Newest bool
}

// Journal is the command journal.
type Journal interface {
	// AddJournalEntry stores e (its action redacted) in state pending and
	// sets its ID and timestamps.
	AddJournalEntry(ctx context.Context, e *JournalEntry) error
	// UpdateJournalEntry stores e's state, attempts, error, send time and
	// uptime, and sets UpdatedAt. ENOTFOUND when e.ID is unknown.
	UpdateJournalEntry(ctx context.Context, e *JournalEntry) error
	// FindJournal returns the entries f chooses, oldest first.
	FindJournal(ctx context.Context, f JournalFilter) ([]*JournalEntry, error)
}

package hearth

import (
	"context"
	"time"
)

// AlertEvent is one change of an alert's state, kept in the alert
// history: it fired, or it resolved, with the alert's labels and times.
type AlertEvent struct {
	ID          int64             `json:"id"`
	Fingerprint string            `json:"fingerprint"`
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// State is AlertFiring or AlertResolved.
	State AlertState `json:"state"`
	Value float64    `json:"value"`
	// At is when the change happened: FiredAt or ResolvedAt.
	At       time.Time `json:"at"`
	ActiveAt time.Time `json:"active_at,omitzero"`
}

// AlertHistoryFilter narrows FindAlertHistory.
type AlertHistoryFilter struct {
	// Since and Until bound At; zero is unbounded.
	Since, Until time.Time
	// Name keeps one alert name.
	Name string
	// Open keeps only the latest event of each alert whose latest event
	// is a firing one: the alerts firing now.
	Open bool
	// Limit caps the events returned, newest first; 0 means 1000.
	Limit int
}

// AlertHistoryService keeps the alert history.
type AlertHistoryService interface {
	// RecordAlertEvents appends events and sets their IDs.
	RecordAlertEvents(ctx context.Context, events []*AlertEvent) error
	// FindAlertHistory returns events, newest first.
	FindAlertHistory(ctx context.Context, f AlertHistoryFilter) ([]*AlertEvent, error)
	// PruneAlertHistory removes the events older than before, keeping
	// the latest event of each alert still firing, and returns how many
	// it removed.
	PruneAlertHistory(ctx context.Context, before time.Time) (int64, error)
}

package http

import (
	"context"
	"net/http"
	"time"
)

// SystemStatus is hearth's report on itself at GET /api/v1/status, so that
// an operator sees what the server is holding without shell access to it.
type SystemStatus struct {
	// Now is the server's clock.
	Now time.Time `json:"now"`
	// Storage is the metrics store's use of the disk; absent when the
	// server keeps no metrics.
	Storage *StorageStatus `json:"storage,omitempty"`
}

// StorageStatus is the metrics store's disk use by tier: every sample as
// polled (raw) and the 5-minute rollups that serve long ranges.
type StorageStatus struct {
	Raw    TierStorage `json:"raw"`
	Rollup TierStorage `json:"rollup"`
}

// TierStorage is what one tier of the metrics store holds.
type TierStorage struct {
	// Bytes is the tier's size on disk.
	Bytes int64 `json:"bytes"`
	// Oldest is its oldest sample, how far back its queries reach;
	// absent when it is empty.
	Oldest time.Time `json:"oldest,omitzero"`
	// RetentionSeconds is how long it keeps samples.
	RetentionSeconds float64 `json:"retention_seconds"`
}

// StorageFunc reports the metrics store's disk use; see Server.Storage.
type StorageFunc func(ctx context.Context) StorageStatus

// Status returns the server's report on itself.
func (c *Client) Status(ctx context.Context) (*SystemStatus, error) {
	var out SystemStatus
	return &out, c.do(ctx, http.MethodGet, "/api/v1/status", nil, &out)
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	out := SystemStatus{Now: s.now()}
	if s.Storage != nil {
		st := s.Storage(r.Context())
		out.Storage = &st
	}
	writeJSON(w, http.StatusOK, out)
}

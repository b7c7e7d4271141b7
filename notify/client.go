package notify

import (
	"net/http"
	"time"
)

// newClient returns the HTTP client of one receiver, each request bound
// by timeout so that a receiver that accepts and never answers costs one
// attempt, not a worker.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout}
}

package notify

import (
	"net/http"
	"time"
)

// newClient returns the HTTP client of one receiver: bounded by timeout,
// and not following redirects to other hosts' schemes blindly (the
// standard policy of at most 10 redirects applies).
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout}
}

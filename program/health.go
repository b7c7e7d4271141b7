package program

import (
	"sync"
	"time"
)

// Health is what a runner tells its Manager about its source: when it
// last heard from it, and the last error. The Manager applies the
// program's fail mode when the source has been silent for longer than the
// program allows.
type Health struct {
	mu          sync.Mutex
	started     time.Time
	lastContact time.Time
	lastError   string
	lastErrorAt time.Time
}

// Contact records that the runner heard from its source at t.
func (h *Health) Contact(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.lastContact) {
		h.lastContact = t
	}
}

// Failed records that reaching the source failed at t with err.
func (h *Health) Failed(t time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastError, h.lastErrorAt = err.Error(), t
}

// silentSince returns since when the source has been silent: its last
// contact, or the runner's start when it never answered.
func (h *Health) silentSince() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lastContact.IsZero() {
		return h.started
	}
	return h.lastContact
}

// snapshot returns the last contact and error.
func (h *Health) snapshot() (contact time.Time, lastErr string, lastErrAt time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastContact, h.lastError, h.lastErrorAt
}

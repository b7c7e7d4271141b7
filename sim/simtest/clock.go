package simtest

import (
	"sync"
	"time"
)

// Clock is a settable clock for sim.Config.Now and for a driver's clock:
// with both on the same Clock, a reading and the raw reply it is checked
// against come from the same instant, and a reboot or a scheduled action
// happens when the test advances the time, not when the wall clock does.
// It is safe for use by the simulator's goroutines and the test at once.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start until it is advanced.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time; pass the method value as a Now function.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

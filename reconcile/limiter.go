package reconcile

import (
	"context"
	"sync"
	"time"
)

// siteLimiter holds back the commands of one site: at most batch in flight
// at once, and a new batch of batch commands starts no sooner than stagger
// after the previous one did, so that a site's power draw and its network
// are never hit by the whole fleet at once.
type siteLimiter struct {
	slots chan struct{}

	mu          sync.Mutex
	batch       int
	stagger     time.Duration
	started     int // commands started in the current batch
	batchStart  time.Time
	inFlight    int
	maxInFlight int
}

func newSiteLimiter(batch int, stagger time.Duration) *siteLimiter {
	return &siteLimiter{slots: make(chan struct{}, batch), batch: batch, stagger: stagger}
}

// acquire waits for a slot (and for the stagger when the batch is full)
// and takes it; release gives it back.
func (l *siteLimiter) acquire(ctx context.Context, clock Clock) error {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clock.Now()
	if l.started >= l.batch {
		if wait := l.batchStart.Add(l.stagger).Sub(now); wait > 0 {
			if err := clock.Sleep(ctx, wait); err != nil {
				<-l.slots
				return err
			}
			now = clock.Now()
		}
		l.started = 0
	}
	if l.started == 0 {
		l.batchStart = now
	}
	l.started++
	l.inFlight++
	l.maxInFlight = max(l.maxInFlight, l.inFlight)
	return nil
}

func (l *siteLimiter) release() {
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
	<-l.slots
}

// Clock is the time source of the reconciler, replaceable in tests.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

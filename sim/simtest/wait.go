package simtest

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Poller is the part of a hearth driver that reads a miner, all that the
// helpers here need of one.
type Poller interface {
	Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error)
}

// Must fails the test at once when err, the result of the step what, is
// not nil: the steps after a failed write or read would only report its
// consequences.
func Must(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// MustPoll polls target with d and returns the reading, failing the test
// at once when the poll fails.
func MustPoll(tb testing.TB, ctx context.Context, d Poller, target hearth.Target) *hearth.Reading {
	tb.Helper()
	r, err := d.Poll(ctx, target)
	if err != nil {
		tb.Fatalf("poll: %v", err)
	}
	return r
}

// backTimeout is how long a simulated miner may take to come back from a
// reboot before a test gives up; the simulators in tests reboot in well
// under a second of wall time.
const backTimeout = 5 * time.Second

// RetryUntilBack runs a write, retrying every 100 ms for up to 5 s while
// the miner is still down from an earlier reboot, and returns the last
// error. A refused password (EAUTH) is returned at once: waiting does not
// change it.
func RetryUntilBack(run func() error) error {
	deadline := time.Now().Add(backTimeout)
	for {
		err := run()
		if err == nil || time.Now().After(deadline) || hearth.ErrorCode(err) == hearth.EAUTH {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PollUntilBack polls target with d every 100 ms until a whole reading
// (no poll errors) comes back after a reboot, and returns it; the test
// fails when none comes within 5 s.
func PollUntilBack(tb testing.TB, d Poller, target hearth.Target) *hearth.Reading {
	tb.Helper()
	deadline := time.Now().Add(backTimeout)
	for {
		r, err := d.Poll(context.Background(), target)
		if err == nil && len(r.PollErrors) == 0 {
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("miner not back after a reboot: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

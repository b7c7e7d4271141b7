package poller_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/poller"
)

// recordingSink counts what it is given and fails when told to.
type recordingSink struct {
	readings int
	err      error
}

func (s *recordingSink) StoreReading(context.Context, *hearth.Miner, *hearth.Reading) error {
	s.readings++
	return s.err
}

// downSink also records failed polls.
type downSink struct {
	recordingSink
	downs int
}

func (s *downSink) StoreDown(context.Context, *hearth.Miner, time.Time) error {
	s.downs++
	return nil
}

func TestSinks(t *testing.T) {
	ctx := context.Background()
	failing := &recordingSink{err: errors.New("disk full")}
	down := &downSink{}
	sinks := poller.Sinks{failing, down}
	m := &hearth.Miner{ID: "m1"}
	if err := sinks.StoreReading(ctx, m, &hearth.Reading{}); err == nil || failing.readings != 1 || down.readings != 1 {
		t.Fatalf("err=%v, readings %d and %d: every sink must get the reading and the failure be returned", err, failing.readings, down.readings)
	}
	if err := sinks.StoreDown(ctx, m, time.Now()); err != nil || down.downs != 1 {
		t.Fatalf("StoreDown err=%v, downs=%d", err, down.downs)
	}
}

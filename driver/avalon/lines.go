package avalon

import (
	"context"
	"sync"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// lines queues the commands to each miner: Avalon's API answers one request
// at a time and misbehaves (drops or mixes replies) when a second
// connection arrives while it handles the first. Each address has a
// one-slot semaphore; waiting for it honours the caller's context.
type lines struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
}

// acquire waits for addr's slot and returns the function that frees it.
func (l *lines) acquire(ctx context.Context, addr string) (release func(), err error) {
	l.mu.Lock()
	if l.slots == nil {
		l.slots = map[string]chan struct{}{}
	}
	slot, ok := l.slots[addr]
	if !ok {
		slot = make(chan struct{}, 1)
		l.slots[addr] = slot
	}
	l.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// command sends one command to addr once no other command to addr is in
// flight.
func (d *Driver) command(ctx context.Context, addr, command, parameter string) (*cgminer.Reply, error) {
	release, err := d.lines.acquire(ctx, addr)
	if err != nil {
		code := hearth.ETIMEOUT
		if err == context.Canceled {
			code = hearth.EUNAVAILABLE
		}
		return nil, hearth.WrapError(code, err, "Gave up waiting for an earlier command to the miner at %s to finish.", addr)
	}
	defer release()
	return d.RPC.Command(ctx, addr, command, parameter)
}

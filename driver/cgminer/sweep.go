package cgminer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// SendFunc sends one command to addr; Client.Command is one, a driver's
// per-miner queue around it another.
type SendFunc func(ctx context.Context, addr, command, parameter string) (*Reply, error)

// Sweep is what one poll's commands brought back.
type Sweep struct {
	// Docs holds each command's reply, in the order sent; nil where the
	// command failed.
	Docs []*Document
	// Latency is the shortest time to first byte among the replies: the
	// network round trip, as hearth measures mining_network_latency_seconds.
	Latency time.Duration
	// PollErrors lists each failed command as "<command>: <why>".
	PollErrors []string
}

// SendEach sends commands one per connection, one at a time, as firmwares
// that take neither joined nor concurrent commands require. A reply cut
// short counts as a failed command: repaired, every field after the cut
// would read as zero. When a connection cannot even be made, the remaining
// commands are not tried, as nothing listens there. SendEach returns an
// error only when no command brought anything back.
func SendEach(ctx context.Context, addr string, commands []string, send SendFunc) (*Sweep, error) {
	s := &Sweep{Docs: make([]*Document, len(commands))}
	errs := make([]error, len(commands))
	for i, cmd := range commands {
		reply, err := send(ctx, addr, cmd, "")
		if err != nil {
			errs[i] = err
			if errors.Is(err, ErrConnect) {
				for j := i + 1; j < len(errs); j++ {
					errs[j] = err
				}
				break
			}
			continue
		}
		if reply.Truncated() {
			errs[i] = hearth.Errorf(hearth.EPROTOCOL, "Reply was cut short.")
			continue
		}
		s.Docs[i] = &reply.Document
		if s.Latency == 0 || reply.FirstByte < s.Latency {
			s.Latency = reply.FirstByte
		}
	}
	var first error
	for i, err := range errs {
		if err == nil {
			continue
		}
		if first == nil {
			first = err
		}
		s.PollErrors = append(s.PollErrors, commands[i]+": "+hearth.ErrorMessage(err))
	}
	for _, d := range s.Docs {
		if d != nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("poll %s: %w", addr, first)
}

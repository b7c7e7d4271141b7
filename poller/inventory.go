package poller

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MinerService wraps the inventory so that the poller follows it: a miner
// added through it is polled from then on, an updated one is polled with
// its new details, and a removed one is no longer polled.
type MinerService struct {
	hearth.MinerService
	Poller *Poller
}

// CreateMiner adds m to the inventory and starts polling it. A miner
// needs a family hearth has a driver for, and its port is stored as the
// family's default when not given, so that the same machine added twice,
// once with its port and once without, is recognised as one.
func (s *MinerService) CreateMiner(ctx context.Context, m *hearth.Miner) error {
	if err := s.normalize(m); err != nil {
		return err
	}
	if err := s.MinerService.CreateMiner(ctx, m); err != nil {
		return err
	}
	s.Poller.Add(m)
	return nil
}

// UpdateMiner stores m and polls it with its new details.
func (s *MinerService) UpdateMiner(ctx context.Context, m *hearth.Miner) error {
	if err := s.normalize(m); err != nil {
		return err
	}
	if err := s.MinerService.UpdateMiner(ctx, m); err != nil {
		return err
	}
	s.Poller.Add(m)
	return nil
}

// DeleteMiner removes the miner, stops polling it, and ends its series in
// the metrics store (when the sink can) so that nothing of it is shown as
// current afterwards.
func (s *MinerService) DeleteMiner(ctx context.Context, id string) error {
	if err := s.MinerService.DeleteMiner(ctx, id); err != nil {
		return err
	}
	s.Poller.Remove(id)
	if f, ok := s.Poller.Sink.(Forgetter); ok {
		if err := f.ForgetMiner(ctx, id, s.Poller.now()); err != nil {
			s.Poller.logger().Warn("forget removed miner's series", "miner", id, "err", err)
		}
	}
	return nil
}

// Forgetter is implemented by sinks that can end a removed miner's series.
type Forgetter interface {
	ForgetMiner(ctx context.Context, id string, t time.Time) error
}

// normalize checks m's family against the drivers and fills its port.
func (s *MinerService) normalize(m *hearth.Miner) error {
	d, err := s.Poller.lookup(m.Family)
	if err != nil {
		return hearth.Errorf(hearth.EINVALID, "Unknown miner family %q.", m.Family)
	}
	if m.Port == 0 {
		m.Port = d.DefaultPort()
	}
	return nil
}

// Load starts polling every miner in the inventory, page by page so that a
// large fleet is never held twice in memory.
func (p *Poller) Load(ctx context.Context, svc hearth.MinerService) (int, error) {
	const page = 1000
	var n int
	for offset := 0; ; offset += page {
		miners, _, err := svc.FindMiners(ctx, hearth.MinerFilter{Limit: page, Offset: offset})
		if err != nil {
			return n, fmt.Errorf("load miners: %w", err)
		}
		for _, m := range miners {
			p.Add(m)
		}
		n += len(miners)
		if len(miners) < page {
			return n, nil
		}
	}
}

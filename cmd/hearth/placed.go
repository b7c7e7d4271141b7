package main

import (
	"context"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/poller"
)

// repollPlaced hands the poller the new details of miners a positions
// import moved, as poller.MinerService does for single updates: the poller
// keeps its own copy of each miner, and a miner's site chooses its
// credentials.
type repollPlaced struct {
	hearth.PositionService
	Miners hearth.MinerService
	Poller *poller.Poller
}

// repollPlacedBy returns positions wrapped to refresh the poller, or nil
// when the store has no position service: a nil interface, not a wrapper
// around nil, so that the HTTP server sees the feature is off rather than
// panicking on the first import.
func repollPlacedBy(positions hearth.PositionService, miners hearth.MinerService, p *poller.Poller) hearth.PositionService {
	if positions == nil {
		return nil
	}
	return &repollPlaced{PositionService: positions, Miners: miners, Poller: p}
}

// ImportPositions imports, then refreshes the poller's copy of every miner
// that changed.
func (s *repollPlaced) ImportPositions(ctx context.Context, as []*hearth.PositionAssignment, dryRun bool) (*hearth.PositionImport, error) {
	report, err := s.PositionService.ImportPositions(ctx, as, dryRun)
	if err != nil || dryRun {
		return report, err
	}
	for _, c := range report.Changes {
		m, err := s.Miners.FindMinerByID(ctx, c.MinerID)
		if err != nil {
			// The import is stored; a miner deleted meanwhile is simply gone.
			continue
		}
		s.Poller.Add(m)
	}
	return report, nil
}

package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// MetricPowerCommand is when hearth last changed a miner's power (a power
// target, a sleep or a wake), in seconds since the epoch, one sample per
// command. A hash rate that fell because hearth trimmed the miner is not
// a fault: the default MinerHashRateDrop rule leaves out miners with a
// sample in the last five minutes, the window its average spans.
const MetricPowerCommand = "hearth_power_command_timestamp_seconds"

// RecordPowerCommand notes that minerID acknowledged a power command at
// t. It is the reconciler's PowerChanged.
func (s *Store) RecordPowerCommand(ctx context.Context, minerID string, t time.Time) error {
	lset := labels.FromStrings("__name__", MetricPowerCommand, "job", s.opts.Job, "miner", minerID)
	app := s.db.AppenderV2(ctx)
	ms := t.UnixMilli()
	if _, err := app.Append(0, lset, 0, ms, float64(ms)/1000, nil, nil, storage.AOptions{}); err != nil {
		_ = app.Rollback()
		return fmt.Errorf("record power command of %s: %w", minerID, err)
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("record power command of %s: commit: %w", minerID, err)
	}
	return nil
}

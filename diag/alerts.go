package diag

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// AlertHistoryDays is how far back alerts/history.json reaches.
const AlertHistoryDays = 30

// alertScanLimit caps the fleet-wide events read to find one miner's: the
// history is filtered by miner label here, as the store filters by name
// and time only.
const alertScanLimit = 10000

// alertsPart is alerts/active.json (open: the alerts of the miner firing
// now) or alerts/history.json (every firing and resolution of the last
// AlertHistoryDays days), newest first.
func (c *collector) alertsPart(ctx context.Context, open bool) (any, int, error) {
	if c.b.AlertHistory == nil {
		return nil, 0, notEnabled("The alert history")
	}
	f := hearth.AlertHistoryFilter{Open: open, Limit: alertScanLimit}
	if !open {
		f.Since = c.at.AddDate(0, 0, -AlertHistoryDays)
	}
	events, err := c.b.AlertHistory.FindAlertHistory(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := []*hearth.AlertEvent{}
	for _, e := range events {
		if e.Labels["miner"] == c.m.ID {
			out = append(out, e)
		}
	}
	return out, len(out), nil
}

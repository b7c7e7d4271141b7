package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/locate"
)

// AckAlerts acknowledges one alert by fingerprint, or every open or
// located alert of a miner, and returns the alerts acknowledged.
func (c *Client) AckAlerts(ctx context.Context, r locate.AckRequest) (*AlertAckList, error) {
	var out AlertAckList
	return &out, c.do(ctx, http.MethodPost, "/api/v1/alerts/ack", r, &out)
}

// Maintenance returns the maintenance queue of site (every site when
// empty). Thresholds left zero keep the server's.
func (c *Client) Maintenance(ctx context.Context, site string, th hearth.MaintenanceThresholds) (*hearth.MaintenanceQueue, error) {
	v := url.Values{}
	if site != "" {
		v.Set("site", site)
	}
	for key, n := range map[string]int{"failed_chips": th.FailedChips, "faults": th.Faults, "fault_days": th.FaultDays, "rack_boards": th.RackBoards} {
		if n != 0 {
			v.Set(key, strconv.Itoa(n))
		}
	}
	if th.RackPercent != 0 {
		v.Set("rack_percent", strconv.FormatFloat(th.RackPercent, 'g', -1, 64))
	}
	path := "/api/v1/maintenance"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out hearth.MaintenanceQueue
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

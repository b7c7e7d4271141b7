package price

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Source is a price feed at a file path or an http(s) URL. Fetch reads
// it once; refreshing it (ENTSO-E publishes the next day's prices
// around 13:00 CET, ERCOT's day-ahead market around 13:30 CT) is the
// caller's loop, or Poll's.
type Source struct {
	// Location is a file path, a file:// URL or an http(s) URL, such
	// as the ENTSO-E API URL with its securityToken.
	Location string
	// Format is the feed's format; empty means detected from the data.
	Format Format
	// Options tune the parser (unit, resolution, settlement point).
	Options Options
	// Header is sent with HTTP requests, for APIs that take their key
	// in a header (ERCOT's Ocp-Apim-Subscription-Key and bearer token).
	Header http.Header
	// Client makes HTTP requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one fetch; zero means DefaultTimeout.
	Timeout time.Duration
}

// Fetch reads and parses the feed, bounded by MaxFeedBytes and the
// timeout.
func (s *Source) Fetch(ctx context.Context) ([]hearth.PricePoint, error) {
	data, err := readLocation(ctx, s.Client, s.Header, s.Location, MaxFeedBytes, s.Timeout)
	if err != nil {
		return nil, fmt.Errorf("price feed: %w", err)
	}
	points, err := Parse(s.Format, data, s.Options)
	if err != nil {
		return nil, fmt.Errorf("price feed: %w", err)
	}
	return points, nil
}

// Poll fetches the feed now and then every interval until ctx ends,
// calling fn with each result: the prices, or the error of a failed
// fetch, so that the caller decides whether stale prices still serve.
// An interval of zero or less means every 15 minutes.
func (s *Source) Poll(ctx context.Context, interval time.Duration, fn func([]hearth.PricePoint, error)) {
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		fn(s.Fetch(ctx))
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

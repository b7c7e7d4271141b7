package main

import (
	"context"
	"fmt"
	"io"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// runStatus prints what a running server reports about itself: how much
// disk its metrics take, tier by tier, and how far back each reaches.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth status", "hearth status [flags]",
		"Show what a running hearth holds: the disk used by its metrics, raw samples (every poll) and\n"+
			"5-minute rollups (long-term history), with how far back each reaches and how long it is kept.", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth status", stderr); err != nil {
		return err
	}
	st, err := cf.client().Status(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, st)
	}
	if st.Storage == nil {
		fmt.Fprintln(stdout, "metrics: not kept by this server")
		return nil
	}
	t := newTable(stdout, "METRICS", "DISK", "OLDEST", "KEPT")
	for _, tier := range []struct {
		name string
		use  hearthhttp.TierStorage
	}{{"raw", st.Storage.Raw}, {"rollup", st.Storage.Rollup}} {
		oldest := "-"
		if !tier.use.Oldest.IsZero() {
			oldest = tier.use.Oldest.Local().Format("2006-01-02 15:04")
		}
		t.row(tier.name, formatBytes(tier.use.Bytes), oldest, formatDays(time.Duration(tier.use.RetentionSeconds*float64(time.Second))))
	}
	return t.flush()
}

// formatBytes renders a size in binary units, as df -h does.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// formatDays renders a retention in days when it is whole days, as people
// speak of retention, and as a duration otherwise.
func formatDays(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}

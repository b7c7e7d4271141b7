package metrics

import (
	"io/fs"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/tsdb"
)

// TierUsage is what one tier of the store holds on disk.
type TierUsage struct {
	// Bytes is the size of the tier's directory: its blocks, write-ahead
	// log and head chunks.
	Bytes int64
	// Oldest is the time of its oldest sample; zero when it holds none.
	// It is how far back queries on the tier can reach.
	Oldest time.Time
	// Retention is how long the tier keeps samples.
	Retention time.Duration
}

// DiskUsage is what the store holds on disk, tier by tier, so that an
// operator can size the disk for the retention they chose.
type DiskUsage struct {
	Raw    TierUsage
	Rollup TierUsage
}

// DiskUsage measures the store's directories now. It walks them, which
// takes a moment on a store of many blocks but reads no data.
func (s *Store) DiskUsage() DiskUsage {
	return DiskUsage{
		Raw:    tierUsage(s.db, s.Retention()),
		Rollup: tierUsage(s.rollup, s.RollupRetention()),
	}
}

// tierUsage measures one TSDB.
func tierUsage(db *tsdb.DB, retention time.Duration) TierUsage {
	u := TierUsage{Bytes: dirSize(db.Dir()), Retention: retention}
	if mint, ok := oldestSample(db); ok {
		u.Oldest = time.UnixMilli(mint).UTC()
	}
	return u
}

// dirSize returns the total size of the regular files under dir. Files
// that vanish during the walk (a compaction replacing blocks) are skipped.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			n += info.Size()
		}
		return nil
	})
	return n
}

// diskCollector exports DiskUsage on /metrics, so that an outside
// Prometheus can alert before the disk fills.
type diskCollector struct {
	store *Store
}

var (
	diskBytesDesc = prometheus.NewDesc("hearth_tsdb_disk_bytes",
		"Bytes the metrics store's tier takes on disk.", []string{"tier"}, nil)
	oldestSampleDesc = prometheus.NewDesc("hearth_tsdb_oldest_sample_timestamp_seconds",
		"Time of the oldest sample of the metrics store's tier, in seconds since the epoch; absent when empty.", []string{"tier"}, nil)
)

// Describe implements prometheus.Collector.
func (c *diskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- diskBytesDesc
	ch <- oldestSampleDesc
}

// Collect implements prometheus.Collector.
func (c *diskCollector) Collect(ch chan<- prometheus.Metric) {
	u := c.store.DiskUsage()
	for _, t := range []struct {
		tier  Tier
		usage TierUsage
	}{{TierRaw, u.Raw}, {TierRollup, u.Rollup}} {
		ch <- prometheus.MustNewConstMetric(diskBytesDesc, prometheus.GaugeValue, float64(t.usage.Bytes), string(t.tier))
		if !t.usage.Oldest.IsZero() {
			ch <- prometheus.MustNewConstMetric(oldestSampleDesc, prometheus.GaugeValue, float64(t.usage.Oldest.UnixMilli())/1e3, string(t.tier))
		}
	}
}

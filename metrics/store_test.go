package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
)

// Samples survive a restart: the write-ahead log is replayed on Open.
func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	s, err := metrics.Open(dir, metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := antminer("m1")
	for i := range 10 {
		store(t, s, m, reading(t0.Add(time.Duration(i)*30*time.Second), healthy()))
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s, err = metrics.Open(dir, metrics.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	last := t0.Add(9 * 30 * time.Second)
	if got := value(t, s, `count_over_time(mining_hash_rate{miner="m1"}[10m])`, last); got != 10 {
		t.Errorf("samples after reopening = %g, want 10", got)
	}
	if got := s.HeadStats().Series; got != seriesPerReading {
		t.Errorf("head series after reopening = %d, want %d", got, seriesPerReading)
	}
	// Writing continues where it stopped, through the replayed series.
	store(t, s, m, reading(last.Add(30*time.Second), healthy()))
	if got := value(t, s, `count_over_time(mining_hash_rate{miner="m1"}[10m])`, last.Add(30*time.Second)); got != 11 {
		t.Errorf("samples after writing on = %g, want 11", got)
	}
	if got := s.HeadStats().Series; got != seriesPerReading {
		t.Errorf("head series after writing on = %d, want %d (no duplicates)", got, seriesPerReading)
	}
}

// Two stores may not share a directory: the TSDB's lock file refuses it.
func TestOpenLocksDirectory(t *testing.T) {
	_, dir := openStore(t, metrics.Options{})
	if s, err := metrics.Open(dir, metrics.Options{}); err == nil {
		s.Close()
		t.Fatal("second Open of the same directory succeeded")
	}
}

// The TSDB must compact blocks up to a tenth of the retention (at most 31
// days), as Prometheus sets it; the library default of 2 h would never
// merge blocks.
func TestBlockDurations(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		retention, wantMax time.Duration
	}{
		{30 * day, 3 * day},
		{548 * day, 31 * day},
		{310 * day, 31 * day},
		{10 * day, day},
		{12 * time.Hour, 2 * time.Hour}, // never below the minimum
	}
	for _, tt := range tests {
		minBlock, maxBlock := metrics.BlockDurations(tt.retention)
		if minBlock != 2*time.Hour || maxBlock != tt.wantMax {
			t.Errorf("BlockDurations(%s) = %s, %s; want 2h, %s", tt.retention, minBlock, maxBlock, tt.wantMax)
		}
	}

	s, _ := openStore(t, metrics.Options{})
	if s.Retention() != 30*day {
		t.Errorf("default retention = %s, want 720h", s.Retention())
	}
	if minBlock, maxBlock := s.BlockDurations(); minBlock != 2*time.Hour || maxBlock != 3*day {
		t.Errorf("store opened with blocks %s..%s, want 2h..72h", minBlock, maxBlock)
	}
	long, _ := openStore(t, metrics.Options{Retention: 548 * day})
	if _, maxBlock := long.BlockDurations(); maxBlock != 31*day {
		t.Errorf("548-day store opened with max block %s, want 744h", maxBlock)
	}
}

func TestHeadStats(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	if st := s.HeadStats(); st.Series != 0 || !st.MinTime.IsZero() {
		t.Errorf("empty store: %+v", st)
	}
	store(t, s, antminer("a"), reading(t0, healthy()))
	store(t, s, antminer("b"), reading(t0.Add(time.Minute), healthy()))
	st := s.HeadStats()
	if st.Series != 2*seriesPerReading || st.Miners != 2 {
		t.Errorf("HeadStats = %+v, want %d series, 2 miners", st, 2*seriesPerReading)
	}
	if !st.MinTime.Equal(t0) || !st.MaxTime.Equal(t0.Add(time.Minute)) {
		t.Errorf("head time range %s..%s, want %s..%s", st.MinTime, st.MaxTime, t0, t0.Add(time.Minute))
	}
	if st.DiskBytes <= 0 {
		t.Errorf("DiskBytes = %d, want the WAL's size", st.DiskBytes)
	}
}

func TestQueryErrors(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	store(t, s, antminer("m1"), reading(t0, healthy()))
	small, _ := openStore(t, metrics.Options{MaxSamples: 10})
	store(t, small, antminer("m1"), reading(t0, healthy()))
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"malformed", func() error { _, err := s.Query(ctx, `sum(`, t0); return err }, hearth.EINVALID},
		{"end before start", func() error { _, err := s.QueryRange(ctx, `up`, t0, t0.Add(-time.Second), time.Second); return err }, hearth.EINVALID},
		{"zero step", func() error { _, err := s.QueryRange(ctx, `up`, t0, t0.Add(time.Hour), 0); return err }, hearth.EINVALID},
		{"86,400 points", func() error { _, err := s.QueryRange(ctx, `up`, t0, t0.Add(24*time.Hour), time.Second); return err }, hearth.EINVALID},
		{"selector matching everything", func() error {
			_, err := s.Series(ctx, []string{`{miner=~".*"}`}, time.Time{}, time.Time{})
			return err
		}, hearth.EINVALID},
		{"invalid label name", func() error { _, err := s.LabelValues(ctx, "", nil, time.Time{}, time.Time{}); return err }, hearth.EINVALID},
		{"too many samples", func() error { _, err := small.Query(ctx, `{miner="m1"}`, t0); return err }, hearth.ETOOLARGE},
		{"many-to-many", func() error {
			_, err := s.Query(ctx, `mining_board_chips + on(miner) mining_board_chips`, t0)
			return err
		}, hearth.EINVALID},
	}
	for _, tt := range tests {
		err := tt.run()
		if code := hearth.ErrorCode(err); code != tt.code {
			t.Errorf("%s: error %v, code %q, want %q", tt.name, err, code, tt.code)
		}
	}
	deadline, cancel := context.WithTimeout(ctx, -time.Second)
	defer cancel()
	if _, err := s.Query(deadline, `mining_up`, t0); hearth.ErrorCode(err) != hearth.ETIMEOUT {
		t.Errorf("expired context: %v, want ETIMEOUT", err)
	}
}

package metrics

import (
	"time"
)

// HeadStats describes the in-memory head block of the raw TSDB: the part that
// grows with the number of active series and bounds the store's memory.
//
// It carries no byte count of head memory because the TSDB keeps none; the
// benchmarks measure it as the Go heap growth over an ingest divided by the
// series created (see BenchmarkStoreReadingFirst), which is what
// "tsdb_bytes_per_series" reports.
type HeadStats struct {
	// Series is the number of series in the head.
	Series int
	// Miners is the number of miners the store holds series for.
	Miners int
	// MinTime and MaxTime bound the samples in the head; zero when empty.
	MinTime, MaxTime time.Time
	// DiskBytes is the size of the write-ahead log and the head's
	// memory-mapped chunks on disk.
	DiskBytes int64
}

// HeadStats returns the current head statistics.
func (s *Store) HeadStats() HeadStats {
	h := s.db.Head()
	st := HeadStats{
		Series:    int(h.NumSeries()),
		Miners:    s.fleet.len(),
		DiskBytes: h.Size(),
	}
	if st.Series > 0 {
		st.MinTime = time.UnixMilli(h.MinTime())
		st.MaxTime = time.UnixMilli(h.MaxTime())
	}
	return st
}

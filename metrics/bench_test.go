package metrics_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
)

// How the benchmarks measure memory: the Go heap in use after a full GC,
// before and after the ingest, divided by the series the ingest created.
// That covers everything the store keeps per series (the TSDB head's
// series, postings and open chunk, and the store's own reference cache),
// which is what tsdb_bytes_per_series reports.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// cpuTime returns the CPU time the process has used, user and system. On a
// machine shared with other work, CPU time per sweep is a steadier figure
// than wall time; on an idle 2-core machine the wall time is about half.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func simMiners(n int) []*hearth.Miner {
	out := make([]*hearth.Miner, n)
	for i := range out {
		m := antminer(fmt.Sprintf("sim-%05d", i))
		m.Address = fmt.Sprintf("127.%d.%d.%d", 1+(i/254)/256, (i/254)%256, i%254+1)
		out[i] = m
	}
	return out
}

// BenchmarkStoreReadingFirst is the first poll of a miner: every series is
// created. One op is one miner's reading, from parallel poll workers.
func BenchmarkStoreReadingFirst(b *testing.B) {
	s, _ := openStore(b, metrics.Options{})
	miners := simMiners(b.N)
	r := reading(t0, healthy())
	var next atomic.Int64
	before := heapInUse()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m := miners[next.Add(1)-1]
			if err := s.StoreReading(context.Background(), m, r); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	reportSeries(b, s, before, b.Elapsed())
}

// BenchmarkStoreReadingSteady is every later poll: series exist, and the
// store appends by reference. One op is one miner's reading.
func BenchmarkStoreReadingSteady(b *testing.B) {
	const fleetSize = 1000
	s, _ := openStore(b, metrics.Options{})
	miners := simMiners(fleetSize)
	ctx := context.Background()
	r := reading(t0, healthy())
	for _, m := range miners {
		if err := s.StoreReading(ctx, m, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%fleetSize == 0 {
			round := 1 + i/fleetSize
			r = reading(t0.Add(time.Duration(round)*30*time.Second), healthy())
		}
		if err := s.StoreReading(ctx, miners[i%fleetSize], r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*seriesPerReading), "ns/sample")
}

// BenchmarkSweep ingests a whole fleet of 20,000 miners the way the poller
// does: many workers, one StoreReading per miner. "first" is the first
// sweep (every series created), "steady" a later one. One op is one sweep;
// run it with -benchtime=1x.
func BenchmarkSweep(b *testing.B) {
	const fleetSize = 20_000
	workers := 4 * runtime.GOMAXPROCS(0)
	miners := simMiners(fleetSize)
	sweep := func(b *testing.B, s *metrics.Store, at time.Time) {
		r := reading(at, healthy())
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= fleetSize {
						return
					}
					if err := s.StoreReading(context.Background(), miners[i], r); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}

	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s, _ := openStore(b, metrics.Options{})
			before := heapInUse()
			b.StartTimer()
			start, cpu := time.Now(), cpuTime()
			sweep(b, s, t0)
			elapsed, cpu := time.Since(start), cpuTime()-cpu
			b.StopTimer()
			reportSeries(b, s, before, elapsed)
			b.ReportMetric(cpu.Seconds(), "cpu_s/sweep")
			b.StartTimer()
		}
	})
	b.Run("steady", func(b *testing.B) {
		s, _ := openStore(b, metrics.Options{})
		sweep(b, s, t0)
		b.ResetTimer()
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			sweep(b, s, t0.Add(time.Duration(i+1)*30*time.Second))
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu_s/sweep")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*fleetSize*seriesPerReading), "ns/sample")
	})
}

// reportSeries reports the series created, the time per series and the
// heap per series since before.
func reportSeries(b *testing.B, s *metrics.Store, before uint64, elapsed time.Duration) {
	st := s.HeadStats()
	if st.Series == 0 {
		return
	}
	after := heapInUse()
	b.ReportMetric(float64(st.Series), "series")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(st.Series), "ns/series")
	b.ReportMetric(float64(int64(after)-int64(before))/float64(st.Series), "tsdb_bytes_per_series")
	b.ReportMetric(float64(st.DiskBytes)/float64(st.Series), "disk_bytes_per_series")
}

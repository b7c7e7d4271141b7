package metrics

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// BenchmarkHeadSeriesCreation is the TSDB's own cost of a new series, with
// no hearth code in the way: each op appends one sample to a new series
// labelled as hearth labels them, 40 series to a transaction as one
// Antminer reading has, from parallel writers. It is the floor under
// BenchmarkStoreReadingFirst's ns/series, and so under the part of a
// fleet's first sweep that storing takes: the gap between the two is what
// hearth adds.
func BenchmarkHeadSeriesCreation(b *testing.B) {
	const perTxn = 40
	db, err := tsdb.Open(b.TempDir(), nil, nil, tsdbOptions(DefaultRetention, MinBlockDuration), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	txns := (b.N + perTxn - 1) / perTxn
	lsets := make([][]labels.Labels, txns)
	for i := range lsets {
		lsets[i] = make([]labels.Labels, min(perTxn, b.N-i*perTxn))
		for j := range lsets[i] {
			lsets[i][j] = labels.FromStrings(
				labels.MetricName, fmt.Sprintf("mining_metric_%d", j%12),
				LabelBoard, fmt.Sprint(j/12),
				LabelFirmware, "bmminer 49.0.1.3",
				LabelJob, "Bitcoin-miner",
				LabelMiner, fmt.Sprintf("sim-%05d", i),
				LabelModel, "Antminer S19j Pro",
				LabelSite, DefaultSite)
		}
	}
	ts := time.Now().UnixMilli()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// Each goroutine takes whole transactions; pb counts series.
		for {
			i := int(next.Add(1) - 1)
			if i >= txns {
				for pb.Next() {
				}
				return
			}
			app := db.AppenderV2(context.Background())
			for _, l := range lsets[i] {
				if _, err := app.Append(0, l, 0, ts, 1, nil, nil, storage.AOptions{}); err != nil {
					b.Error(err)
				}
			}
			if err := app.Commit(); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	if got := db.Head().NumSeries(); got != uint64(b.N) {
		b.Fatalf("head holds %d series, want %d", got, b.N)
	}
}

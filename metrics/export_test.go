package metrics

import (
	"context"
	"slices"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// RawSeries is a generated raw series for the long-history tests: what the
// raw TSDB would have held, had hearth polled for that long.
type RawSeries struct {
	Labels map[string]string
	// Points are in time order.
	Points []Point
}

// RollUpGenerated runs the downsampler over generated raw series instead
// of the raw TSDB, through the same batches as RollUp's catch-up: every
// window from the first point's to the last one's.
func (s *Store) RollUpGenerated(ctx context.Context, series []RawSeries) error {
	first, last := int64(1<<63-1), int64(-1<<63)
	gen := make([]generatedSeries, len(series))
	for i, rs := range series {
		gen[i].lset = labels.FromMap(rs.Labels)
		gen[i].samples = make([]chunks.Sample, len(rs.Points))
		for j, p := range rs.Points {
			gen[i].samples[j] = sample{t: p.Time.UnixMilli(), f: p.Value}
		}
		if n := len(rs.Points); n > 0 {
			first = min(first, rs.Points[0].Time.UnixMilli())
			last = max(last, rs.Points[n-1].Time.UnixMilli())
		}
	}
	step := RollupInterval.Milliseconds()
	from := first - ((first%step)+step)%step
	to := last - ((last%step)+step)%step + step
	src := func(_ context.Context, mint, maxt int64) (storage.SeriesSet, func() error, error) {
		return &generatedSet{series: gen, mint: mint, maxt: maxt, i: -1}, func() error { return nil }, nil
	}
	return s.rollupRange(ctx, src, from, to)
}

type generatedSeries struct {
	lset    labels.Labels
	samples []chunks.Sample
}

// generatedSet yields each generated series cut to [mint, maxt].
type generatedSet struct {
	series     []generatedSeries
	mint, maxt int64
	i          int
}

func (g *generatedSet) Next() bool {
	g.i++
	return g.i < len(g.series)
}

func (g *generatedSet) At() storage.Series {
	s := g.series[g.i].samples
	lo := sort.Search(len(s), func(i int) bool { return s[i].T() >= g.mint })
	hi := sort.Search(len(s), func(i int) bool { return s[i].T() > g.maxt })
	return storage.NewListSeries(g.series[g.i].lset, slices.Clip(s[lo:hi]))
}

func (g *generatedSet) Err() error                        { return nil }
func (g *generatedSet) Warnings() annotations.Annotations { return nil }

// sample is one generated float sample.
type sample struct {
	t int64
	f float64
}

func (s sample) T() int64                      { return s.t }
func (s sample) ST() int64                     { return 0 }
func (s sample) F() float64                    { return s.f }
func (s sample) H() *histogram.Histogram       { return nil }
func (s sample) FH() *histogram.FloatHistogram { return nil }
func (s sample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s sample) Copy() chunks.Sample           { return s }

package metrics

import (
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

// write.labels adds labels in sorted order instead of sorting; the TSDB
// relies on label sets being sorted, so check every shape it builds.
func TestSeriesLabelsAreSorted(t *testing.T) {
	for _, id := range []identity{
		{miner: "m1", site: "default", model: "Antminer S21", firmware: "bmminer 49.0.1.3"},
		{miner: "m1", site: "barn"},
	} {
		w := &write{e: &minerSeries{id: id}, job: "Bitcoin-miner"}
		for _, extra := range []string{"", LabelBoard, LabelFan, LabelPool} {
			ls := w.labels("mining_hash_rate", extra, "0")
			var names []string
			ls.Range(func(l labels.Label) { names = append(names, l.Name) })
			if !slices.IsSorted(names) {
				t.Errorf("labels with %q: %v not sorted", extra, names)
			}
			if extra != "" && ls.Get(extra) != "0" {
				t.Errorf("labels with %q: %v lack it", extra, ls)
			}
		}
	}
}

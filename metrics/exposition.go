package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ExpositionHandler serves /metrics in the Prometheus text (or protobuf, by
// content negotiation) format: the fleet's current values under the same
// names and labels as in the TSDB, hearth's process and Go runtime metrics,
// the store's own TSDB and query-engine metrics, and whatever other packages
// registered on Registry.
//
// The fleet's series carry their own job label, so an outside Prometheus
// scraping hearth should set honor_labels: true to keep job="Bitcoin-miner"
// instead of renaming it to exported_job. Values carry no timestamps: they
// are the latest reading, and a miner whose last poll failed shows only
// mining_up 0.
func (s *Store) ExpositionHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		Registry:          s.registry,
		EnableOpenMetrics: true,
	})
}

// fleetCollector exposes the latest value of every live series in the fleet
// cache. Counters are exposed as counters and gauges as gauges.
type fleetCollector struct {
	fleet *fleet
}

// identityLabels are the variable labels of every fleet metric, in the
// order collect passes their values.
var identityLabels = []string{LabelJob, LabelMiner, LabelSite, LabelModel, LabelFirmware}

// Descriptions are shared by every collector: they depend only on the names.
var (
	minerDescs [numMinerMetrics]*prometheus.Desc
	boardDescs [numBoardMetrics]*prometheus.Desc
	fanDesc    *prometheus.Desc
	poolDescs  [numPoolMetrics]*prometheus.Desc
)

func init() {
	withExtra := func(extra string) []string {
		return append(append([]string(nil), identityLabels...), extra)
	}
	for i, d := range minerDefs {
		minerDescs[i] = prometheus.NewDesc(d.name, d.help, identityLabels, nil)
	}
	for i, d := range boardDefs {
		boardDescs[i] = prometheus.NewDesc(d.name, d.help, withExtra(LabelBoard), nil)
	}
	fanDesc = prometheus.NewDesc(fanDef.name, fanDef.help, withExtra(LabelFan), nil)
	for i, d := range poolDefs {
		poolDescs[i] = prometheus.NewDesc(d.name, d.help, withExtra(LabelPool), nil)
	}
}

// Describe implements prometheus.Collector.
func (c *fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range minerDescs {
		ch <- d
	}
	for _, d := range boardDescs {
		ch <- d
	}
	ch <- fanDesc
	for _, d := range poolDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It locks one miner at a time, so a
// scrape never holds up the ingest of the whole fleet.
func (c *fleetCollector) Collect(ch chan<- prometheus.Metric) {
	job := c.fleet.job
	for _, e := range c.fleet.snapshot() {
		e.mu.Lock()
		if e.gen == 0 {
			e.mu.Unlock()
			continue
		}
		values := []string{job, e.id.miner, e.id.site, e.id.model, e.id.firmware}
		for i := range e.slots {
			emit(ch, e, &e.slots[i], minerDescs[i], minerDefs[i].kind, values)
		}
		extra := append(values, "")
		for _, b := range e.boards {
			extra[len(values)] = b.label
			for i := range b.slots {
				emit(ch, e, &b.slots[i], boardDescs[i], boardDefs[i].kind, extra)
			}
		}
		for _, f := range e.fans {
			extra[len(values)] = f.label
			emit(ch, e, &f.slot, fanDesc, fanDef.kind, extra)
		}
		for _, p := range e.pools {
			extra[len(values)] = p.label
			for i := range p.slots {
				emit(ch, e, &p.slots[i], poolDescs[i], poolDefs[i].kind, extra)
			}
		}
		e.mu.Unlock()
	}
}

// emit sends the slot's value when it is live.
func emit(ch chan<- prometheus.Metric, e *minerSeries, s *slot, desc *prometheus.Desc, kind metricKind, values []string) {
	if !e.live(s) {
		return
	}
	vt := prometheus.GaugeValue
	if kind == kindCounter {
		vt = prometheus.CounterValue
	}
	m, err := prometheus.NewConstMetric(desc, vt, s.value, values...)
	if err != nil {
		m = prometheus.NewInvalidMetric(desc, err)
	}
	ch <- m
}

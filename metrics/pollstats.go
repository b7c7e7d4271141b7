package metrics

import "github.com/prometheus/client_golang/prometheus"

// PollStats is what the poller has done since start, for /metrics: how
// many polls succeeded and failed, how long they took in total, and how
// many miners it polls.
type PollStats struct {
	OK, Failed uint64
	Seconds    float64
	Miners     int
}

// ExportPollStats shows stats on /metrics as hearth_polls_total{result},
// hearth_poll_seconds_total and hearth_miners, read at each scrape, so that
// hearth's own health is watched the same way as the fleet's.
func (s *Store) ExportPollStats(stats func() PollStats) {
	s.registry.MustRegister(pollCollector(stats))
}

var (
	pollsDesc       = prometheus.NewDesc("hearth_polls_total", "Polls of miners since hearth started, by result.", []string{"result"}, nil)
	pollSecondsDesc = prometheus.NewDesc("hearth_poll_seconds_total", "Time spent polling miners since hearth started, in seconds.", nil, nil)
	minersDesc      = prometheus.NewDesc("hearth_miners", "Miners hearth polls.", nil, nil)
)

// pollCollector turns a PollStats snapshot into metrics at scrape time.
type pollCollector func() PollStats

func (c pollCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pollsDesc
	ch <- pollSecondsDesc
	ch <- minersDesc
}

func (c pollCollector) Collect(ch chan<- prometheus.Metric) {
	st := c()
	ch <- prometheus.MustNewConstMetric(pollsDesc, prometheus.CounterValue, float64(st.OK), "ok")
	ch <- prometheus.MustNewConstMetric(pollsDesc, prometheus.CounterValue, float64(st.Failed), "failed")
	ch <- prometheus.MustNewConstMetric(pollSecondsDesc, prometheus.CounterValue, st.Seconds)
	ch <- prometheus.MustNewConstMetric(minersDesc, prometheus.GaugeValue, float64(st.Miners))
}

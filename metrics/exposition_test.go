package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

func TestExposition(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	store(t, s, antminer("m1"), reading(t0, healthy()))
	store(t, s, antminer("m2"), reading(t0, healthy()))
	if err := s.StoreDown(context.Background(), antminer("m2"), t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	polls := prometheus.NewCounter(prometheus.CounterOpts{Name: "hearth_polls_total", Help: "Polls."})
	s.Registry().MustRegister(polls)
	polls.Add(3)

	body := scrape(t, s.ExpositionHandler())
	want := []string{
		"# TYPE mining_hash_rate gauge",
		"# TYPE mining_accepted_shares_total counter",
		"# HELP monitoring_power_consumption_watts Power drawn by the miner at the wall in watts, measured or estimated.",
		`mining_hash_rate{firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 1e+14`,
		`mining_accepted_shares_total{firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 1000`,
		`mining_board_chip_temperature_celsius{board="2",firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 72`,
		`mining_fan_speed_rpm{fan="fan1",firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 4000`,
		`mining_pool_active_index{firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 0`,
		`mining_up{firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m1",model="Antminer S21",site="default"} 1`,
		// m2's last poll failed: only its mining_up 0 is current.
		`mining_up{firmware="bmminer 49.0.1.3",job="Bitcoin-miner",miner="m2",model="Antminer S21",site="default"} 0`,
		// hearth's own metrics and the store's.
		"hearth_polls_total 3",
		"go_goroutines ",
		"process_cpu_seconds_total ",
		"prometheus_tsdb_head_series ",
		"prometheus_engine_queries ",
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
	for line := range strings.SplitSeq(body, "\n") {
		if strings.Contains(line, `miner="m2"`) && !strings.HasPrefix(line, "mining_up{") {
			t.Errorf("/metrics shows a stale value of a miner that is down: %s", line)
		}
	}
	if n := strings.Count(body, `miner="m1"`); n != seriesPerReading {
		t.Errorf("/metrics has %d series of m1, want %d", n, seriesPerReading)
	}
}

// hearth's own poll counters appear on /metrics next to the fleet's.
func TestExportPollStats(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	s.ExportPollStats(func() metrics.PollStats { return metrics.PollStats{OK: 41, Failed: 2, Seconds: 3.5, Miners: 7} })
	rec := httptest.NewRecorder()
	s.ExpositionHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`hearth_polls_total{result="ok"} 41`, `hearth_polls_total{result="failed"} 2`, `hearth_poll_seconds_total 3.5`, `hearth_miners 7`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

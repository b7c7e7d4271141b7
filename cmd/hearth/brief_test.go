package main

import (
	"slices"
	"testing"
	"time"
)

// The four PromQL expressions of the product brief, verbatim.
var briefExpressions = map[string]string{
	"hashrate":   `mining_hash_rate{job="Bitcoin-miner"} < (avg_over_time(mining_hash_rate[5m]) * 0.9)`,
	"efficiency": `(monitoring_power_consumption_watts{job="Bitcoin-miner"} / mining_hash_rate{job="Bitcoin-miner"}) > (avg by (job) (monitoring_power_consumption_watts / mining_hash_rate) * 1.1)`,
	"latency":    `mining_network_latency_seconds{job="Bitcoin-miner"} > 0.1`,
	"rejects":    `(rate(mining_rejected_shares_total[5m]) / rate(mining_accepted_shares_total[5m]) ) > 0.05`,
	// The brief's efficiency expression compares per-miner series with a
	// series labelled only by job. PromQL pairs series of a comparison
	// one-to-one on identical label sets, so verbatim it runs but can never
	// return anything, in Prometheus as in hearth. This is the form that
	// does what the brief means: match on job, many miners to one average.
	"efficiency-matched": `(monitoring_power_consumption_watts{job="Bitcoin-miner"} / mining_hash_rate{job="Bitcoin-miner"}) > on(job) group_left() (avg by (job) (monitoring_power_consumption_watts / mining_hash_rate) * 1.1)`,
}

// diagnostics are the parts of each expression, logged when it fails.
var diagnostics = map[string][]string{
	"hashrate":           {`mining_hash_rate`, `avg_over_time(mining_hash_rate[5m])`},
	"efficiency":         {`monitoring_power_consumption_watts / mining_hash_rate`, `avg by (job) (monitoring_power_consumption_watts / mining_hash_rate)`},
	"efficiency-matched": {`monitoring_power_consumption_watts / mining_hash_rate`, `avg by (job) (monitoring_power_consumption_watts / mining_hash_rate)`},
	"latency":            {`mining_network_latency_seconds`},
	"rejects":            {`rate(mining_rejected_shares_total[5m])`, `rate(mining_accepted_shares_total[5m])`},
}

// waitQuery asks q until it returns want (the exact set of miners) or the
// deadline passes, and fails with the last answer.
func waitQuery(t *testing.T, base, name string, want []string, until time.Time) {
	t.Helper()
	var got []string
	for {
		got = keys(promQuery(t, base, briefExpressions[name]))
		slices.Sort(got)
		if slices.Equal(got, want) || time.Now().After(until) {
			break
		}
		time.Sleep(time.Second)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s expression flags %v, want exactly %v", name, got, want)
		for _, q := range diagnostics[name] {
			t.Logf("%s = %v", q, promQuery(t, base, q))
		}
	}
}

// On a home fleet of Bitaxes, which report their power, each expression
// flags exactly the miner with the matching fault. The efficiency
// expression, verbatim, runs and flags nobody (see briefExpressions); its
// job-matched form flags exactly the inefficient miner.
func TestBriefExpressionsOnAxeOSFleet(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "bitaxe-gamma", "--miners", "12", "--poll-interval", "1s",
		"--faults", "3:low-hashrate@25s,5:high-reject,7:high-latency,9:inefficient")
	start := time.Now()
	// The hash-rate drop must be within the 5-minute window's reach:
	// check after it has happened and while the average still remembers
	// the miner's normal rate.
	time.Sleep(40 * time.Second)
	until := start.Add(80 * time.Second)
	waitQuery(t, d.URL, "hashrate", []string{"sim-00003"}, until)
	waitQuery(t, d.URL, "efficiency-matched", []string{"sim-00009"}, until)
	waitQuery(t, d.URL, "latency", []string{"sim-00007"}, until)
	waitQuery(t, d.URL, "rejects", []string{"sim-00005"}, until)
	waitQuery(t, d.URL, "efficiency", nil, until)
}

// On a farm of stock Antminers the same holds for hash rate, latency and
// rejects. Stock firmware reports no power, so hearth's estimate follows
// the nameplate and the efficiency expression flags nobody on a fleet of
// one model.
func TestBriefExpressionsOnAntminerFleet(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "s21", "--miners", "12", "--poll-interval", "1s",
		"--faults", "2:low-hashrate@25s,4:high-reject,6:high-latency")
	start := time.Now()
	time.Sleep(40 * time.Second)
	until := start.Add(80 * time.Second)
	waitQuery(t, d.URL, "hashrate", []string{"sim-00002"}, until)
	waitQuery(t, d.URL, "latency", []string{"sim-00006"}, until)
	waitQuery(t, d.URL, "rejects", []string{"sim-00004"}, until)
	waitQuery(t, d.URL, "efficiency-matched", nil, until)
	waitQuery(t, d.URL, "efficiency", nil, until)
}

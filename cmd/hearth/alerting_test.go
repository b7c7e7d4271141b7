package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

// ruleCase is one default rule that must fire on one faulted simulated
// miner.
type ruleCase struct {
	alert string
	miner string
}

// apiAlerts returns the pending and firing alerts of /prometheus/api/v1/
// alerts as "alertname miner" → state.
func apiAlerts(t *testing.T, base string) map[string]string {
	t.Helper()
	resp, err := http.Get(base + "/prometheus/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("alerts: %s %s", resp.Status, body)
	}
	out := map[string]string{}
	for _, a := range r.Data.Alerts {
		out[a.Labels["alertname"]+" "+a.Labels["miner"]] = a.State
	}
	return out
}

// checkDefaultRules waits until every case's alert is pending or firing for
// its miner, both in /prometheus/api/v1/alerts and as an ALERTS series,
// then checks that the healthy miners have no alert at all. Pending counts:
// the rules' "for" (1 to 5 minutes) is longer than a test should wait, and
// the expression holding is what the simulator's fault decides.
func checkDefaultRules(t *testing.T, d *demo, cases []ruleCase, healthy []string, until time.Time) {
	t.Helper()
	var missing []string
	for {
		missing = missing[:0]
		listed := apiAlerts(t, d.URL)
		for _, c := range cases {
			if st := listed[c.alert+" "+c.miner]; st != "pending" && st != "firing" {
				missing = append(missing, fmt.Sprintf("%s on %s not listed by /alerts", c.alert, c.miner))
				continue
			}
			series := promQuery(t, d.URL, fmt.Sprintf(`ALERTS{alertname=%q, alertstate=~"pending|firing"}`, c.alert))
			if _, ok := series[c.miner]; !ok {
				missing = append(missing, fmt.Sprintf("%s on %s has no ALERTS series", c.alert, c.miner))
			}
		}
		if len(missing) == 0 || time.Now().After(until) {
			break
		}
		time.Sleep(time.Second)
	}
	for _, m := range missing {
		t.Error(m)
	}
	listed := apiAlerts(t, d.URL)
	var keys []string
	for k := range listed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_, miner, _ := strings.Cut(k, " ")
		if slices.Contains(healthy, miner) {
			t.Errorf("healthy miner %s has alert %s (%s)", miner, k, listed[k])
		}
	}
	for _, miner := range healthy {
		if got := promQuery(t, d.URL, fmt.Sprintf(`ALERTS{miner=%q}`, miner)); len(got) > 0 {
			t.Errorf("healthy miner %s has ALERTS series", miner)
		}
	}
	if t.Failed() {
		t.Logf("alerts: %v", keys)
	}
}

// Every default rule fires on the simulator's matching fault, one miner per
// fault, and stays silent on the healthy miners of the fleet: a farm of
// stock S21s for the per-miner, per-board, per-fan and per-pool faults.
func TestDefaultRulesOnAntminerFleet(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "s21", "--miners", "12", "--poll-interval", "1s",
		"--faults", "1:offline,2:low-hashrate@20s,3:high-reject,4:high-latency,5:failed-chips,6:dead-board,7:hot,8:fan-fail,9:pool-down")
	start := time.Now()
	// The hash-rate drop must be seen while the 5-minute average still
	// remembers the normal rate.
	time.Sleep(35 * time.Second)
	checkDefaultRules(t, d, []ruleCase{
		{"MinerOffline", "sim-00001"},
		{"MinerHashRateDrop", "sim-00002"},
		{"MinerHighRejectRate", "sim-00003"},
		{"MinerHighLatency", "sim-00004"},
		{"BoardChipsFailed", "sim-00005"},
		{"HashboardMissing", "sim-00006"},
		{"MinerOverTemperature", "sim-00007"},
		{"HeatPeakAhead", "sim-00007"},
		{"FanFailed", "sim-00008"},
		{"PoolDown", "sim-00009"},
		{"PoolFailedOver", "sim-00009"},
	}, []string{"sim-00000", "sim-00010", "sim-00011"}, start.Add(90*time.Second))
}

// On liquid-cooled S21 XP Hyd. units, a reversed cooling loop fires its
// rule; the other units stay silent.
func TestDefaultRulesOnHydroFleet(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "s21xphyd", "--miners", "3", "--poll-interval", "1s",
		"--faults", "1:cooling-reversed")
	start := time.Now()
	time.Sleep(10 * time.Second)
	checkDefaultRules(t, d, []ruleCase{{"CoolingLoopReversed", "sim-00001"}},
		[]string{"sim-00000", "sim-00002"}, start.Add(60*time.Second))
}

// On Bitaxes, which measure their power, a miner drawing more per hash
// than the others of its model fires the efficiency rule.
func TestDefaultRulesOnAxeOSFleet(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "bitaxe-gamma", "--miners", "4", "--poll-interval", "1s",
		"--faults", "2:inefficient")
	start := time.Now()
	time.Sleep(10 * time.Second)
	checkDefaultRules(t, d, []ruleCase{{"MinerInefficient", "sim-00002"}},
		[]string{"sim-00000", "sim-00001", "sim-00003"}, start.Add(60*time.Second))
}

// 'hearth rules test' runs the shipped unit tests of the default rules and
// passes; a failing test file exits non-zero with what failed; 'rules
// check' refuses a broken rule file with the parser's message; 'rules
// defaults' prints the built-in rules.
func TestRulesCommand(t *testing.T) {
	out, errOut, code := runCLI(t, "rules", "test", "../../alerting/rules/default_test.yml")
	if code != 0 || !strings.Contains(out, "default_test.yml: SUCCESS") {
		t.Errorf("rules test: exit %d\n%s%s", code, out, errOut)
	}

	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yml")
	writeTestFile(t, rules, "groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 1\n")
	tests := filepath.Join(dir, "rules_test.yml")
	writeTestFile(t, tests, "rule_files: [rules.yml]\ntests:\n  - input_series:\n      - {series: 'up{job=\"a\"}', values: '1x5'}\n    alert_rule_test:\n      - {eval_time: 2m, alertname: Up, exp_alerts: []}\n")
	out, errOut, code = runCLI(t, "rules", "test", tests)
	if code != 1 || !strings.Contains(out, "FAILED") || !strings.Contains(out, `{alertname="Up", job="a"}`) {
		t.Errorf("rules test of a failing file: exit %d\n%s%s", code, out, errOut)
	}

	out, _, code = runCLI(t, "rules", "check", rules)
	if code != 0 || !strings.Contains(out, "SUCCESS") {
		t.Errorf("rules check: exit %d %s", code, out)
	}
	writeTestFile(t, rules, "groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up ==\n")
	_, errOut, code = runCLI(t, "rules", "check", rules)
	if code == 0 || !strings.Contains(errOut, "parse error") {
		t.Errorf("rules check of a broken file: exit %d %s", code, errOut)
	}

	out, _, code = runCLI(t, "rules", "defaults")
	if code != 0 || !strings.Contains(out, "alert: HeatPeakAhead") {
		t.Errorf("rules defaults: exit %d", code)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// SIGHUP reloads the rule files, as in Prometheus: a file dropped into the
// rules directory runs after the signal.
func TestRulesReloadOnHangup(t *testing.T) {
	data := t.TempDir()
	store, err := metrics.Open(filepath.Join(data, "tsdb"), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := serveConfig{data: data, pollInterval: time.Second}
	m, err := openAlerting(cfg, store, newLogger(io.Discard, "error"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	stop := reloadRulesOnHangup(m, newLogger(io.Discard, "error"))
	defer stop()
	listed := func() bool {
		rec := httptest.NewRecorder()
		m.PrometheusAPI().ServeHTTP(rec, httptest.NewRequest("GET", "/rules", nil))
		return strings.Contains(rec.Body.String(), `"name":"DroppedIn"`)
	}
	writeTestFile(t, filepath.Join(data, "rules", "dropped.yml"), "groups:\n  - name: d\n    rules:\n      - alert: DroppedIn\n        expr: mining_up == 0\n")
	if listed() {
		t.Fatal("rule listed before the reload")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !listed() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !listed() {
		t.Error("rule file not loaded after SIGHUP")
	}
}

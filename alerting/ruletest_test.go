package alerting_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/alerting"
)

// The shipped unit tests of the default rules pass: every default rule
// fires on the series of its fault and stays silent on healthy miners.
func TestDefaultRulesUnitTests(t *testing.T) {
	var out bytes.Buffer
	if err := alerting.RunRuleTests(&out, "rules/default_test.yml"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "SUCCESS") {
		t.Errorf("output %q does not report success", out.String())
	}
}

// A test whose expectations do not hold fails, naming the alert and what
// fired instead; so does one expecting an alert that never fires.
func TestRunRuleTestsReportsFailures(t *testing.T) {
	dir := t.TempDir()
	rules := `groups:
  - name: g
    rules:
      - alert: Hot
        expr: temp > 90
        for: 1m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.miner }} at {{ $value }}"}
`
	tests := `rule_files: [rules.yml]
evaluation_interval: 30s
tests:
  - interval: 30s
    input_series:
      - {series: 'temp{miner="a"}', values: '95x10'}
      - {series: 'temp{miner="b"}', values: '80x10'}
    alert_rule_test:
      - eval_time: 30s
        alertname: Hot
        exp_alerts: []
      - eval_time: 2m
        alertname: Hot
        exp_alerts:
          - exp_labels: {miner: b, severity: critical}
      - eval_time: 3m
        alertname: Hot
        exp_alerts:
          - exp_labels: {miner: a, severity: critical}
            exp_annotations: {summary: "a at 95"}
    promql_expr_test:
      - expr: temp > 90
        eval_time: 1m
        exp_samples:
          - {labels: 'temp{miner="a"}', value: 95}
      - expr: temp > 90
        eval_time: 1m
        exp_samples: []
`
	writeFile(t, filepath.Join(dir, "rules.yml"), rules)
	writeFile(t, filepath.Join(dir, "test.yml"), tests)
	var out bytes.Buffer
	err := alerting.RunRuleTests(&out, filepath.Join(dir, "test.yml"))
	if err == nil {
		t.Fatalf("no error\n%s", out.String())
	}
	got := out.String()
	for _, want := range []string{"FAILED", `alertname Hot at 2m`, `{alertname="Hot", miner="b", severity="critical"}`, `expr "temp > 90" at 1m`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// The expectations that hold are not reported.
	for _, notWant := range []string{"at 30s", "at 3m"} {
		if strings.Contains(got, notWant) {
			t.Errorf("output reports a passing expectation (%q):\n%s", notWant, got)
		}
	}
	if n := strings.Count(got, "expr \"temp > 90\""); n != 1 {
		t.Errorf("%d promql failures reported, want 1:\n%s", n, got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

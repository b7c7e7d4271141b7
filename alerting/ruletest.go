package alerting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/rules"
	"go.yaml.in/yaml/v3"
)

// A rule test file, in the format of `promtool test rules`: the rule files
// under test, the evaluation interval, and test groups of input series
// (in promqltest's expanding notation, such as "1+1x10") with the alerts
// and query results expected at given times.
type ruleTestFile struct {
	RuleFiles          []string          `yaml:"rule_files"`
	EvaluationInterval model.Duration    `yaml:"evaluation_interval"`
	GroupEvalOrder     []string          `yaml:"group_eval_order"`
	Tests              []ruleTestGroup   `yaml:"tests"`
	ExternalLabels     map[string]string `yaml:"external_labels"`
}

// ruleTestGroup is one test of a rule test file: its own series and
// expectations, run on a fresh storage.
type ruleTestGroup struct {
	Name           string            `yaml:"name"`
	Interval       model.Duration    `yaml:"interval"`
	InputSeries    []inputSeries     `yaml:"input_series"`
	AlertRuleTests []alertRuleTest   `yaml:"alert_rule_test"`
	PromQLTests    []promqlExprTest  `yaml:"promql_expr_test"`
	ExternalLabels map[string]string `yaml:"external_labels"`
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type alertRuleTest struct {
	EvalTime  model.Duration  `yaml:"eval_time"`
	Alertname string          `yaml:"alertname"`
	ExpAlerts []expectedAlert `yaml:"exp_alerts"`
}

type expectedAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

type promqlExprTest struct {
	Expr       string           `yaml:"expr"`
	EvalTime   model.Duration   `yaml:"eval_time"`
	ExpSamples []expectedSample `yaml:"exp_samples"`
}

type expectedSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

// testEpoch is time zero of a rule test: eval_time and the input series
// count from it, as in promtool.
var testEpoch = time.Unix(0, 0).UTC()

// RunRuleTests runs the rule unit tests of each file, in the format of
// Prometheus' `promtool test rules` (rule_files, evaluation_interval, tests
// with input_series in promqltest notation, alert_rule_test and
// promql_expr_test). It writes one line per file and the details of every
// failed expectation to w, and returns an error when any file could not be
// read or any expectation failed. Rule files are relative to
// the test file.
func RunRuleTests(w io.Writer, files ...string) error {
	failed := 0
	for _, file := range files {
		problems, err := runRuleTestFile(file)
		switch {
		case err != nil:
			fmt.Fprintf(w, "%s: FAILED\n  %v\n", file, err)
			failed++
		case len(problems) > 0:
			fmt.Fprintf(w, "%s: FAILED\n", file)
			for _, p := range problems {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(p, "\n", "\n    "))
			}
			failed++
		default:
			fmt.Fprintf(w, "%s: SUCCESS\n", file)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d rule test files failed", failed, len(files))
	}
	return nil
}

// runRuleTestFile runs one file's tests and returns its failed
// expectations; err is for a file that could not be run at all.
func runRuleTestFile(file string) (problems []string, err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read test file: %w", err)
	}
	var tf ruleTestFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return nil, fmt.Errorf("parse test file: %w", err)
	}
	if tf.EvaluationInterval == 0 {
		tf.EvaluationInterval = model.Duration(time.Minute)
	}
	if len(tf.RuleFiles) == 0 {
		return nil, errors.New("no rule_files")
	}
	var ruleFiles []string
	for _, rf := range tf.RuleFiles {
		if !filepath.IsAbs(rf) {
			rf = filepath.Join(filepath.Dir(file), rf)
		}
		matches, err := filepath.Glob(rf)
		if err != nil || len(matches) == 0 {
			return nil, fmt.Errorf("rule file %s: no such file", rf)
		}
		ruleFiles = append(ruleFiles, matches...)
	}
	for i, tg := range tf.Tests {
		name := tg.Name
		if name == "" {
			name = fmt.Sprintf("test %d", i+1)
		}
		probs, err := tg.run(&tf, ruleFiles)
		if err != nil {
			return problems, fmt.Errorf("%s: %w", name, err)
		}
		for _, p := range probs {
			problems = append(problems, name+": "+p)
		}
	}
	return problems, nil
}

// run runs one test group on a fresh storage: it loads the input series,
// evaluates every rule group each evaluation interval from time zero to the
// last eval_time, and checks each expectation at its time.
func (tg *ruleTestGroup) run(tf *ruleTestFile, ruleFiles []string) (problems []string, err error) {
	evalInterval := time.Duration(tf.EvaluationInterval)
	interval := time.Duration(tg.Interval)
	if interval == 0 {
		interval = evalInterval
	}
	var load strings.Builder
	fmt.Fprintf(&load, "load %s\n", model.Duration(interval))
	for _, s := range tg.InputSeries {
		fmt.Fprintf(&load, "  %s %s\n", s.Series, s.Values)
	}
	ll, err := promqltest.NewLazyLoader(load.String(), promqltest.LazyLoaderOpts{
		EnableAtModifier: true, EnableNegativeOffset: true,
	})
	if err != nil {
		return nil, fmt.Errorf("input series: %w", err)
	}
	defer ll.Close()

	ext := tf.ExternalLabels
	if tg.ExternalLabels != nil {
		ext = tg.ExternalLabels
	}
	logger := slog.New(slog.DiscardHandler)
	loader := newGroupLoader(logger)
	mgr := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:   rules.EngineQueryFunc(ll.QueryEngine(), ll.Storage()),
		Appendable:  ll.Storage(),
		Queryable:   ll.Storage(),
		Context:     context.Background(),
		NotifyFunc:  func(context.Context, string, ...*rules.Alert) {},
		Logger:      logger,
		GroupLoader: loader,
		Parser:      loader.parser,
	})
	groupMap, errs := mgr.LoadGroups(evalInterval, labels.FromMap(ext), "", nil, false, ruleFiles...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("rule files: %w", errors.Join(errs...))
	}
	groups, err := orderGroups(groupMap, tf.GroupEvalOrder)
	if err != nil {
		return nil, err
	}

	var last time.Duration
	for _, t := range tg.AlertRuleTests {
		last = max(last, time.Duration(t.EvalTime))
	}
	for _, t := range tg.PromQLTests {
		last = max(last, time.Duration(t.EvalTime))
	}
	ctx := context.Background()
	for at := time.Duration(0); at <= last; at += evalInterval {
		ts := testEpoch.Add(at)
		var loadErr error
		ll.WithSamplesTill(ts, func(err error) { loadErr = err })
		if loadErr != nil {
			return problems, fmt.Errorf("load series till %s: %w", model.Duration(at), loadErr)
		}
		for _, g := range groups {
			g.Eval(ctx, ts)
		}
		// An expectation is checked at the last evaluation at or before
		// its eval_time.
		due := func(d model.Duration) bool {
			return time.Duration(d) >= at && time.Duration(d) < at+evalInterval
		}
		for _, t := range tg.AlertRuleTests {
			if due(t.EvalTime) {
				problems = append(problems, t.check(groups)...)
			}
		}
		for _, t := range tg.PromQLTests {
			if due(t.EvalTime) {
				problems = append(problems, t.check(ctx, ll, ts)...)
			}
		}
	}
	return problems, nil
}

// orderGroups returns the rule groups in the order given, or by file and
// name when no order is given.
func orderGroups(groups map[string]*rules.Group, order []string) ([]*rules.Group, error) {
	var out []*rules.Group
	if len(order) > 0 {
		byName := map[string]*rules.Group{}
		for _, g := range groups {
			byName[g.Name()] = g
		}
		for _, name := range order {
			g, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("group_eval_order: no group %q", name)
			}
			out = append(out, g)
			delete(byName, name)
		}
		if len(byName) > 0 {
			return nil, fmt.Errorf("group_eval_order leaves out %d groups", len(byName))
		}
		return out, nil
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, groups[k])
	}
	return out, nil
}

// check compares the firing alerts of the test's rule with the expected
// ones: the same number, each expected alert matched by one with exactly
// its labels (alertname added) and, when exp_annotations is given, exactly
// those annotations.
func (t alertRuleTest) check(groups []*rules.Group) []string {
	var got []*rules.Alert
	for _, g := range groups {
		for _, r := range g.AlertingRules() {
			if r.Name() != t.Alertname {
				continue
			}
			for _, a := range r.ActiveAlerts() {
				if a.State == rules.StateFiring {
					got = append(got, a)
				}
			}
		}
	}
	unmatched := slices.Clone(got)
	var missing []string
	for _, e := range t.ExpAlerts {
		b := labels.NewBuilder(labels.FromMap(e.ExpLabels))
		b.Set(labels.AlertName, t.Alertname)
		want := b.Labels()
		i := slices.IndexFunc(unmatched, func(a *rules.Alert) bool {
			return labels.Equal(a.Labels, want) &&
				(e.ExpAnnotations == nil || labels.Equal(a.Annotations, labels.FromMap(e.ExpAnnotations)))
		})
		if i < 0 {
			ann := "(any)"
			if e.ExpAnnotations != nil {
				ann = labels.FromMap(e.ExpAnnotations).String()
			}
			missing = append(missing, want.String()+" annotations="+ann)
			continue
		}
		unmatched = slices.Delete(unmatched, i, i+1)
	}
	if len(missing) == 0 && len(unmatched) == 0 {
		return nil
	}
	gotText := make([]string, len(got))
	for i, a := range got {
		gotText[i] = a.Labels.String() + " annotations=" + a.Annotations.String()
	}
	sort.Strings(gotText)
	return []string{fmt.Sprintf("alertname %s at %s: expected and not firing: %s\nfiring: %s",
		t.Alertname, t.EvalTime, listOrNone(missing), listOrNone(gotText))}
}

// check runs the test's query at ts and compares its samples with the
// expected ones, values within a relative 1e-9.
func (t promqlExprTest) check(ctx context.Context, ll *promqltest.LazyLoader, ts time.Time) []string {
	q, err := ll.QueryEngine().NewInstantQuery(ctx, ll.Queryable(), nil, t.Expr, ts)
	if err != nil {
		return []string{fmt.Sprintf("expr %q: %v", t.Expr, err)}
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return []string{fmt.Sprintf("expr %q at %s: %v", t.Expr, t.EvalTime, res.Err)}
	}
	var got []promql.Sample
	switch v := res.Value.(type) {
	case promql.Vector:
		got = v
	case promql.Scalar:
		got = []promql.Sample{{F: v.V, T: v.T}}
	default:
		return []string{fmt.Sprintf("expr %q: want a vector or scalar, got %s", t.Expr, res.Value.Type())}
	}
	gotText := make([]string, len(got))
	for i, s := range got {
		gotText[i] = fmt.Sprintf("%s %g", s.Metric.String(), s.F)
	}
	sort.Strings(gotText)
	p := ruleParser()
	want := make(map[string]float64, len(t.ExpSamples))
	wantText := make([]string, len(t.ExpSamples))
	for i, e := range t.ExpSamples {
		lbls := labels.EmptyLabels()
		if e.Labels != "" {
			if lbls, err = p.ParseMetric(e.Labels); err != nil {
				return []string{fmt.Sprintf("expr %q: expected labels %q: %v", t.Expr, e.Labels, err)}
			}
		}
		want[lbls.String()] = e.Value
		wantText[i] = fmt.Sprintf("%s %g", lbls.String(), e.Value)
	}
	sort.Strings(wantText)
	if samplesMatch(got, want) {
		return nil
	}
	return []string{fmt.Sprintf("expr %q at %s:\nwant %s\ngot  %s", t.Expr, t.EvalTime, listOrNone(wantText), listOrNone(gotText))}
}

// samplesMatch reports whether got holds exactly the series of want, each
// with its value within a relative 1e-9 (NaN matches NaN).
func samplesMatch(got []promql.Sample, want map[string]float64) bool {
	if len(got) != len(want) {
		return false
	}
	for _, s := range got {
		w, ok := want[s.Metric.String()]
		if !ok {
			return false
		}
		switch {
		case math.IsNaN(w) && math.IsNaN(s.F):
		case w == s.F:
		case math.Abs(w-s.F) <= 1e-9*math.Max(math.Abs(w), math.Abs(s.F)):
		default:
			return false
		}
	}
	return true
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, "\n     ")
}

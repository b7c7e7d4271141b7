package alerting_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/alerting"
	"github.com/hearth-fleet/hearth/metrics"
)

// recorder is an AlertSink that keeps what it is sent.
type recorder struct {
	mu     sync.Mutex
	alerts []*hearth.Alert
}

func (r *recorder) SendAlerts(_ context.Context, alerts []*hearth.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, alerts...)
	return nil
}

func (r *recorder) find(name, miner string) *hearth.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.alerts {
		if a.Name == name && a.Labels["miner"] == miner {
			return a
		}
	}
	return nil
}

// userRule fires at once for every miner that is down.
const userRule = `groups:
  - name: mine
    rules:
      - alert: TestDown
        expr: mining_up == 0
        labels: {severity: page}
        annotations: {summary: "{{ $labels.miner }} is down"}
`

// fixture opens a metrics store with one miner down and one up, and a
// Manager over it with the defaults and userRule, evaluating every 100 ms.
func fixture(t *testing.T) (*alerting.Manager, *metrics.Store, *recorder, string) {
	t.Helper()
	store, err := metrics.Open(t.TempDir(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	now := time.Now()
	down := &hearth.Miner{ID: "down-1", Family: hearth.FamilyAntminer, Model: "Antminer S21"}
	up := &hearth.Miner{ID: "up-1", Family: hearth.FamilyAntminer, Model: "Antminer S21"}
	for i := range 3 {
		at := now.Add(time.Duration(i-2) * time.Second)
		if err := store.StoreDown(ctx, down, at); err != nil {
			t.Fatal(err)
		}
		if err := store.StoreReading(ctx, up, &hearth.Reading{Time: at, HashRate: 200e12}); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "rules")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "mine.yml"), userRule)
	rec := &recorder{}
	m, err := alerting.New(store, alerting.Options{Dir: dir, Interval: 100 * time.Millisecond, Sinks: []hearth.AlertSink{rec}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	m.Start()
	return m, store, rec, dir
}

// The rules of the rules directory run with the defaults: a firing alert
// reaches the sinks as a hearth.Alert, is listed by the Prometheus API and
// lands in the TSDB as an ALERTS series; the default offline rule is
// pending (its "for" is 2 minutes) for the down miner and silent for the
// other.
func TestManagerEvaluatesRules(t *testing.T) {
	m, store, rec, _ := fixture(t)
	deadline := time.Now().Add(10 * time.Second)
	for rec.find("TestDown", "down-1") == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	a := rec.find("TestDown", "down-1")
	if a == nil {
		t.Fatal("no TestDown alert reached the sink")
	}
	if a.State != hearth.AlertFiring || a.Labels["severity"] != "page" || a.Annotations["summary"] != "down-1 is down" || a.ActiveAt.IsZero() {
		t.Errorf("alert = %+v", a)
	}
	if rec.find("TestDown", "up-1") != nil {
		t.Error("TestDown fired for the miner that is up")
	}

	srv := httptest.NewServer(http.StripPrefix("/prometheus/api/v1", m.PrometheusAPI()))
	defer srv.Close()
	var alerts struct {
		Status string
		Data   struct {
			Alerts []struct {
				Labels map[string]string
				State  string
				Value  string
			}
		}
	}
	// Each group evaluates on its own ticker: wait for both.
	states := map[string]string{}
	for end := time.Now().Add(5 * time.Second); len(states) < 2 && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		getJSON(t, srv.URL+"/prometheus/api/v1/alerts", &alerts)
		clear(states)
		for _, a := range alerts.Data.Alerts {
			states[a.Labels["alertname"]+" "+a.Labels["miner"]] = a.State
		}
	}
	if states["TestDown down-1"] != "firing" || states["MinerOffline down-1"] != "pending" || len(states) != 2 {
		t.Errorf("alerts = %v, want TestDown firing and MinerOffline pending for down-1", states)
	}

	var rules struct {
		Data struct {
			Groups []struct {
				Name, File string
				Rules      []struct{ Name, Type, Health, State string }
			}
		}
	}
	getJSON(t, srv.URL+"/prometheus/api/v1/rules?exclude_alerts=true", &rules)
	var groups []string
	for _, g := range rules.Data.Groups {
		groups = append(groups, g.Name+"@"+filepath.Base(g.File))
		for _, r := range g.Rules {
			if r.Health == "err" || r.Type != "alerting" {
				t.Errorf("rule %s: health %s type %s", r.Name, r.Health, r.Type)
			}
		}
	}
	sort.Strings(groups)
	if strings.Join(groups, ",") != "hearth-defaults@default.yml,mine@mine.yml" {
		t.Errorf("groups = %v", groups)
	}

	// The evaluation writes ALERTS when it commits, after it notifies.
	var res *metrics.Result
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		res, err = store.Query(context.Background(), `ALERTS{alertname="TestDown", alertstate="firing"}`, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Vector) > 0 || time.Now().After(end) {
			break
		}
	}
	if len(res.Vector) != 1 || res.Vector[0].Metric["miner"] != "down-1" {
		t.Errorf("ALERTS series = %v, want one for down-1", res.Vector)
	}
}

// A rule file the parser refuses is not taken: SetRuleFile keeps it off
// disk, and a broken file edited on disk makes Reload fail naming the
// file, with the running rules left as they were. A good file is loaded at
// once, and deleting it unloads it.
func TestManagerRuleFiles(t *testing.T) {
	m, _, _, dir := fixture(t)
	ctx := context.Background()

	err := m.SetRuleFile(ctx, "bad", []byte(strings.Replace(userRule, "mining_up == 0", "mining_up ==", 1)))
	if hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), "parse error") {
		t.Errorf("SetRuleFile(bad) = %v, want EINVALID with the parse error", err)
	}
	if names, _ := m.RuleFileNames(); strings.Join(names, ",") != "mine" {
		t.Errorf("files = %v, want [mine]", names)
	}

	writeFile(t, filepath.Join(dir, "broken.yml"), "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(\n")
	err = m.Reload(ctx)
	if hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), "broken.yml") {
		t.Errorf("Reload with a broken file = %v, want EINVALID naming broken.yml", err)
	}
	if !hasRule(m, "TestDown") {
		t.Error("the running rules were dropped by a failed reload")
	}
	os.Remove(filepath.Join(dir, "broken.yml"))

	extra := strings.ReplaceAll(strings.ReplaceAll(userRule, "TestDown", "Extra"), "name: mine", "name: extra")
	if err := m.SetRuleFile(ctx, "extra", []byte(extra)); err != nil {
		t.Fatal(err)
	}
	if !hasRule(m, "Extra") {
		t.Error("a stored rule file was not loaded")
	}
	if got, _ := m.RuleFile("extra"); got != extra {
		t.Errorf("RuleFile = %q", got)
	}
	if err := m.DeleteRuleFile(ctx, "extra"); err != nil {
		t.Fatal(err)
	}
	if hasRule(m, "Extra") {
		t.Error("a deleted rule file's rules still run")
	}
	if err := m.DeleteRuleFile(ctx, "extra"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete = %v, want ENOTFOUND", err)
	}
	if _, err := m.RuleFile("../mine"); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("RuleFile(../mine) = %v, want EINVALID", err)
	}
}

// hasRule reports whether /rules lists an alerting rule named name.
func hasRule(m *alerting.Manager, name string) bool {
	rec := httptest.NewRecorder()
	m.PrometheusAPI().ServeHTTP(rec, httptest.NewRequest("GET", "/rules", nil))
	return strings.Contains(rec.Body.String(), `"name":"`+name+`"`)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The built-in default rules parse, and every rule of the defaults is
// listed with a severity label.
func TestDefaultRulesParse(t *testing.T) {
	if err := alerting.ValidateRuleFile(alerting.DefaultRules(), nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"MinerHashRateDrop", "MinerInefficient", "MinerHighLatency", "MinerHighRejectRate",
		"MinerOffline", "BoardChipsFailed", "MinerOverTemperature", "FanFailed", "HashboardMissing", "PoolDown",
		"PoolFailedOver", "CoolingLoopReversed", "HeatPeakAhead"} {
		if !strings.Contains(string(alerting.DefaultRules()), "alert: "+name+"\n") {
			t.Errorf("default rules lack %s", name)
		}
	}
	if n := strings.Count(string(alerting.DefaultRules()), "severity: "); n != 13 {
		t.Errorf("%d rules with a severity, want 13", n)
	}
}

// A Manager that never started stops at once (a server that fails to open
// after building it must still close).
func TestManagerStopWithoutStart(t *testing.T) {
	store, err := metrics.Open(t.TempDir(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	m, err := alerting.New(store, alerting.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { m.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop without Start did not return")
	}
}

// Alerts lists the pending alerts with their rule's "for", so that a page
// says when they fire, and the firing ones with their state.
func TestManagerAlertsPending(t *testing.T) {
	m, _, _, _ := fixture(t)
	var pending, firing *hearth.Alert
	for deadline := time.Now().Add(10 * time.Second); (pending == nil || firing == nil) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		pending, firing = nil, nil
		for _, a := range m.Alerts() {
			switch {
			case a.Name == "MinerOffline" && a.Labels["miner"] == "down-1":
				pending = a
			case a.Name == "TestDown" && a.Labels["miner"] == "down-1":
				firing = a
			}
		}
	}
	for _, a := range m.Alerts() {
		if a.Labels["miner"] == "up-1" {
			t.Errorf("alert of the miner that is up: %+v", a)
		}
	}
	if pending == nil || pending.State != hearth.AlertPending || pending.For != 2*time.Minute || pending.ActiveAt.IsZero() ||
		!pending.FiresAt().Equal(pending.ActiveAt.Add(2*time.Minute)) {
		t.Errorf("MinerOffline of down-1 = %+v, want pending for 2m", pending)
	}
	if firing == nil || firing.State != hearth.AlertFiring || !firing.FiresAt().IsZero() {
		t.Errorf("TestDown of down-1 = %+v, want firing without a time to fire", firing)
	}
}

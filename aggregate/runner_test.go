package aggregate_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// aggregatorServer serves an Aggregator's report endpoint for the token
// "tok-garage" (child garage); down makes it answer 503.
func aggregatorServer(t *testing.T, a *aggregate.Aggregator, down *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != aggregate.ReportPath || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		if down.Load() {
			http.Error(w, `{"message":"down"}`, http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok-garage" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Invalid API token."}`))
			return
		}
		var rep aggregate.Report
		if err := json.NewDecoder(r.Body).Decode(&rep); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ans, err := a.Report(r.Context(), "garage", &rep)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(ans)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A child program reports its site to the aggregator, publishes the target
// it answers as a request of source aggregator, and when the aggregator is
// lost the Manager applies the program's fail mode (resume: the target is
// withdrawn); when it answers again the target comes back.
func TestRunnerFollowsTheAggregatorAndFallsBackWhenLost(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	childReqs := sqlite.NewPowerRequestService(db)
	programs := sqlite.NewPowerProgramService(db, storetest.NewBox(t))

	aggReqs := openRequests(t)
	agg := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: aggReqs}
	if err := aggReqs.SetPowerRequest(context.Background(), &hearth.PowerRequest{ID: "o1", Source: hearth.SourceOverride, Site: "fleet",
		Kind: hearth.RequestLimit, LimitWatts: 2000, Start: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := aggregatorServer(t, agg, &down)

	status := func(site string) (power.SiteStatus, bool) {
		if site != "garage" {
			return power.SiteStatus{}, false
		}
		return power.SiteStatus{Site: site, FlexibleWatts: 4000, MeasuredWatts: 4000, PlannedWatts: 4000, State: power.StateFree}, true
	}
	m := &program.Manager{Programs: programs, Requests: childReqs, Status: status, Check: 10 * time.Millisecond}
	settings, _ := json.Marshal(aggregate.Settings{URL: srv.URL + "/", Aggregate: "fleet", Child: "garage", Interval: "100ms"})
	p := &hearth.PowerProgram{Name: "agg", Kind: hearth.ProgramAggregator, Sites: []string{"garage"}, FailMode: hearth.FailResume,
		SilentAfter: 500 * time.Millisecond, Enabled: true, Settings: settings, Secret: "tok-garage"}
	if err := m.CheckProgram(p); err != nil {
		t.Fatal(err)
	}
	if err := programs.SetPowerProgram(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	target := func() *hearth.PowerRequest {
		reqs, err := childReqs.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{Site: "garage", Source: hearth.SourceAggregator})
		if err != nil || len(reqs) != 1 {
			return nil
		}
		return reqs[0]
	}
	eventually(t, "the aggregator's target stored", func() bool {
		r := target()
		return r != nil && r.ID == "agg/target" && r.Kind == hearth.RequestLimit && r.LimitWatts == 2000
	})
	sts, _ := m.Statuses(context.Background())
	if len(sts) != 1 || sts[0].LastContact.IsZero() || sts[0].Silent {
		t.Fatalf("program status %+v", sts)
	}

	down.Store(true)
	eventually(t, "the fail mode resume withdrawing the target", func() bool { return target() == nil })
	sts, _ = m.Statuses(context.Background())
	if !sts[0].Silent || !strings.Contains(sts[0].LastError, "refused the report") {
		t.Errorf("program status while lost %+v", sts)
	}
	if strings.Contains(sts[0].LastError, "tok-garage") {
		t.Errorf("the secret leaked into an error: %s", sts[0].LastError)
	}
	down.Store(false)
	eventually(t, "the target back", func() bool { return target() != nil })
}

// The settings are checked before the program is stored; a wrong token and
// oversized or malformed answers are clear errors.
func TestRunnerSettingsAndErrors(t *testing.T) {
	for _, s := range []string{``, `{}`, `{"url":"ftp://x","aggregate":"fleet"}`, `{"url":"http://u:p@x","aggregate":"fleet"}`,
		`{"url":"http://x"}`, `{"url":"http://x","aggregate":"fleet","interval":"1ms"}`, `{"url":"http://x","aggregate":"fleet","extra":1}`} {
		p := &hearth.PowerProgram{Name: "agg", Kind: hearth.ProgramAggregator, Sites: []string{"garage"}, Settings: json.RawMessage(s), Secret: "t"}
		if _, err := aggregate.NewRunner(p, program.Env{}); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("settings %s: %v, want EINVALID", s, err)
		}
	}
	p := &hearth.PowerProgram{Name: "agg", Kind: hearth.ProgramAggregator, Sites: []string{"garage"}, Settings: json.RawMessage(`{"url":"http://x","aggregate":"fleet"}`)}
	if _, err := aggregate.NewRunner(p, program.Env{}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("no secret: %v", err)
	}

	var answer atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write(answer.Load().([]byte))
	}))
	defer srv.Close()
	env := program.Env{Requests: openRequests(t), Health: &program.Health{}, Now: time.Now}
	exchange := func(secret string) error {
		p := &hearth.PowerProgram{Name: "agg", Kind: hearth.ProgramAggregator, Sites: []string{"garage"},
			Settings: json.RawMessage(`{"url":"` + srv.URL + `","aggregate":"fleet"}`), Secret: secret}
		r, err := aggregate.NewRunner(p, env)
		if err != nil {
			t.Fatal(err)
		}
		return r.(*aggregate.Runner).Exchange(context.Background())
	}
	answer.Store([]byte(`{"targets":[]}`))
	if err := exchange("bad"); hearth.ErrorCode(err) != hearth.EAUTH {
		t.Errorf("wrong token: %v", err)
	}
	if err := exchange("good"); err != nil {
		t.Errorf("empty answer: %v", err)
	}
	answer.Store([]byte(`{"targets":[{"site":"garage","kind":"limit","limit_w":-5,"start":"2026-03-01T12:00:00Z"}]}`))
	if err := exchange("good"); hearth.ErrorCode(err) != hearth.EPROTOCOL {
		t.Errorf("negative limit: %v", err)
	}
	answer.Store([]byte(`{"targets":[` + strings.Repeat(" ", aggregate.MaxBody) + `]}`))
	if err := exchange("good"); hearth.ErrorCode(err) != hearth.ETOOLARGE {
		t.Errorf("huge answer: %v", err)
	}
	srv.Close()
	if err := exchange("good"); hearth.ErrorCode(err) != hearth.EUNAVAILABLE || errors.Is(err, context.Canceled) {
		t.Errorf("aggregator gone: %v", err)
	}
}

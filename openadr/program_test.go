package openadr_test

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/openadr/vtntest"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// The factory refuses settings a VEN cannot run with, before the program
// is stored, and never echoes the secret.
func TestProgramKindRefusesBadSettings(t *testing.T) {
	f, err := program.Lookup(hearth.ProgramOpenADR)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"url":"https://vtn.example.com/openadr3","version":"3.1.0","client_id":"c","programs":[{"name":"DR"}]}`
	if _, err := f(&hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{"barn"}, Settings: json.RawMessage(good), Secret: "hush"}, program.Env{}); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	for name, settings := range map[string]string{
		"not JSON":            `{"url":`,
		"unknown field":       `{"url":"https://v.example","version":"3.1.0","client_id":"c","programs":[{"name":"DR"}],"pol_interval":"1s"}`,
		"secret in settings":  `{"url":"https://v.example","version":"3.1.0","client_id":"c","client_secret":"hush","programs":[{"name":"DR"}]}`,
		"no URL":              `{"version":"3.1.0","client_id":"c","programs":[{"name":"DR"}]}`,
		"relative URL":        `{"url":"vtn","version":"3.1.0","client_id":"c","programs":[{"name":"DR"}]}`,
		"unknown version":     `{"url":"https://v.example","version":"2.0b","client_id":"c","programs":[{"name":"DR"}]}`,
		"no client ID":        `{"url":"https://v.example","version":"3.1.0","programs":[{"name":"DR"}]}`,
		"no program":          `{"url":"https://v.example","version":"3.1.0","client_id":"c"}`,
		"unnamed program":     `{"url":"https://v.example","version":"3.1.0","client_id":"c","programs":[{}]}`,
		"bad poll interval":   `{"url":"https://v.example","version":"3.1.0","client_id":"c","poll_interval":"often","programs":[{"name":"DR"}]}`,
		"bad SIMPLE fraction": `{"url":"https://v.example","version":"3.1.0","client_id":"c","programs":[{"name":"DR","simple_levels":{"1":2}}]}`,
		"two objects":         good + good,
	} {
		_, err := f(&hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{"barn"}, Settings: json.RawMessage(settings), Secret: "hush"}, program.Env{})
		if hearth.ErrorCode(err) != hearth.EINVALID || strings.Contains(err.Error(), "hush") {
			t.Errorf("%s: %v, want EINVALID without the secret", name, err)
		}
	}
	if _, err := f(&hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{"barn"}, Settings: json.RawMessage(good)}, program.Env{}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("no secret: %v, want EINVALID", err)
	}
}

// programFixture is a VTN with one program, stores and a Manager that
// runs openadr programs against a site whose measured power is fixed.
type programFixture struct {
	vtn      *vtntest.VTN
	prog     openadr.Program
	programs hearth.PowerProgramService
	requests *sqlite.PowerRequestService
	m        *program.Manager
}

func newProgramFixture(t *testing.T, version openadr.Version, measuredWatts float64) *programFixture {
	return newProgramFixtureWith(t, version, nil, func(string) float64 { return measuredWatts })
}

// newProgramFixtureWith runs the Manager on clock now (real time when nil)
// with the site's measured power given by measured.
func newProgramFixtureWith(t *testing.T, version openadr.Version, now func() time.Time, measured func(site string) float64) *programFixture {
	t.Helper()
	vtn := vtntest.New(version)
	t.Cleanup(vtn.Close)
	vtn.AddClient(clientID, clientSecret, vtntest.VENScopes(version)...)
	prog, err := vtn.CreateProgram(openadr.Program{ProgramName: programName})
	if err != nil {
		t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &programFixture{vtn: vtn, prog: prog, requests: sqlite.NewPowerRequestService(db)}
	f.m = &program.Manager{
		Programs: sqlite.NewPowerProgramService(db, storetest.NewBox(t)), Requests: f.requests, Check: 10 * time.Millisecond,
		Status: func(s string) (power.SiteStatus, bool) {
			return power.SiteStatus{Site: s, MeasuredWatts: measured(s)}, s == site
		},
		Now: now,
	}
	if now != nil {
		vtn.SetClock(now)
	}
	f.programs = f.m.Watch(sqlite.NewPowerProgramService(db, storetest.NewBox(t)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

func (f *programFixture) set(t *testing.T, settings map[string]any) {
	t.Helper()
	s := map[string]any{"url": f.vtn.URL(), "client_id": clientID, "programs": []map[string]any{{"name": programName}}}
	for k, v := range settings {
		s[k] = v
	}
	b, _ := json.Marshal(s)
	err := f.programs.SetPowerProgram(context.Background(), &hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{site},
		FailMode: hearth.FailCurtail, SilentAfter: 24 * time.Hour, Enabled: true, Settings: b, Secret: clientSecret})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *programFixture) stored(t *testing.T) []*hearth.PowerRequest {
	t.Helper()
	reqs, err := f.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{Site: site, Source: hearth.SourceOpenADR})
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

func (f *programFixture) status(t *testing.T) program.ProgramStatus {
	t.Helper()
	st, err := f.m.Statuses(context.Background())
	if err != nil || len(st) != 1 {
		t.Fatalf("statuses %+v: %v", st, err)
	}
	return st[0]
}

func waitFor(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// limitEvent is an IMPORT_CAPACITY_LIMIT event of kw starting now with n
// intervals of dur, asking for DEMAND reports.
func limitEvent(progID string, kw float64, n int, dur string) openadr.Event {
	e := openadr.Event{
		ProgramID: progID, EventName: "capacity",
		IntervalPeriod:     &openadr.IntervalPeriod{Start: rfc(time.Now()), Duration: dur},
		PayloadDescriptors: []openadr.PayloadDescriptor{{PayloadType: openadr.PayloadImportCapacityLimit, Units: "KW"}},
		ReportDescriptors:  []openadr.ReportDescriptor{{PayloadType: openadr.ReportDemand, ReadingType: openadr.ReadingMean, Units: "KW"}},
	}
	for i := range n {
		e.Intervals = append(e.Intervals, openadr.Interval{ID: int32(i), Payloads: []openadr.ValuesMap{{Type: openadr.PayloadImportCapacityLimit, Values: []any{kw}}}})
	}
	return e
}

// A running openadr program stores the VTN's event as limits of its site,
// reports contact on every poll even when nothing changes, posts the
// site's measured power back per interval, and withdraws the limit when
// the event is deleted.
func TestProgramFollowsEventsAndReports(t *testing.T) {
	t.Parallel()
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			t.Parallel()
			f := newProgramFixture(t, version, 3000)
			f.set(t, map[string]any{"version": version, "poll_interval": "50ms", "sample_interval": "20ms"})
			ev, err := f.vtn.CreateEvent(limitEvent(f.prog.ID, 5, 3, "PT1S"))
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the event's limit stored", 5*time.Second, func() bool {
				reqs := f.stored(t)
				return len(reqs) > 0 && reqs[0].LimitWatts == 5000 && reqs[0].Kind == hearth.RequestLimit &&
					strings.HasPrefix(reqs[0].ID, "grid/"+ev.ID+"/")
			})
			first := f.status(t).LastContact
			waitFor(t, "contact on a poll that changed nothing", 5*time.Second, func() bool { return f.status(t).LastContact.After(first) })

			waitFor(t, "a DEMAND report of the site", 5*time.Second, func() bool {
				for _, r := range f.vtn.Reports() {
					if r.EventID == ev.ID && len(r.Resources) == 1 && r.Resources[0].ResourceName == site && len(r.Resources[0].Intervals) == 1 {
						iv := r.Resources[0].Intervals[0]
						return len(iv.Payloads) == 1 && iv.Payloads[0].Type == "DEMAND" && iv.Payloads[0].Values[0] == 3.0
					}
				}
				return false
			})
			if err := f.vtn.DeleteEvent(ev.ID); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the limit withdrawn", 5*time.Second, func() bool { return len(f.stored(t)) == 0 })
			if st := f.status(t); !st.Running || st.Silent || st.LastError != "" {
				t.Errorf("status %+v", st)
			}
		})
	}
}

// With a callback URL, the program subscribes and a new event acts at
// once through the webhook, long before the next poll.
func TestProgramWebhookActsAtOnce(t *testing.T) {
	t.Parallel()
	f := newProgramFixture(t, openadr.Version310, 1000)
	hooks := httptest.NewServer(openadr.Webhooks())
	t.Cleanup(hooks.Close)
	f.set(t, map[string]any{"version": openadr.Version310, "poll_interval": "1h", "callback_url": hooks.URL + openadr.WebhookPath + "grid"})
	waitFor(t, "the subscription", 5*time.Second, func() bool { return len(f.vtn.Subscriptions()) == 1 })
	if _, err := f.vtn.CreateEvent(limitEvent(f.prog.ID, 2, 1, "PT1H")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the event's limit stored", 5*time.Second, func() bool { return len(f.stored(t)) == 1 })
	if errs := f.vtn.NotifyErrors(); len(errs) > 0 {
		t.Errorf("notification errors: %v", errs)
	}
	// Another program's path and an unknown token are refused.
	resp, err := hooks.Client().Post(hooks.URL+openadr.WebhookPath+"other", "application/json", strings.NewReader(`{}`))
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("unknown program's webhook: %v %v", resp, err)
	}
	resp, err = hooks.Client().Post(hooks.URL+openadr.WebhookPath+"grid", "application/json", strings.NewReader(`{}`))
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("webhook without the token: %v %v", resp, err)
	}
}

// Reports follow the descriptor's frequency: with a frequency of two
// intervals, the first report carries the mean power of intervals 0 and
// 1, and the last interval is reported when it ends, after the event has
// transpired. The clock is fake: intervals are hours long.
func TestProgramReportsAtTheDescriptorsFrequency(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now().Truncate(time.Hour)}
	start := clk.Now()
	watts := func(string) float64 {
		switch h := clk.Now().Sub(start) / time.Hour; h {
		case 0:
			return 4000
		case 1:
			return 2000
		}
		return 1000
	}
	f := newProgramFixtureWith(t, openadr.Version310, clk.Now, watts)
	f.set(t, map[string]any{"version": openadr.Version310, "poll_interval": "20ms", "sample_interval": "10ms"})
	ev := limitEvent(f.prog.ID, 5, 3, "PT1H")
	ev.IntervalPeriod.Start = rfc(start)
	two := int32(2)
	ev.ReportDescriptors[0].Frequency = &two
	ev, err := f.vtn.CreateEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	reportsOf := func() []openadr.Report {
		var out []openadr.Report
		for _, r := range f.vtn.Reports() {
			if r.EventID == ev.ID {
				out = append(out, r)
			}
		}
		return out
	}
	// sampled waits for a few samples at the current time.
	sampled := func() {
		waitFor(t, "the limit stored", 5*time.Second, func() bool { return len(f.stored(t)) > 0 })
		time.Sleep(300 * time.Millisecond)
	}
	clk.Add(10 * time.Minute)
	sampled()
	clk.Add(time.Hour)
	sampled()
	if n := len(reportsOf()); n != 0 {
		t.Fatalf("%d reports after one interval, want none before the second ends", n)
	}
	clk.Add(time.Hour)
	waitFor(t, "the report of intervals 0 and 1", 5*time.Second, func() bool { return len(reportsOf()) == 1 })
	demand := func(r openadr.Report) map[int32]float64 {
		out := map[int32]float64{}
		for _, res := range r.Resources {
			for _, iv := range res.Intervals {
				out[iv.ID] = iv.Payloads[0].Values[0].(float64)
			}
		}
		return out
	}
	near := func(got, want float64) bool { return got > want-0.25 && got < want+0.25 }
	if d := demand(reportsOf()[0]); len(d) != 2 || !near(d[0], 4) || !near(d[1], 2) {
		t.Errorf("first report %v, want about 4 kW and 2 kW", d)
	}
	sampled()
	clk.Add(time.Hour)
	waitFor(t, "the report of the last interval", 5*time.Second, func() bool { return len(reportsOf()) == 2 })
	if d := demand(reportsOf()[1]); len(d) != 1 || !near(d[2], 1) {
		t.Errorf("last report %v, want about 1 kW for interval 2", d)
	}
}

// An interval without an end ("P9999Y") never ends, yet its site's power
// is reported: the mean so far every quarter of an hour, each report
// covering the time since the one before.
func TestProgramReportsAnEndlessInterval(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now().Truncate(time.Hour)}
	start := clk.Now()
	watts := func(string) float64 {
		if clk.Now().Sub(start) < 20*time.Minute {
			return 4000
		}
		return 2000
	}
	f := newProgramFixtureWith(t, openadr.Version310, clk.Now, watts)
	f.set(t, map[string]any{"version": openadr.Version310, "poll_interval": "20ms", "sample_interval": "10ms"})
	ev := limitEvent(f.prog.ID, 5, 1, "P9999Y")
	ev.IntervalPeriod.Start = rfc(start)
	ev, err := f.vtn.CreateEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	reports := func() []float64 {
		var out []float64
		for _, r := range f.vtn.Reports() {
			if r.EventID != ev.ID {
				continue
			}
			for _, res := range r.Resources {
				for _, iv := range res.Intervals {
					if iv.ID == 0 {
						out = append(out, iv.Payloads[0].Values[0].(float64))
					}
				}
			}
		}
		return out
	}
	waitFor(t, "the limit stored", 5*time.Second, func() bool { return len(f.stored(t)) > 0 })
	clk.Add(time.Minute)
	time.Sleep(300 * time.Millisecond)
	if n := len(reports()); n != 0 {
		t.Fatalf("%d reports a minute in, want none before a quarter of an hour", n)
	}
	clk.Add(16 * time.Minute)
	waitFor(t, "the first report of the endless interval", 5*time.Second, func() bool { return len(reports()) == 1 })
	clk.Add(10 * time.Minute)
	time.Sleep(300 * time.Millisecond)
	clk.Add(10 * time.Minute)
	waitFor(t, "the second report", 5*time.Second, func() bool { return len(reports()) == 2 })
	near := func(got, want float64) bool { return got > want-0.25 && got < want+0.25 }
	// The second covers the time since the first: mostly after the drop
	// to 2 kW.
	if got := reports(); !near(got[0], 4) || got[1] > 3 || got[1] < 1.75 {
		t.Errorf("reports %v kW, want about 4, then about 2", got)
	}
}

// Overlapping events: the one of higher priority (the lower number) holds
// while both are in force, even when the other is tighter; an event
// without a priority yields to both.
func TestProgramHonoursEventPriority(t *testing.T) {
	t.Parallel()
	f := newProgramFixture(t, openadr.Version310, 3000)
	f.set(t, map[string]any{"version": openadr.Version310, "poll_interval": "20ms"})
	start := time.Now().Truncate(time.Minute).Add(time.Hour)
	event := func(kw float64, from time.Time, dur string, priority *int) openadr.Event {
		e := limitEvent(f.prog.ID, kw, 1, dur)
		e.IntervalPeriod.Start, e.Priority = rfc(from), priority
		return e
	}
	one, two := 1, 2
	for _, e := range []openadr.Event{
		event(8, start, "PT2H", &one),                    // 8 kW from 0 h to 2 h
		event(4, start.Add(time.Hour), "PT2H", &two),     // 4 kW from 1 h to 3 h
		event(2, start.Add(30*time.Minute), "PT3H", nil), // 2 kW from 0.5 h to 3.5 h
	} {
		if _, err := f.vtn.CreateEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	type span struct {
		kw         float64
		from, till time.Duration
	}
	want := []span{{8, 0, 2 * time.Hour}, {4, 2 * time.Hour, 3 * time.Hour}, {2, 3 * time.Hour, 3*time.Hour + 30*time.Minute}}
	var got []span
	waitFor(t, "the events stored by priority", 5*time.Second, func() bool {
		got = got[:0]
		for _, r := range f.stored(t) {
			got = append(got, span{r.LimitWatts / 1000, r.Start.Sub(start), r.End.Sub(start)})
		}
		slices.SortFunc(got, func(a, b span) int { return cmp.Compare(a.from, b.from) })
		return slices.Equal(got, want)
	})
}

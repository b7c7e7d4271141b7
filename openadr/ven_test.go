package openadr_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/openadr/vtntest"
)

func TestSimpleEventBecomesShed(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			start := time.Now().Add(time.Hour).Truncate(time.Second)
			e := f.event(t, simpleEvent(start, "PT4H", 2))
			snap := f.ven(t).Poll(context.Background())
			if len(snap.Errors) != 0 {
				t.Fatal(snap.Errors)
			}
			reqs := snap.Requests[site]
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1: %+v", len(reqs), reqs)
			}
			r := reqs[0]
			if r.Kind != hearth.RequestShed || r.ShedFraction != 0.75 || r.Source != hearth.SourceOpenADR || r.Site != site {
				t.Errorf("request %+v, want a 0.75 openadr shed of %s", r, site)
			}
			if !r.Start.Equal(start) || !r.End.Equal(start.Add(4*time.Hour)) {
				t.Errorf("request runs %v–%v, want %v–%v", r.Start, r.End, start, start.Add(4*time.Hour))
			}
			if r.ID != e.ID+"/0" || r.Reason != "simpleEvent" {
				t.Errorf("ID %q reason %q, want %q and simpleEvent", r.ID, r.Reason, e.ID+"/0")
			}
			if err := r.Validate(); err != nil {
				t.Error(err)
			}
			if r.ActiveAt(time.Now()) || !r.ActiveAt(start.Add(time.Minute)) {
				t.Error("the shed must hold from its start, not before")
			}
		})
	}
}

func TestDoItNowAlertShedsEverythingWithoutEnd(t *testing.T) {
	f := newFixture(t, openadr.Version310)
	f.event(t, openadr.Event{
		EventName:      "grid emergency",
		IntervalPeriod: &openadr.IntervalPeriod{Start: "0001-01-01T00:00:00Z", Duration: "P9999Y"},
		Intervals:      []openadr.Interval{{ID: 7, Payloads: []openadr.ValuesMap{{Type: "ALERT_GRID_EMERGENCY", Values: []any{"load shed now"}}}}},
	})
	v := f.ven(t)
	before := time.Now()
	first := v.Poll(context.Background()).Requests[site]
	if len(first) != 1 || first[0].ShedFraction != 1 || !first[0].End.IsZero() || first[0].Start.Before(before) {
		t.Fatalf("got %+v, want one full shed from now with no end", first)
	}
	time.Sleep(10 * time.Millisecond)
	second := v.Poll(context.Background()).Requests[site]
	if len(second) != 1 || !second[0].Start.Equal(first[0].Start) {
		t.Errorf("a 'now' event moved between polls: %v then %+v", first[0].Start, second)
	}
}

func TestLimitInKWBecomesWatts(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			start := time.Now().Add(-time.Minute).Truncate(time.Second)
			e := f.event(t, openadr.Event{
				EventName:          "envelope",
				IntervalPeriod:     &openadr.IntervalPeriod{Start: rfc(start), Duration: "PT1H"},
				PayloadDescriptors: []openadr.PayloadDescriptor{{PayloadType: "IMPORT_CAPACITY_LIMIT", Units: "KW"}, {PayloadType: "DISPATCH_SETPOINT", Units: "MW"}},
				Intervals: []openadr.Interval{
					{ID: 1, Payloads: []openadr.ValuesMap{{Type: "IMPORT_CAPACITY_LIMIT", Values: []any{250.0}}}},
					{ID: 2, Payloads: []openadr.ValuesMap{{Type: "DISPATCH_SETPOINT", Values: []any{1.5}}}},
				},
			})
			reqs := f.ven(t).Poll(context.Background()).Requests[site]
			if len(reqs) != 2 {
				t.Fatalf("got %+v, want 2 requests", reqs)
			}
			if reqs[0].Kind != hearth.RequestLimit || reqs[0].LimitWatts != 250_000 || reqs[0].ID != e.ID+"/1" {
				t.Errorf("first %+v, want a 250 000 W limit %s/1", reqs[0], e.ID)
			}
			if reqs[1].LimitWatts != 1_500_000 || !reqs[1].Start.Equal(start.Add(time.Hour)) || !reqs[1].End.Equal(start.Add(2*time.Hour)) {
				t.Errorf("second %+v, want 1.5 MW in the following hour", reqs[1])
			}
		})
	}
}

func TestDeletedEventDisappears(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			start := time.Now().Add(time.Hour)
			keep := f.event(t, simpleEvent(start, "PT1H", 1))
			gone := f.event(t, simpleEvent(start, "PT1H", 3))
			v := f.ven(t)
			if n := len(v.Poll(context.Background()).Requests[site]); n != 2 {
				t.Fatalf("got %d requests before the delete, want 2", n)
			}
			if err := f.vtn.DeleteEvent(gone.ID); err != nil {
				t.Fatal(err)
			}
			reqs := v.Poll(context.Background()).Requests[site]
			if len(reqs) != 1 || !strings.HasPrefix(reqs[0].ID, keep.ID+"/") {
				t.Errorf("after deleting %s got %+v, want only %s", gone.ID, reqs, keep.ID)
			}
		})
	}
}

func TestPagingOverFiftyEvents(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			start := time.Now().Add(time.Hour)
			for i := 0; i < 120; i++ {
				f.event(t, simpleEvent(start.Add(time.Duration(i)*time.Hour), "PT1H", 1))
			}
			snap := f.ven(t).Poll(context.Background())
			if len(snap.Errors) != 0 {
				t.Fatal(snap.Errors)
			}
			if n := len(snap.Requests[site]); n != 120 {
				t.Errorf("got %d requests, want 120", n)
			}
			var pages []string
			for _, r := range f.vtn.Requests() {
				if strings.HasPrefix(r, "GET /events") {
					pages = append(pages, r)
				}
			}
			if len(pages) != 3 || !strings.Contains(pages[2], "skip=100") || !strings.Contains(pages[2], "limit=50") {
				t.Errorf("event pages %v, want 3 pages of limit 50", pages)
			}
			if version == openadr.Version310 && !strings.Contains(pages[0], "active=true") {
				t.Errorf("3.1.0 poll %q does not ask for active events", pages[0])
			}
		})
	}
}

func TestTokenRenewal(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			clk := &clock{t: time.Now()}
			f.vtn.SetClock(clk.Now)
			f.vtn.SetTokenLifetime(10 * time.Minute)
			v := f.ven(t)
			v.Now = clk.Now
			ctx := context.Background()
			mustPoll(t, v)
			mustPoll(t, v)
			if n := f.vtn.TokensIssued(); n != 1 {
				t.Fatalf("%d tokens for two polls, want 1 (cached)", n)
			}
			// Close to expiry the VEN renews before the VTN would refuse.
			clk.Add(9*time.Minute + 30*time.Second)
			mustPoll(t, v)
			if n := f.vtn.TokensIssued(); n != 2 {
				t.Errorf("%d tokens after nearing expiry, want 2", n)
			}
			// A token the VTN revoked gets one renewal and a retry.
			f.vtn.RevokeTokens()
			if errs := v.Poll(ctx).Errors; len(errs) != 0 {
				t.Fatalf("poll after revocation: %v", errs)
			}
			if n := f.vtn.TokensIssued(); n != 3 {
				t.Errorf("%d tokens after a revocation, want 3", n)
			}
		})
	}
}

func mustPoll(t *testing.T, v *openadr.VEN) *openadr.Snapshot {
	t.Helper()
	snap := v.Poll(context.Background())
	if len(snap.Errors) != 0 {
		t.Fatal(snap.Errors)
	}
	return snap
}

func TestMissingScopeIsForbidden(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version, vtntest.ScopeWriteReports)
			snap := f.ven(t).Poll(context.Background())
			if len(snap.Errors) != 1 || hearth.ErrorCode(snap.Errors[0]) != hearth.EFORBIDDEN {
				t.Fatalf("errors %v, want one EFORBIDDEN", snap.Errors)
			}
			if n := f.vtn.TokensIssued(); n != 2 {
				t.Errorf("%d tokens, want 2: a 403 is retried once with a fresh token", n)
			}
		})
	}
}

func TestBadCredentialsAreEAUTHWithoutTheSecret(t *testing.T) {
	f := newFixture(t, openadr.Version310)
	f.cfg.ClientSecret = "wrong-secret-value"
	snap := f.ven(t).Poll(context.Background())
	if len(snap.Errors) != 1 || hearth.ErrorCode(snap.Errors[0]) != hearth.EAUTH {
		t.Fatalf("errors %v, want one EAUTH", snap.Errors)
	}
	if strings.Contains(snap.Errors[0].Error(), "wrong-secret-value") {
		t.Errorf("error %q shows the secret", snap.Errors[0])
	}
}

func TestConfigNeverShowsSecrets(t *testing.T) {
	cfg := openadr.Config{ClientSecret: clientSecret, CallbackToken: "cb-token-xyz"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(&cfg)} {
		if strings.Contains(s, clientSecret) || strings.Contains(s, "cb-token-xyz") {
			t.Errorf("%s shows a secret", s)
		}
	}
}

func TestSilenceCallsSilentOnceThenResumes(t *testing.T) {
	f := newFixture(t, openadr.Version310)
	f.cfg.PollInterval = 20 * time.Millisecond
	f.cfg.Programs[0].SilentAfter = 150 * time.Millisecond
	f.event(t, simpleEvent(time.Now().Add(time.Hour), "PT1H", 1))
	v := f.ven(t)
	s := newSink()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- v.Run(ctx, s) }()
	defer func() { cancel(); <-done }()
	s.wait(t, "replace")
	if n := len(s.requests(site)); n != 1 {
		t.Fatalf("first delivery has %d requests, want 1", n)
	}
	f.vtn.SetDown(true)
	s.wait(t, "silent")
	time.Sleep(200 * time.Millisecond)
	s.mu.Lock()
	silences := append([]string(nil), s.silent...)
	s.mu.Unlock()
	if len(silences) != 1 || silences[0] != site+":curtail" {
		t.Fatalf("silences %v, want one curtail of %s", silences, site)
	}
	f.vtn.SetDown(false)
	s.wait(t, "replace")
	if n := len(s.requests(site)); n != 1 {
		t.Errorf("after the silence %d requests, want 1", n)
	}
}

func TestReportReachesVTN(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			start := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
			ev := simpleEvent(start, "PT1H", 1)
			ev.ReportDescriptors = []openadr.ReportDescriptor{{PayloadType: "DEMAND", ReadingType: "MEAN", Units: "KW"}, {PayloadType: "USAGE", Units: "KWH"}}
			e := f.event(t, ev)
			v := f.ven(t)
			snap := mustPoll(t, v)
			if len(snap.Reports) != 1 || snap.Reports[0].EventID != e.ID || len(snap.Reports[0].Intervals) != 1 {
				t.Fatalf("report requests %+v, want one for %s", snap.Reports, e.ID)
			}
			rr := snap.Reports[0]
			iv := rr.Intervals[0]
			stored, err := v.Report(context.Background(), rr, []openadr.Measurement{{Site: site, IntervalID: iv.IntervalID, Start: iv.Start, End: iv.End, Watts: 1500}})
			if err != nil {
				t.Fatal(err)
			}
			reps := f.vtn.Reports()
			if len(reps) != 1 || reps[0].ID != stored.ID {
				t.Fatalf("VTN holds %+v, want the posted report", reps)
			}
			r := reps[0]
			if version == openadr.Version301 && r.ProgramID != f.prog.ID {
				t.Errorf("3.0.1 report programID %q, want %q", r.ProgramID, f.prog.ID)
			}
			if version == openadr.Version310 && r.ProgramID != "" {
				t.Errorf("3.1.0 report carries programID %q", r.ProgramID)
			}
			if r.EventID != e.ID || r.ClientName != "hearth-test" || r.ClientID != clientID {
				t.Errorf("report %+v names the wrong event or client", r)
			}
			if len(r.PayloadDescriptors) != 2 || r.PayloadDescriptors[0].ObjectType != openadr.ReportPayloadDescriptor || r.PayloadDescriptors[0].Units != "KW" || r.PayloadDescriptors[1].PayloadType != "USAGE" {
				t.Errorf("descriptors %+v", r.PayloadDescriptors)
			}
			if len(r.Resources) != 1 || r.Resources[0].ResourceName != site || len(r.Resources[0].Intervals) != 1 {
				t.Fatalf("resources %+v, want one for %s", r.Resources, site)
			}
			got := r.Resources[0].Intervals[0]
			if got.ID != 0 || len(got.Payloads) != 2 || got.Payloads[0].Type != "DEMAND" || got.Payloads[0].Values[0] != 1.5 || got.Payloads[1].Values[0] != 1.5 {
				t.Errorf("interval %+v, want DEMAND 1.5 kW and USAGE 1.5 kWh over the hour", got)
			}
		})
	}
}

func TestWebhookNotificationTriggersPoll(t *testing.T) {
	for _, version := range versions {
		t.Run(string(version), func(t *testing.T) {
			f := newFixture(t, version)
			var v *openadr.VEN
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v.WebhookHandler().ServeHTTP(w, r) }))
			defer hook.Close()
			f.cfg.CallbackURL = hook.URL + "/openadr/callback"
			f.cfg.CallbackToken = "hook-token"
			v = f.ven(t)

			// The ownership check and the bearer token.
			resp, err := http.Get(hook.URL + "/openadr/callback?echo=abc123")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "abc123" {
				t.Errorf("echo answered %d %q", resp.StatusCode, body)
			}
			resp, err = http.Post(hook.URL+"/openadr/callback", "application/json", strings.NewReader(`{"objectType":"EVENT","operation":"CREATE","object":{}}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("a notification without the token got %d, want 401", resp.StatusCode)
			}

			s := newSink()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- v.Run(ctx, s) }()
			defer func() { cancel(); <-done }()
			s.wait(t, "replace")
			subs := f.vtn.Subscriptions()
			if len(subs) != 1 || subs[0].ObjectOperations[0].CallbackURL != f.cfg.CallbackURL || subs[0].ProgramID != f.prog.ID {
				t.Fatalf("subscriptions %+v, want one for the callback", subs)
			}
			// The poll interval is an hour: only the notification can
			// bring the new event in.
			f.event(t, simpleEvent(time.Now().Add(time.Hour), "PT1H", 3))
			s.wait(t, "replace")
			if reqs := s.requests(site); len(reqs) != 1 || reqs[0].ShedFraction != 1 {
				t.Errorf("after the notification got %+v, want a full shed", reqs)
			}
			if errs := f.vtn.NotifyErrors(); len(errs) != 0 {
				t.Errorf("notification errors: %v", errs)
			}
			// A restarted VEN reuses its subscription.
			again := f.ven(t)
			mustPoll(t, again)
			if err := again.Subscribe(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(f.vtn.Subscriptions()); n != 1 {
				t.Errorf("%d subscriptions after a restart, want 1", n)
			}
		})
	}
}

// fakeVTN answers auth and programs properly and /events with body.
func fakeVTN(t *testing.T, events func(w http.ResponseWriter)) string {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /auth/server", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"tokenURL":%q}`, srv.URL+"/auth/token")
	})
	mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("GET /programs", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"id":"p1","programName":"`+programName+`"}]`)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) { events(w) })
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMalformedVTNAnswersAreHearthErrors(t *testing.T) {
	cases := []struct {
		name   string
		events func(w http.ResponseWriter)
		code   string
	}{
		{"not a list", func(w http.ResponseWriter) { io.WriteString(w, `{"not":"a list"}`) }, hearth.EPROTOCOL},
		{"truncated", func(w http.ResponseWriter) { io.WriteString(w, `[{"id":"1","programID":"p1","intervals":[`) }, hearth.EPROTOCOL},
		{"other program", func(w http.ResponseWriter) { io.WriteString(w, `[{"id":"1","programID":"zz","intervals":[]}]`) }, hearth.EPROTOCOL},
		{"oversized", func(w http.ResponseWriter) {
			io.WriteString(w, "[")
			chunk := strings.Repeat(" ", 1<<20)
			for i := 0; i < 10; i++ {
				io.WriteString(w, chunk)
			}
		}, hearth.ETOOLARGE},
		{"server error", func(w http.ResponseWriter) { http.Error(w, "boom", 500) }, hearth.EUNAVAILABLE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := openadr.New(openadr.Config{URL: fakeVTN(t, c.events), Version: openadr.Version310, ClientID: "c", ClientSecret: "s", VENName: "v",
				Programs: []openadr.ProgramConfig{{Name: programName, Sites: []string{site}}}})
			if err != nil {
				t.Fatal(err)
			}
			snap := v.Poll(context.Background())
			if len(snap.Errors) != 1 || hearth.ErrorCode(snap.Errors[0]) != c.code {
				t.Errorf("errors %v, want one %s", snap.Errors, c.code)
			}
		})
	}
}

func TestReportRequestsListEventsThatAskForReports(t *testing.T) {
	f := newFixture(t, openadr.Version310)
	plain := simpleEvent(time.Now().Add(time.Hour), "PT1H", 1)
	f.event(t, plain)
	plain.ReportDescriptors = []openadr.ReportDescriptor{{PayloadType: "USAGE"}}
	asks := f.event(t, plain)
	v := f.ven(t)
	mustPoll(t, v)
	rrs := v.ReportRequests()
	if len(rrs) != 1 || rrs[0].EventID != asks.ID || rrs[0].Sites[0] != site || rrs[0].Descriptors[0].PayloadType != "USAGE" {
		t.Errorf("report requests %+v, want only event %s", rrs, asks.ID)
	}
}

// A poll says whether the VTN was heard, so that a caller can record
// contact on every good poll, not only when the requests change.
func TestPollSaysWhetherTheVTNWasHeard(t *testing.T) {
	f := newFixture(t, openadr.Version310)
	v := f.ven(t)
	ctx := context.Background()
	if snap := v.Poll(ctx); !snap.Heard || len(snap.Errors) != 0 {
		t.Fatalf("first poll heard %v errors %v", snap.Heard, snap.Errors)
	}
	if snap := v.Poll(ctx); !snap.Heard {
		t.Fatal("a poll that changed nothing was not heard")
	}
	f.vtn.SetDown(true)
	if snap := v.Poll(ctx); snap.Heard || len(snap.Errors) != 1 {
		t.Fatalf("poll of a VTN that is down: heard %v errors %v", snap.Heard, snap.Errors)
	}
	f.vtn.SetDown(false)
	if snap := v.Poll(ctx); !snap.Heard {
		t.Fatal("poll of a VTN back up not heard")
	}
}

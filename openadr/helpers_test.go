package openadr_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/openadr/vtntest"
)

var versions = []openadr.Version{openadr.Version301, openadr.Version310}

const (
	clientID     = "ven-client"
	clientSecret = "s3cret-never-logged"
	programName  = "DR-Summer"
	site         = "site-a"
)

// fixture is a VTN with one program and a VEN configured for it.
type fixture struct {
	vtn  *vtntest.VTN
	prog openadr.Program
	cfg  openadr.Config
}

func newFixture(t *testing.T, version openadr.Version, scopes ...string) *fixture {
	t.Helper()
	vtn := vtntest.New(version)
	t.Cleanup(vtn.Close)
	if scopes == nil {
		scopes = vtntest.VENScopes(version)
	}
	vtn.AddClient(clientID, clientSecret, scopes...)
	prog, err := vtn.CreateProgram(openadr.Program{ProgramName: programName})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{vtn: vtn, prog: prog, cfg: openadr.Config{
		URL: vtn.URL(), Version: version, ClientID: clientID, ClientSecret: clientSecret,
		VENName: "hearth-test", PollInterval: time.Hour,
		Programs: []openadr.ProgramConfig{{Name: programName, Sites: []string{site}, FailMode: hearth.FailCurtail}},
	}}
}

func (f *fixture) ven(t *testing.T) *openadr.VEN {
	t.Helper()
	v, err := openadr.New(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) event(t *testing.T, e openadr.Event) openadr.Event {
	t.Helper()
	e.ProgramID = f.prog.ID
	stored, err := f.vtn.CreateEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// simpleEvent is the User Guide's SIMPLE load shed event at a given level.
func simpleEvent(start time.Time, dur string, level float64) openadr.Event {
	return openadr.Event{
		EventName:          "simpleEvent",
		IntervalPeriod:     &openadr.IntervalPeriod{Start: rfc(start), Duration: dur},
		PayloadDescriptors: []openadr.PayloadDescriptor{{PayloadType: "SIMPLE"}},
		Intervals:          []openadr.Interval{{ID: 0, Payloads: []openadr.ValuesMap{{Type: "SIMPLE", Values: []any{level}}}}},
	}
}

// sink records what the VEN hands over.
type sink struct {
	mu      sync.Mutex
	reqs    map[string][]hearth.PowerRequest
	prices  map[string][]hearth.PricePoint
	silent  []string
	replace int
	changed chan string
}

func newSink() *sink {
	return &sink{reqs: map[string][]hearth.PowerRequest{}, prices: map[string][]hearth.PricePoint{}, changed: make(chan string, 100)}
}

func (s *sink) ReplaceRequests(_ context.Context, site string, reqs []hearth.PowerRequest) error {
	s.mu.Lock()
	s.reqs[site] = reqs
	s.replace++
	s.mu.Unlock()
	s.changed <- "replace"
	return nil
}

func (s *sink) ReplacePrices(_ context.Context, program string, prices []hearth.PricePoint) error {
	s.mu.Lock()
	s.prices[program] = prices
	s.mu.Unlock()
	return nil
}

func (s *sink) Silent(_ context.Context, site string, mode hearth.FailMode, _ time.Time) error {
	s.mu.Lock()
	s.silent = append(s.silent, site+":"+string(mode))
	s.mu.Unlock()
	s.changed <- "silent"
	return nil
}

// wait waits for the next sink call of a kind.
func (s *sink) wait(t *testing.T, kind string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case k := <-s.changed:
			if k == kind {
				return
			}
		case <-deadline:
			t.Fatalf("no %s call within 5 s", kind)
		}
	}
}

func (s *sink) requests(site string) []hearth.PowerRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[site]
}

// clock is a settable clock for the VEN and the VTN.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

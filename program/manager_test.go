package program_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// testKind is a program kind for these tests: its runner publishes one
// shed request per site and reports contact while answering is on.
const testKind hearth.ProgramKind = "test-echo"

var answering atomic.Bool

// loops counts the test runners' turns, so that a test can wait out a turn
// that read answering before it changed.
var loops atomic.Int64

// quiet stops the test runners answering and waits until every turn that
// may still have read the old value has ended.
func quiet(t *testing.T) {
	t.Helper()
	answering.Store(false)
	start := loops.Load()
	eventually(t, "two turns of the runners", func() bool { return loops.Load() >= start+2 })
}

func init() {
	program.Register(testKind, func(p *hearth.PowerProgram, env program.Env) (program.Runner, error) {
		var s struct{ Shed float64 }
		if err := json.Unmarshal(p.Settings, &s); err != nil || s.Shed <= 0 || s.Shed > 1 {
			return nil, hearth.Errorf(hearth.EINVALID, "settings need a shed between 0 and 1")
		}
		return runnerFunc(func(ctx context.Context) error {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				loops.Add(1)
				if answering.Load() {
					env.Health.Contact(env.Now())
					for _, site := range p.Sites {
						err := program.ReplaceRequests(ctx, env.Requests, p, site, []hearth.PowerRequest{{ID: "evt", Kind: hearth.RequestShed,
							ShedFraction: s.Shed, Start: storetest.Now}})
						if err != nil && ctx.Err() == nil {
							return err
						}
					}
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		}), nil
	})
}

type runnerFunc func(context.Context) error

func (f runnerFunc) Run(ctx context.Context) error { return f(ctx) }

type fixture struct {
	programs *sqlite.PowerProgramService
	requests *sqlite.PowerRequestService
	m        *program.Manager
	mu       sync.Mutex
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{programs: sqlite.NewPowerProgramService(db, storetest.NewBox(t)), requests: sqlite.NewPowerRequestService(db), now: time.Now()}
	f.m = &program.Manager{Programs: f.programs, Requests: f.requests, Check: 5 * time.Millisecond, Now: f.clock}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// requests lists the stored requests as "source site id".
func (f *fixture) storedRequests(t *testing.T) map[string]bool {
	t.Helper()
	reqs, err := f.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range reqs {
		out[string(r.Source)+" "+r.Site+" "+r.ID] = true
	}
	return out
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A program runs once stored, publishes its requests under its own name,
// falls back to its fail mode when its source goes silent, lifts it when
// the source answers, and withdraws everything when removed.
func TestManagerRunsProgramsAndTheirFailMode(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.m.Run(ctx) }()
	programs := f.m.Watch(f.programs)

	if err := programs.SetPowerProgram(ctx, &hearth.PowerProgram{Name: "grid", Kind: testKind, Sites: []string{"barn"}, FailMode: hearth.FailCurtail,
		SilentAfter: time.Minute, Enabled: true, Settings: json.RawMessage(`{"Shed":2}`)}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("settings the kind refuses: %v, want EINVALID", err)
	}
	if err := programs.SetPowerProgram(ctx, &hearth.PowerProgram{Name: "grid", Kind: "smoke-signals", Sites: []string{"barn"}, FailMode: hearth.FailCurtail,
		Enabled: true}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("an unknown kind: %v, want EINVALID", err)
	}
	answering.Store(true)
	grid := &hearth.PowerProgram{Name: "grid", Kind: testKind, Sites: []string{"barn", "garage"}, FailMode: hearth.FailCurtail,
		SilentAfter: time.Minute, Enabled: true, Settings: json.RawMessage(`{"Shed":0.5}`)}
	if err := programs.SetPowerProgram(ctx, grid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the program's requests", func() bool {
		r := f.storedRequests(t)
		return r["signal barn grid/evt"] && r["signal garage grid/evt"]
	})

	// The source goes silent past a minute: both sites are curtailed.
	quiet(t)
	f.advance(2 * time.Minute)
	eventually(t, "the fail-safe curtailment", func() bool {
		r := f.storedRequests(t)
		return r["failsafe barn grid"] && r["failsafe garage grid"]
	})
	st, _ := f.m.Statuses(ctx)
	if len(st) != 1 || !st[0].Silent || !st[0].Running {
		t.Errorf("statuses %+v, want grid running and silent", st)
	}
	// It answers again: the fail-safe is lifted.
	answering.Store(true)
	eventually(t, "the fail-safe lifted", func() bool {
		f.advance(time.Second)
		return !f.storedRequests(t)["failsafe barn grid"]
	})

	if err := programs.DeletePowerProgram(ctx, "grid"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the program's requests withdrawn", func() bool { return len(f.storedRequests(t)) == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A fail-safe a previous run applied holds across a restart until the
// source answers.
func TestManagerKeepsAFailSafeAcrossRestarts(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answering.Store(false)
	p := &hearth.PowerProgram{Name: "vtn", Kind: testKind, Sites: []string{"barn"}, FailMode: hearth.FailCurtail, SilentAfter: time.Hour,
		Enabled: true, Settings: json.RawMessage(`{"Shed":1}`)}
	if err := f.programs.SetPowerProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := f.requests.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "vtn", Source: hearth.SourceFailSafe, Site: "barn", Kind: hearth.RequestShed,
		ShedFraction: 1, Start: storetest.Now}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.m.Run(ctx) }()
	// The runners stop before the database closes.
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond)
	if !f.storedRequests(t)["failsafe barn vtn"] {
		t.Fatal("the fail-safe was lifted while the source is still silent")
	}
	answering.Store(true)
	eventually(t, "the fail-safe lifted", func() bool { return !f.storedRequests(t)["failsafe barn vtn"] })
}

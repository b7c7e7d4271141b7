package program

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// DefaultCheck is how often a Manager looks for silent sources.
const DefaultCheck = 5 * time.Second

// Manager runs one Runner per enabled program, restarts it when the
// program changes, stops it when the program is disabled or removed (and
// withdraws its requests then), and applies a program's fail mode while
// its source is silent. Set the fields, then Run.
type Manager struct {
	Programs hearth.PowerProgramService
	// Requests is where runners and fail modes write; give the one that
	// wakes the power controller.
	Requests hearth.PowerRequestService
	Status   func(site string) (power.SiteStatus, bool)
	Now      func() time.Time
	Logger   *slog.Logger
	// Check: see DefaultCheck.
	Check time.Duration

	mu      sync.Mutex
	running map[string]*running
	reload  chan struct{}
	wg      sync.WaitGroup
}

// running is one program's runner.
type running struct {
	program *hearth.PowerProgram
	health  *Health
	cancel  context.CancelFunc
	// silent is true while the program's fail mode applies, since
	// silentAt (zero when a previous run applied it).
	silent   bool
	silentAt time.Time
	// err is why the runner could not start or stopped.
	err string
}

// ProgramStatus is how a program's runner is doing, for the API.
type ProgramStatus struct {
	Name        string             `json:"name"`
	Kind        hearth.ProgramKind `json:"kind"`
	Enabled     bool               `json:"enabled"`
	Running     bool               `json:"running"`
	Silent      bool               `json:"silent"`
	LastContact time.Time          `json:"last_contact,omitzero"`
	LastError   string             `json:"last_error,omitempty"`
	LastErrorAt time.Time          `json:"last_error_at,omitzero"`
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}

func (m *Manager) init() {
	if m.running == nil {
		m.running = map[string]*running{}
		m.reload = make(chan struct{}, 1)
	}
}

// env returns the environment of a runner with health h.
func (m *Manager) env(h *Health) Env {
	return Env{Requests: m.Requests, Status: m.Status, Health: h, Now: m.now, Logger: m.logger()}
}

// Run starts the enabled programs and supervises them until ctx ends,
// then stops every runner and waits for them.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	m.init()
	reload := m.reload
	m.mu.Unlock()
	t := time.NewTicker(cmp.Or(m.Check, DefaultCheck))
	defer t.Stop()
	m.sync(ctx)
	for {
		select {
		case <-ctx.Done():
			m.mu.Lock()
			for _, r := range m.running {
				r.cancel()
			}
			m.mu.Unlock()
			m.wg.Wait()
			return nil
		case <-reload:
			m.sync(ctx)
		case <-t.C:
		}
		m.watch(ctx)
	}
}

// Reload makes Run compare the stored programs with the running ones at
// once. It never blocks.
func (m *Manager) Reload() {
	m.mu.Lock()
	m.init()
	reload := m.reload
	m.mu.Unlock()
	select {
	case reload <- struct{}{}:
	default:
	}
}

// sync starts new and changed programs and stops those removed or
// disabled.
func (m *Manager) sync(ctx context.Context) {
	list, err := m.Programs.FindPowerPrograms(ctx)
	if err != nil {
		m.logger().Warn("power programs", "err", err)
		return
	}
	stored := map[string]*hearth.PowerProgram{}
	for _, p := range list {
		if p.Enabled {
			stored[p.Name] = p
		}
	}
	m.mu.Lock()
	var stop []*running
	for name, r := range m.running {
		if p, ok := stored[name]; !ok || !p.UpdatedAt.Equal(r.program.UpdatedAt) {
			stop = append(stop, r)
			delete(m.running, name)
		}
	}
	m.mu.Unlock()
	for _, r := range stop {
		r.cancel()
		if _, still := stored[r.program.Name]; !still {
			m.withdraw(ctx, r.program)
		}
	}
	for name := range stored {
		m.mu.Lock()
		_, on := m.running[name]
		m.mu.Unlock()
		if !on {
			m.start(ctx, name)
		}
	}
	// A program removed or disabled while hearth was stopped leaves
	// requests of its own behind: withdraw them too.
	m.sweep(ctx, stored)
}

// start runs the stored program name.
func (m *Manager) start(ctx context.Context, name string) {
	p, err := m.Programs.FindPowerProgramByName(ctx, name)
	if err != nil {
		m.logger().Warn("power program", "program", name, "err", err)
		return
	}
	h := &Health{started: m.now()}
	rctx, cancel := context.WithCancel(ctx)
	r := &running{program: p, health: h, cancel: cancel, silent: m.hasFailSafe(ctx, p)}
	m.mu.Lock()
	m.running[name] = r
	m.mu.Unlock()
	f, err := Lookup(p.Kind)
	var runner Runner
	if err == nil {
		runner, err = f(p, m.env(h))
	}
	if err != nil {
		m.setErr(r, err)
		m.logger().Warn("power program not started", "program", name, "kind", string(p.Kind), "err", err)
		return
	}
	m.logger().Info("power program started", "program", name, "kind", string(p.Kind), "sites", p.Sites)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := runner.Run(rctx); err != nil && rctx.Err() == nil {
			m.setErr(r, err)
			m.logger().Warn("power program stopped", "program", name, "err", err)
		}
	}()
}

func (m *Manager) setErr(r *running, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.err = hearth.ErrorMessage(err)
	r.health.Failed(m.now(), err)
}

// hasFailSafe reports whether a fail-safe request of p is stored: a
// previous run applied p's fail mode and it holds until the source
// answers again.
func (m *Manager) hasFailSafe(ctx context.Context, p *hearth.PowerProgram) bool {
	reqs, err := m.Requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{Source: hearth.SourceFailSafe})
	if err != nil {
		return false
	}
	return slices.ContainsFunc(reqs, func(r *hearth.PowerRequest) bool { return r.ID == failSafeID(p) })
}

// withdraw removes every request of p, fail-safe included: a program that
// is gone asks nothing any more.
func (m *Manager) withdraw(ctx context.Context, p *hearth.PowerProgram) {
	for _, site := range p.Sites {
		if err := ReplaceRequests(ctx, m.Requests, p, site, nil); err != nil {
			m.logger().Warn("withdraw power program's requests", "program", p.Name, "err", err)
		}
	}
	if err := liftFailMode(ctx, m.Requests, p); err != nil {
		m.logger().Warn("withdraw power program's fail-safe", "program", p.Name, "err", err)
	}
}

// sweep withdraws the stored requests of programs that no longer run:
// the program's name is the first part of their IDs.
func (m *Manager) sweep(ctx context.Context, enabled map[string]*hearth.PowerProgram) {
	reqs, err := m.Requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{})
	if err != nil {
		return
	}
	for _, r := range reqs {
		// Overrides are operators', signals lapse by themselves.
		if r.Source == hearth.SourceOverride || r.Source == hearth.SourceSignal {
			continue
		}
		name := programOf(r)
		if name == "" || enabled[name] != nil {
			continue
		}
		if err := m.Requests.DeletePowerRequest(ctx, r.Source, r.Site, r.ID); err != nil && hearth.ErrorCode(err) != hearth.ENOTFOUND {
			m.logger().Warn("withdraw an orphaned power request", "source", string(r.Source), "id", r.ID, "err", err)
		}
	}
}

// watch applies the fail mode of programs whose source went silent, and
// lifts it from those that answered again.
func (m *Manager) watch(ctx context.Context) {
	now := m.now()
	m.mu.Lock()
	runs := make([]*running, 0, len(m.running))
	for _, r := range m.running {
		runs = append(runs, r)
	}
	m.mu.Unlock()
	for _, r := range runs {
		since := r.health.silentSince()
		contact, _, _ := r.health.snapshot()
		quiet := now.Sub(since) > r.program.Silence()
		m.mu.Lock()
		silent, silentAt := r.silent, r.silentAt
		m.mu.Unlock()
		switch {
		case quiet && !silent:
			m.logger().Warn("power program silent: applying its fail mode", "program", r.program.Name,
				"since", since, "fail_mode", string(r.program.FailMode))
			if err := applyFailMode(ctx, m.Requests, r.program, since, now); err != nil {
				m.logger().Warn("fail mode", "program", r.program.Name, "err", err)
				continue
			}
			m.mu.Lock()
			r.silent, r.silentAt = true, now
			m.mu.Unlock()
		case silent && !quiet && !contact.IsZero() && contact.After(silentAt):
			// Only word from the source lifts the fail mode: a runner
			// that just started has heard nothing yet.
			m.logger().Info("power program answers again: fail mode lifted", "program", r.program.Name)
			if err := liftFailMode(ctx, m.Requests, r.program); err != nil {
				m.logger().Warn("lift fail mode", "program", r.program.Name, "err", err)
				continue
			}
			m.mu.Lock()
			r.silent = false
			m.mu.Unlock()
		}
	}
}

// Statuses returns how every program is doing, stored programs that do
// not run included.
func (m *Manager) Statuses(ctx context.Context) ([]ProgramStatus, error) {
	list, err := m.Programs.FindPowerPrograms(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]ProgramStatus, 0, len(list))
	for _, p := range list {
		st := ProgramStatus{Name: p.Name, Kind: p.Kind, Enabled: p.Enabled}
		if r, ok := m.running[p.Name]; ok {
			st.Running, st.Silent = r.err == "", r.silent
			st.LastContact, st.LastError, st.LastErrorAt = r.health.snapshot()
		}
		out = append(out, st)
	}
	return out, nil
}

// CheckProgram builds p's runner without running it, so that a program whose
// settings its kind refuses is refused before it is stored.
func (m *Manager) CheckProgram(p *hearth.PowerProgram) error {
	if err := p.Validate(); err != nil {
		return err
	}
	f, err := Lookup(p.Kind)
	if err != nil {
		return err
	}
	if _, err := f(p, m.env(&Health{})); err != nil {
		return fmt.Errorf("program %s: %w", p.Name, err)
	}
	return nil
}

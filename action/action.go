package action

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
)

// Defaults: a control verb is one or two HTTP requests, but a reboot's
// reply can take a while on a busy controller.
const (
	DefaultConcurrency = 32
	DefaultTimeout     = 30 * time.Second
)

// Service runs actions. Set the exported fields before use.
type Service struct {
	Miners hearth.MinerService
	Audit  hearth.AuditService
	// Credentials, when set, supplies each miner's credentials (miner over
	// site over family); otherwise drivers use their family's defaults.
	Credentials hearth.CredentialService
	// Lookup finds the driver for a family; nil means driver.Lookup.
	Lookup func(hearth.Family) (hearth.Driver, error)
	// Via, when set, sends each command of Do through it rather than
	// straight to the driver: the reconciler's Do, which writes it to the
	// command journal first and holds the site's batch limit and the
	// miner's one-command lock. It must reach the driver through Apply.
	Via         func(ctx context.Context, m *hearth.Miner, a hearth.Action, actor string) hearth.ActionResult
	Concurrency int
	Timeout     time.Duration
	Now         func() time.Time
}

// Do applies a to the miners sel chooses, on behalf of actor, and returns
// the audit entry with one result per miner (sorted by miner ID). A miner
// the verb fails on is a result, not an error: Do fails only when the
// action is invalid, nothing matches, or the audit log cannot be written.
func (s *Service) Do(ctx context.Context, actor string, sel Selector, a hearth.Action) (*hearth.AuditEntry, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	miners, err := s.find(ctx, sel)
	if err != nil {
		return nil, err
	}
	results := make([]hearth.ActionResult, len(miners))
	conc := s.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, m := range miners {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if s.Via != nil {
				results[i] = s.Via(ctx, m, a, actor)
			} else {
				results[i] = s.apply(ctx, m, a)
			}
		}()
	}
	wg.Wait()

	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	e := &hearth.AuditEntry{Time: now(), Actor: actor, Action: a.Redacted(), Selector: sel.String(), Results: results}
	if s.Audit != nil {
		if err := s.Audit.RecordAudit(ctx, e); err != nil {
			return e, fmt.Errorf("record action in the audit log: %w", err)
		}
	}
	return e, nil
}

// find returns the selected miners, sorted by ID, or ENOTFOUND.
func (s *Service) find(ctx context.Context, sel Selector) ([]*hearth.Miner, error) {
	found, _, err := s.Miners.FindMiners(ctx, sel.filter())
	if err != nil {
		return nil, err
	}
	var out []*hearth.Miner
	for _, m := range found {
		if sel.matches(m) {
			out = append(out, m)
		}
	}
	if len(sel.IDs) > 0 && !sel.All && sel.Family == "" && sel.Site == "" && sel.Group == "" && len(sel.Tags) == 0 {
		for _, id := range sel.IDs {
			if !slices.ContainsFunc(out, func(m *hearth.Miner) bool { return m.ID == id }) {
				return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
			}
		}
	}
	if len(out) == 0 {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "No miner matches %q.", sel.String())
	}
	slices.SortFunc(out, func(a, b *hearth.Miner) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// FetchLogs reads the firmware log of miner id through its driver, with
// the miner's credentials and within the per-miner deadline. Reading a log
// changes nothing, so it is not written to the audit log.
func (s *Service) FetchLogs(ctx context.Context, id string) (*hearth.MinerLog, error) {
	m, err := s.Miners.FindMinerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var l *hearth.MinerLog
	err = s.withDriver(ctx, m, func(ctx context.Context, d hearth.Driver, t hearth.Target) error {
		l, err = d.FetchLogs(ctx, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fetch logs of %s: %w", m.ID, err)
	}
	return l, nil
}

// withDriver calls f with m's driver and target (credentials resolved),
// under the per-miner deadline.
func (s *Service) withDriver(ctx context.Context, m *hearth.Miner, f func(context.Context, hearth.Driver, hearth.Target) error) error {
	lookup := s.Lookup
	if lookup == nil {
		lookup = driver.Lookup
	}
	d, err := lookup(m.Family)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t := hearth.TargetOf(m)
	if s.Credentials != nil {
		if t.Credentials, err = s.Credentials.Resolve(ctx, m); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return f(ctx, d, t)
}

// Apply runs a on one miner with its credentials and within the per-miner
// deadline, without the audit log: it is for callers that keep their own
// record of each command, as the reconciler does in its journal.
func (s *Service) Apply(ctx context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult {
	if err := a.Validate(); err != nil {
		return hearth.ActionResult{MinerID: m.ID, Error: hearth.ErrorMessage(err), Code: hearth.ErrorCode(err)}
	}
	return s.apply(ctx, m, a)
}

// apply runs a on one miner within the per-miner deadline.
func (s *Service) apply(ctx context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult {
	res := hearth.ActionResult{MinerID: m.ID}
	err := s.withDriver(ctx, m, func(ctx context.Context, d hearth.Driver, t hearth.Target) error {
		var err error
		res.Power, err = run(ctx, d, t, a)
		return err
	})
	if err != nil {
		res.Error, res.Code = hearth.ErrorMessage(err), hearth.ErrorCode(err)
		return res
	}
	res.OK = true
	return res
}

// checkStratumV2 fails closed: a Stratum V2 pool goes only to a miner
// whose driver declares hearth.CapStratumV2, so that no miner is left
// trying to reach a pool its firmware cannot speak.
func checkStratumV2(d hearth.Driver, pools []hearth.PoolConfig) error {
	for _, p := range pools {
		if p.StratumV2() && !slices.Contains(d.Capabilities(), hearth.CapStratumV2) {
			return hearth.Errorf(hearth.EUNSUPPORTED, "%s miners do not mine on Stratum V2 pools (%s); give them a stratum+tcp:// pool or a translating proxy.", d.Family(), p.URL)
		}
	}
	return nil
}

// run maps a verb to the driver's method.
func run(ctx context.Context, d hearth.Driver, t hearth.Target, a hearth.Action) (*hearth.PowerSetting, error) {
	switch a.Verb {
	case hearth.VerbReboot:
		return nil, d.Reboot(ctx, t)
	case hearth.VerbRestart:
		return nil, d.RestartMining(ctx, t)
	case hearth.VerbLocateOn:
		return nil, d.SetLocate(ctx, t, true, a.Duration)
	case hearth.VerbLocateOff:
		return nil, d.SetLocate(ctx, t, false, 0)
	case hearth.VerbPause:
		return nil, d.Pause(ctx, t)
	case hearth.VerbResume:
		return nil, d.Resume(ctx, t)
	case hearth.VerbPowerTarget:
		return d.SetPowerTarget(ctx, t, a.Watts)
	case hearth.VerbSetPools:
		if err := checkStratumV2(d, a.Pools); err != nil {
			return nil, err
		}
		return nil, d.SetPools(ctx, t, a.Pools)
	case hearth.VerbFanMode:
		return nil, d.SetFanMode(ctx, t, *a.Fan)
	}
	return nil, hearth.Errorf(hearth.EINVALID, "Unknown verb %q.", a.Verb)
}

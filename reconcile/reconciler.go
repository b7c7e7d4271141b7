package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Defaults of a Reconciler's zero fields.
const (
	DefaultBatchSize   = 50
	DefaultStagger     = 2 * time.Second
	DefaultMaxAttempts = 3
	DefaultBackoff     = 2 * time.Second
	DefaultMaxBackoff  = 5 * time.Minute
	// DefaultRebootGrace is how long after a reboot was sent hearth waits
	// to see the miner's uptime reset before calling it failed.
	DefaultRebootGrace = 10 * time.Minute
)

// Actor is the name under which the reconciler's commands appear in the
// journal and the audit log.
const Actor = "reconciler"

// Applier sends one command to one miner; *action.Service is one.
type Applier interface {
	Apply(ctx context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult
}

// Locator says where a miner is and which groups it belongs to. The
// organisation layer (sites, groups, positions) implements it; until then
// MinerLocator uses the miner's own fields.
type Locator interface {
	Placement(ctx context.Context, m *hearth.Miner) (hearth.Placement, error)
}

// GroupsFunc returns the IDs of the groups miner id is a member of.
type GroupsFunc func(ctx context.Context, minerID string) ([]string, error)

// MinerLocator places a miner by its own record: its site, position,
// hostname and ID, and its groups from Groups when set (GroupIndex.GroupsOf
// over the store's groups).
type MinerLocator struct {
	Groups GroupsFunc
}

// Placement implements Locator.
func (l MinerLocator) Placement(ctx context.Context, m *hearth.Miner) (hearth.Placement, error) {
	p := hearth.Placement{MinerID: m.ID, Hostname: m.Hostname, Site: m.Site,
		Row: m.Position.Row, Rack: m.Position.Rack, Shelf: m.Position.Shelf, Slot: m.Position.Slot}
	if l.Groups != nil {
		groups, err := l.Groups(ctx, m.ID)
		if err != nil {
			return p, fmt.Errorf("groups of %s: %w", m.ID, err)
		}
		p.Groups = groups
	}
	return p, nil
}

// Drift is how far one miner is from its desired state, for the API.
type Drift struct {
	MinerID string `json:"miner_id"`
	// InSync is true when the last reading matched the desired state.
	InSync bool `json:"in_sync"`
	// Differences says, one sentence each, what did not match.
	Differences []string `json:"differences,omitempty"`
	// LastError and LastErrorCode are the last command's failure, cleared
	// by a success.
	LastError     string    `json:"last_error,omitempty"`
	LastErrorCode string    `json:"last_error_code,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
	// CheckedAt is when the miner was last compared, and ReadingAt when
	// the reading it was compared with was taken.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	ReadingAt time.Time `json:"reading_at,omitzero"`
	// Commands counts the commands sent to the miner since hearth started.
	Commands int `json:"commands"`
	// RetryAt is when commands go out again after failures.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// SiteStats are the rate limiter's figures for one site.
type SiteStats struct {
	// InFlight is the commands being sent now.
	InFlight int `json:"in_flight"`
	// MaxInFlight is the most that were ever in flight at once, to show
	// that the batch limit held.
	MaxInFlight int `json:"max_in_flight"`
	BatchSize   int `json:"batch_size"`
}

// Reconciler brings miners to their desired state. Set the exported
// fields, call Resume once at start, Start with hearth's lifetime context,
// and give it every reading (it is a hearth.ReadingSink).
type Reconciler struct {
	Desired hearth.DesiredStateService
	// Overlay, when set, changes what the stored desired state makes of a
	// miner, such as the open windows of schedules (ScheduleOverlay).
	Overlay Overlay
	// PowerLimit, when set, lowers a miner's desired power once schedules
	// and named profiles are resolved: the site power controller.
	PowerLimit PowerLimit
	// Profiles gives the named power profiles a desired state may refer
	// to (PowerProfile.Profile), resolved with each miner's model; wrap
	// the store in a CachedProfiles. When nil, a named profile is a drift
	// error.
	Profiles hearth.ProfileService
	Journal  hearth.Journal
	Applier  Applier
	// Audit, when set, receives one entry per finished command.
	Audit hearth.AuditService
	// PowerChanged, when set, is told of every power command a miner
	// acknowledged (a power target, a sleep, a wake), so that alerting can
	// tell a hash rate hearth lowered from one that fell: the metrics
	// store's RecordPowerCommand.
	PowerChanged func(ctx context.Context, minerID string, at time.Time) error
	// Locator places miners; nil means MinerLocator{}.
	Locator Locator
	// Status, when set, gives Do the miner's latest reading (the poller).
	Status hearth.StatusService

	// BatchSize is the commands in flight at most per site.
	BatchSize int
	// Stagger is the least time between the starts of two batches of a
	// site: zero means DefaultStagger, a negative value none.
	Stagger time.Duration
	// MaxAttempts bounds the sends of one idempotent command.
	MaxAttempts int
	// Backoff is the wait before the first retry, doubled each time up to
	// MaxBackoff; it also delays the next reconciliation of a miner whose
	// command failed.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// PowerTolerance: see Plan.
	PowerTolerance float64
	RebootGrace    time.Duration
	Clock          Clock
	Logger         *slog.Logger

	audits auditGroup

	mu     sync.Mutex
	miners map[string]*minerState
	sites  map[string]*siteLimiter
	ctx    context.Context
	wg     sync.WaitGroup
}

// minerState is what the reconciler keeps per miner.
type minerState struct {
	busy     bool
	applied  Applied
	drift    Drift
	failures int
	// unresolved are journal entries a previous run left pending or sent.
	unresolved []*hearth.JournalEntry
	// lastApplied is the fingerprint of the last command of each verb the
	// reconciler applied, and ineffective counts how many polls in a row
	// planned that same command again: a firmware that accepts a setting
	// but reports it differently must not get it after every poll.
	lastApplied map[hearth.Verb]string
	ineffective map[hearth.Verb]int
	// lastCommandAt is when the last command to the miner finished: a
	// reading taken before it is stale and is not compared.
	lastCommandAt time.Time
}

// MaxIneffective is how many times in a row the reconciler sends a command
// that was applied yet did not show in the next reading, before it stops
// and reports the miner as drifting instead.
const MaxIneffective = 2

// fingerprint identifies a command with its arguments.
func fingerprint(a hearth.Action) string {
	b, _ := json.Marshal(a)
	return string(b)
}

var _ hearth.ReadingSink = (*Reconciler)(nil)

func (rc *Reconciler) init() {
	if rc.miners == nil {
		rc.miners = map[string]*minerState{}
		rc.sites = map[string]*siteLimiter{}
	}
}

func (rc *Reconciler) clock() Clock {
	if rc.Clock == nil {
		return SystemClock{}
	}
	return rc.Clock
}

func (rc *Reconciler) logger() *slog.Logger {
	if rc.Logger == nil {
		return slog.Default()
	}
	return rc.Logger
}

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Start makes StoreReading reconcile in the background under ctx, which
// should live as long as hearth serves. Readings given before Start are
// ignored.
func (rc *Reconciler) Start(ctx context.Context) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.init()
	rc.ctx = ctx
}

// Wait waits for the reconciliations StoreReading started.
func (rc *Reconciler) Wait() { rc.wg.Wait() }

// StoreReading starts reconciling m against r in the background, unless
// the miner is already being reconciled (one command at a time per miner:
// the next reading will be compared afresh). It never blocks the poller.
func (rc *Reconciler) StoreReading(_ context.Context, m *hearth.Miner, r *hearth.Reading) error {
	rc.mu.Lock()
	ctx := rc.ctx
	rc.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return nil
	}
	rc.wg.Add(1)
	go func() {
		defer rc.wg.Done()
		rc.reconcileLogged(ctx, m, r)
	}()
	return nil
}

// reconcileLogged reconciles m against r in the background work of
// StoreReading and ReconcileNow, where an error can only be logged.
func (rc *Reconciler) reconcileLogged(ctx context.Context, m *hearth.Miner, r *hearth.Reading) {
	if err := rc.Reconcile(ctx, m, r); err != nil && ctx.Err() == nil {
		rc.logger().Warn("reconcile", "miner", m.ID, "err", err)
	}
}

// lockMiner marks m busy and returns its state, or nil when it is busy or
// waiting out a backoff.
func (rc *Reconciler) lockMiner(id string, now time.Time) *minerState {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.init()
	st := rc.miners[id]
	if st == nil {
		st = &minerState{drift: Drift{MinerID: id}}
		rc.miners[id] = st
	}
	if st.busy || now.Before(st.drift.RetryAt) {
		return nil
	}
	st.busy = true
	return st
}

func (rc *Reconciler) unlockMiner(st *minerState) {
	rc.mu.Lock()
	st.busy = false
	rc.mu.Unlock()
}

// site returns the limiter of site s.
func (rc *Reconciler) site(s string) *siteLimiter {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.init()
	l := rc.sites[s]
	if l == nil {
		stagger := rc.Stagger
		if stagger == 0 {
			stagger = DefaultStagger
		}
		l = newSiteLimiter(orDefault(rc.BatchSize, DefaultBatchSize), max(stagger, 0))
		rc.sites[s] = l
	}
	return l
}

// Reconcile compares m's reading r with its desired state and sends the
// commands that close the gap, one after the other. It returns at once
// when the miner is already being reconciled or is backing off after a
// failure. Command failures are recorded in the miner's Drift, not
// returned; an error means the comparison itself could not be made.
func (rc *Reconciler) Reconcile(ctx context.Context, m *hearth.Miner, r *hearth.Reading) error {
	if r == nil {
		return nil
	}
	st := rc.lockMiner(m.ID, rc.clock().Now())
	if st == nil {
		return nil
	}
	defer rc.unlockMiner(st)
	if r.Time.Before(st.lastCommandAt) {
		// Taken before the last command finished: it cannot show that
		// command's effect, and comparing it would repeat the command.
		return nil
	}

	var locator Locator = MinerLocator{}
	if rc.Locator != nil {
		locator = rc.Locator
	}
	p, err := locator.Placement(ctx, m)
	if err != nil {
		return err
	}
	records, err := rc.Desired.FindDesired(ctx, hearth.DesiredFilter{Scopes: p.Scopes()})
	if err != nil {
		return fmt.Errorf("desired state of %s: %w", m.ID, err)
	}
	desired := hearth.EffectiveDesired(records)
	if rc.Overlay != nil {
		desired = rc.Overlay.Effective(p.Scopes(), records)
	}
	desired, profileErr := rc.resolvePower(ctx, m, desired)
	if rc.PowerLimit != nil {
		desired = rc.PowerLimit.Limit(m.ID, desired)
	}
	actions, diffs, planErr := Plan(p, desired, r, st.applied, rc.PowerTolerance)

	if err := rc.resolve(ctx, m, r, st, actions); err != nil {
		return err
	}

	rc.mu.Lock()
	st.drift.CheckedAt, st.drift.ReadingAt = rc.clock().Now(), r.Time
	st.drift.InSync = len(actions) == 0 && planErr == nil && profileErr == nil
	st.drift.Differences = diffs
	for _, err := range []error{profileErr, planErr} {
		if err != nil {
			st.drift.Differences = append(st.drift.Differences, hearth.ErrorMessage(err))
			st.drift.LastError, st.drift.LastErrorCode, st.drift.LastErrorAt = hearth.ErrorMessage(err), hearth.ErrorCode(err), st.drift.CheckedAt
		}
	}
	rc.mu.Unlock()
	if planErr != nil {
		return nil
	}

	actions = rc.dropIneffective(st, actions)
	for _, a := range actions {
		if res := rc.run(ctx, m, r, p.Site, st, a, Actor); !res.OK {
			// Later commands wait for the next poll: the miner may be
			// down, and the failed one will be planned again first.
			return nil
		}
	}
	return nil
}

// dropIneffective leaves out of actions the commands that were applied
// MaxIneffective times in a row without the reading showing their effect,
// noting it in the miner's drift.
func (rc *Reconciler) dropIneffective(st *minerState, actions []hearth.Action) []hearth.Action {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if st.ineffective == nil {
		st.ineffective = map[hearth.Verb]int{}
	}
	planned := map[hearth.Verb]bool{}
	var out []hearth.Action
	for _, a := range actions {
		planned[a.Verb] = true
		if st.lastApplied[a.Verb] == fingerprint(a) {
			st.ineffective[a.Verb]++
		} else {
			st.ineffective[a.Verb] = 0
		}
		if st.ineffective[a.Verb] >= MaxIneffective {
			st.drift.Differences = append(st.drift.Differences, fmt.Sprintf("%s was applied %d times but the miner still reports otherwise; not sent again until the desired state changes", a.Verb, MaxIneffective))
			continue
		}
		out = append(out, a)
	}
	for v := range st.ineffective {
		if !planned[v] {
			delete(st.ineffective, v)
		}
	}
	return out
}

// Do sends a on m through the journal, the site's limiter and the miner's
// one-command lock, on behalf of actor: one-off commands (a reboot from the
// API) get the same crash safety and rate limits as the reconciler's own.
// It waits while the miner is busy. The miner's latest reading, from
// Status, records its uptime so that a restart can tell whether a reboot
// happened. Failures are in the result, as action.Service reports them.
func (rc *Reconciler) Do(ctx context.Context, m *hearth.Miner, a hearth.Action, actor string) hearth.ActionResult {
	if err := a.Validate(); err != nil {
		return failed(m.ID, err)
	}
	st := rc.lockMinerWait(ctx, m.ID)
	if st == nil {
		return failed(m.ID, ctx.Err())
	}
	defer rc.unlockMiner(st)
	var r *hearth.Reading
	if rc.Status != nil {
		r = rc.Status.MinerStatus(m.ID).Latest
	}
	return rc.run(ctx, m, r, m.Site, st, a, actor)
}

// failed returns the result of a command that could not be sent.
func failed(minerID string, err error) hearth.ActionResult {
	return hearth.ActionResult{MinerID: minerID, Error: hearth.ErrorMessage(err), Code: hearth.ErrorCode(err)}
}

// lockMinerWait waits until m is free and marks it busy.
func (rc *Reconciler) lockMinerWait(ctx context.Context, id string) *minerState {
	for {
		rc.mu.Lock()
		rc.init()
		st := rc.miners[id]
		if st == nil {
			st = &minerState{drift: Drift{MinerID: id}}
			rc.miners[id] = st
		}
		if !st.busy {
			st.busy = true
			rc.mu.Unlock()
			return st
		}
		rc.mu.Unlock()
		if rc.clock().Sleep(ctx, 10*time.Millisecond) != nil {
			return nil
		}
	}
}

// retryable reports whether a failure may go away by itself.
func retryable(code string) bool {
	switch code {
	case hearth.EUNSUPPORTED, hearth.EINVALID, hearth.EAUTH:
		return false
	}
	return true
}

// run journals a, sends it (retrying an idempotent command with backoff)
// and records the outcome. A command that cannot be journalled is not sent.
func (rc *Reconciler) run(ctx context.Context, m *hearth.Miner, r *hearth.Reading, site string, st *minerState, a hearth.Action, actor string) hearth.ActionResult {
	clock := rc.clock()
	e := &hearth.JournalEntry{MinerID: m.ID, Action: a, Idempotent: a.Verb.Idempotent(), State: hearth.JournalPending, Actor: actor}
	// A non-idempotent command is journalled pending before it waits its
	// turn and sent before it leaves, so that a crash in between is known
	// never to have sent it, and a crash after it is never sent twice. An
	// idempotent command is journalled once, with its outcome: repeating
	// it is harmless, and after a crash the desired state, compared with
	// the next reading, sends it again if it had not taken effect. A
	// fleet-wide curtailment thus costs one journal write per miner, none
	// of them waited for while holding one of the site's slots.
	if !e.Idempotent {
		if err := rc.Journal.AddJournalEntry(ctx, e); err != nil {
			return failed(m.ID, fmt.Errorf("journal %s of %s: %w", a.Verb, m.ID, err))
		}
	}
	limiter := rc.site(site)
	maxAttempts := orDefault(rc.MaxAttempts, DefaultMaxAttempts)
	if !e.Idempotent {
		// A reboot whose reply was lost may have happened: never twice.
		maxAttempts = 1
	}
	backoff := orDefault(rc.Backoff, DefaultBackoff)
	var res hearth.ActionResult
	for attempt := 1; ; attempt++ {
		if err := limiter.acquire(ctx, clock); err != nil {
			return rc.finish(ctx, m, st, e, a, hearth.ActionResult{MinerID: m.ID, Error: err.Error(), Code: hearth.ErrorCode(err)})
		}
		e.State, e.Attempts, e.SentAt = hearth.JournalSent, attempt, clock.Now()
		if r != nil {
			e.UptimeAtSend = r.Uptime
		}
		if !e.Idempotent {
			if err := rc.Journal.UpdateJournalEntry(ctx, e); err != nil {
				limiter.release()
				return failed(m.ID, fmt.Errorf("journal %s of %s as sent: %w", a.Verb, m.ID, err))
			}
		}
		res = rc.Applier.Apply(ctx, m, a)
		limiter.release()
		if res.OK || !retryable(res.Code) || e.Attempts >= maxAttempts || ctx.Err() != nil {
			break
		}
		e.Error, e.Code = res.Error, res.Code
		if err := clock.Sleep(ctx, backoff); err != nil {
			break
		}
		backoff = min(2*backoff, orDefault(rc.MaxBackoff, DefaultMaxBackoff))
	}
	return rc.finish(ctx, m, st, e, a, res)
}

// finish marks e applied or failed, remembers what was applied and
// records the command in the audit log. It returns res, or a failure when
// the outcome cannot be journalled.
func (rc *Reconciler) finish(ctx context.Context, m *hearth.Miner, st *minerState, e *hearth.JournalEntry, a hearth.Action, res hearth.ActionResult) hearth.ActionResult {
	now := rc.clock().Now()
	res.MinerID = m.ID
	if res.OK {
		e.State, e.Error, e.Code = hearth.JournalApplied, "", ""
	} else {
		e.State, e.Error, e.Code = hearth.JournalFailed, res.Error, res.Code
	}
	// The outcome is recorded even when ctx ended, so that a shutdown
	// leaves no entry in "sent" that actually finished. An idempotent
	// command that never got its turn is not journalled at all.
	write := rc.Journal.UpdateJournalEntry
	if e.ID == 0 {
		write = rc.Journal.AddJournalEntry
	}
	if e.ID != 0 || e.Attempts > 0 {
		if err := write(context.WithoutCancel(ctx), e); err != nil {
			return failed(m.ID, fmt.Errorf("journal %s of %s as %s: %w", a.Verb, m.ID, e.State, err))
		}
	}
	rc.mu.Lock()
	st.drift.Commands++
	st.lastCommandAt = now
	if res.OK {
		st.failures = 0
		st.drift.LastError, st.drift.LastErrorCode, st.drift.RetryAt = "", "", time.Time{}
		remember(&st.applied, a)
		if e.Actor == Actor {
			if st.lastApplied == nil {
				st.lastApplied = map[hearth.Verb]string{}
			}
			st.lastApplied[a.Verb] = fingerprint(a)
		}
	} else {
		st.failures++
		st.drift.LastError, st.drift.LastErrorCode, st.drift.LastErrorAt = fmt.Sprintf("%s: %s", a.Verb, res.Error), res.Code, now
		wait := orDefault(rc.Backoff, DefaultBackoff) << min(st.failures, 20)
		st.drift.RetryAt = now.Add(min(wait, orDefault(rc.MaxBackoff, DefaultMaxBackoff)))
	}
	rc.mu.Unlock()
	if res.OK && rc.PowerChanged != nil {
		switch a.Verb {
		case hearth.VerbPowerTarget, hearth.VerbPause, hearth.VerbResume:
			if err := rc.PowerChanged(context.WithoutCancel(ctx), m.ID, now); err != nil {
				rc.logger().Warn("record power command", "miner", m.ID, "err", err)
			}
		}
	}
	if e.Actor == Actor {
		// One-off commands are audited by whoever asked (action.Service,
		// one entry for the whole selection).
		rc.audit(ctx, e.Actor, m.ID, a, res, now)
	}
	return res
}

// remember notes in applied what a did, for the settings readings do not
// show.
func remember(applied *Applied, a hearth.Action) {
	switch a.Verb {
	case hearth.VerbFanMode:
		f := *a.Fan
		applied.Fan = &f
	case hearth.VerbLocateOn, hearth.VerbLocateOff:
		on := a.Verb == hearth.VerbLocateOn
		applied.Locate = &on
	case hearth.VerbPowerTarget:
		applied.Watts = a.Watts
	case hearth.VerbPause, hearth.VerbResume:
		paused := a.Verb == hearth.VerbPause
		applied.Paused = &paused
	}
}

// audit records one finished command, in an entry it may share with other
// miners' results for the same action (see auditGroup).
func (rc *Reconciler) audit(ctx context.Context, actor, minerID string, a hearth.Action, res hearth.ActionResult, at time.Time) {
	if rc.Audit == nil {
		return
	}
	res.MinerID = minerID
	if err := rc.audits.record(context.WithoutCancel(ctx), rc.Audit, actor, a, res, at); err != nil {
		rc.logger().Warn("audit", "miner", minerID, "err", err)
	}
}

// Drift returns miner id's drift; InSync is false and CheckedAt zero when
// it has not been compared yet.
func (rc *Reconciler) Drift(id string) Drift {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if st := rc.miners[id]; st != nil {
		d := st.drift
		d.Differences = slices.Clone(d.Differences)
		return d
	}
	return Drift{MinerID: id}
}

// Drifts returns the drift of every miner compared so far, by miner ID.
// With onlyDrifting, miners in sync are left out.
func (rc *Reconciler) Drifts(onlyDrifting bool) []Drift {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := []Drift{}
	for _, st := range rc.miners {
		if onlyDrifting && st.drift.InSync && st.drift.LastError == "" {
			continue
		}
		d := st.drift
		d.Differences = slices.Clone(d.Differences)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Drift) int { return strings.Compare(a.MinerID, b.MinerID) })
	return out
}

// SiteStats returns the limiter figures of site (the empty string for
// miners without one).
func (rc *Reconciler) SiteStats(site string) SiteStats {
	l := rc.site(site)
	l.mu.Lock()
	defer l.mu.Unlock()
	return SiteStats{InFlight: l.inFlight, MaxInFlight: l.maxInFlight, BatchSize: l.batch}
}

// Sites returns the limiter figures of every site that has had commands,
// keyed by site (the empty string for miners without one).
func (rc *Reconciler) Sites() map[string]SiteStats {
	rc.mu.Lock()
	names := make([]string, 0, len(rc.sites))
	for name := range rc.sites {
		names = append(names, name)
	}
	rc.mu.Unlock()
	out := make(map[string]SiteStats, len(names))
	for _, name := range names {
		out[name] = rc.SiteStats(name)
	}
	return out
}

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/action"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/poller"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/secret"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sqlite"
)

// DefaultCurtailConcurrency is the commands in flight in the curtail
// benchmark, for hearth (the site's batch size) and the floor alike.
const DefaultCurtailConcurrency = 256

// benchSite is the site every benchmarked miner belongs to.
const benchSite = "bench"

// curtailWait bounds how long the benchmark waits for acknowledgements.
const curtailWait = 5 * time.Minute

// curtailResult is what 'hearth bench curtail' reports.
type curtailResult struct {
	Miners      int `json:"miners"`
	Affected    int `json:"affected"`
	Concurrency int `json:"concurrency"`
	Acked       int `json:"acked"`
	Failed      int `json:"failed"`
	// Unacknowledged counts the miners whose command was never sent
	// within curtailWait (the reconciler skips a miner that was offline
	// at its last poll); the latencies leave them out.
	Unacknowledged int `json:"unacknowledged"`
	// The latencies from the signal to each affected miner's
	// acknowledgement of its new setpoint.
	P50Seconds float64 `json:"p50_seconds"`
	P99Seconds float64 `json:"p99_seconds"`
	MaxSeconds float64 `json:"max_seconds"`
	// FloorSeconds is the time the same commands to the same miners take
	// as bare round trips at the same concurrency, and RatioToFloor
	// MaxSeconds over it.
	FloorSeconds float64 `json:"floor_seconds"`
	RatioToFloor float64 `json:"ratio_to_floor"`
	// FloorRefused counts the miners whose firmware refused the command
	// in the floor too (an AxeOS before v2.14 cannot pause).
	FloorRefused int `json:"floor_refused"`
	// ControlSeconds is the power controller's share: from the signal to
	// the setpoints handed to the reconciler.
	ControlSeconds float64 `json:"control_seconds"`
}

func runBenchCurtail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f simFlags
	var conc int
	var asJSON bool
	fs := newFlagSet("hearth bench curtail", "hearth bench curtail [flags]",
		"Start N simulated miners of every family in-process, poll each once, then signal a full\n"+
			"curtailment of their site: measure, for every miner whose setpoint changes, the time\n"+
			"from the signal to the miner's acknowledgement, through the whole of hearth (stored\n"+
			"request, power controller, reconciler with its command journal and batch limit,\n"+
			"drivers). First it measures the floor: the same commands sent straight to the same\n"+
			"miners by the drivers at the same concurrency. Targets on 2 cores: N = 10,000 with\n"+
			"p99_seconds <= 2 and ratio_to_floor <= 1.5; N = 100,000 with max_seconds <= 20.", stderr)
	f.register(fs, 10000)
	fs.IntVar(&conc, "concurrency", DefaultCurtailConcurrency, "commands in flight: the site's batch size, and the floor's")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	var cpuProfile string
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the timed curtailment through hearth to this file")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	var profile io.Writer
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		profile = pf
	}
	if f.models == "" && f.mix == "" {
		f.models = "all"
	}
	f.rpcPort, f.httpPort, f.v3Port, f.grpcPort = 0, 0, 0, 0
	s, err := f.start(stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := curtail(ctx, s, conc, profile, stderr)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(stdout, res)
	}
	t := newTable(stdout, "METRIC", "VALUE")
	t.row("miners", strconv.Itoa(res.Miners))
	t.row("affected", strconv.Itoa(res.Affected))
	t.row("acknowledged", fmt.Sprintf("%d (%d failed, %d never sent)", res.Acked, res.Failed, res.Unacknowledged))
	t.row("p50", fmt.Sprintf("%.3f s", res.P50Seconds))
	t.row("p99", fmt.Sprintf("%.3f s", res.P99Seconds))
	t.row("max", fmt.Sprintf("%.3f s", res.MaxSeconds))
	t.row("floor", fmt.Sprintf("%.3f s", res.FloorSeconds))
	t.row("ratio to floor", fmt.Sprintf("%.2f", res.RatioToFloor))
	t.row("controller", fmt.Sprintf("%.3f s", res.ControlSeconds))
	return t.flush()
}

// ackRecorder is the reconciler's Applier in the benchmark: the drivers,
// noting when each miner acknowledged.
type ackRecorder struct {
	reconcile.Applier
	mu     sync.Mutex
	acks   map[string]time.Time
	failed map[string]string
	// sent is the command each miner was sent, for the floor to repeat.
	sent map[string]hearth.Action
	done chan struct{}
	want int
}

// Apply sends a and notes the outcome.
func (a *ackRecorder) Apply(ctx context.Context, m *hearth.Miner, act hearth.Action) hearth.ActionResult {
	res := a.Applier.Apply(ctx, m, act)
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent[m.ID] = act
	if res.OK {
		a.acks[m.ID] = now
	} else {
		a.failed[m.ID] = res.Error
	}
	if a.want > 0 && len(a.acks)+len(a.failed) >= a.want {
		close(a.done)
		a.want = 0
	}
	return res
}

// curtail runs the benchmark on s's miners, writing a CPU profile of the
// timed curtailment through hearth to profile when it is not nil.
func curtail(ctx context.Context, s *sim.Sim, conc int, profile io.Writer, stderr io.Writer) (*curtailResult, error) {
	infos := s.Miners()
	res := &curtailResult{Miners: len(infos), Concurrency: conc}
	dir, err := os.MkdirTemp("", "hearth-bench-curtail-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db := sqlite.NewDB(filepath.Join(dir, "hearth.db"))
	if err := db.Open(); err != nil {
		return nil, err
	}
	defer db.Close()
	minerSvc := sqlite.NewMinerService(db)
	miners := make([]*hearth.Miner, len(infos))
	for i, mi := range infos {
		miners[i] = &hearth.Miner{ID: mi.Name, Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, APIPort: mi.APIPort,
			Family: mi.Family, Model: mi.Model, Hostname: mi.Name, Site: benchSite}
	}
	if err := minerSvc.CreateMiners(ctx, miners); err != nil {
		return nil, err
	}
	// Credentials are resolved for every command and poll, as serve
	// does: the farm's Antminer login is stored once for the family.
	box, err := secret.LoadBox(dir)
	if err != nil {
		return nil, err
	}
	creds := sqlite.NewCredentialService(db, box)
	if err := creds.SetCredential(ctx, &hearth.MinerCredential{Family: hearth.FamilyAntminer, User: "root", Password: "root"}); err != nil {
		return nil, err
	}
	actions := &action.Service{Miners: minerSvc, Credentials: creds}
	if err := identifyReleases(ctx, miners, conc, newProgress(stderr, "firmware", len(miners))); err != nil {
		return nil, err
	}
	p := &poller.Poller{Concurrency: conc, Credentials: creds}
	for _, m := range miners {
		p.Add(m)
	}
	progress := newProgress(stderr, "readings", len(miners))
	if err := pollAll(ctx, p, miners, conc, progress); err != nil {
		return nil, err
	}

	// Every miner is told to resume first (it mines already; untimed), so
	// that hearth and the floor both find a warm session with each miner
	// (a Whatsminer write token, an Antminer Digest challenge), as a
	// fleet that hearth has managed for a while would.
	if _, _, err := floorCurtail(ctx, actions, miners, conc, resume, newProgress(stderr, "warm-up", len(miners))); err != nil {
		return nil, err
	}
	if err := pollAll(ctx, p, miners, conc, newProgress(stderr, "readings", len(miners))); err != nil {
		return nil, err
	}

	// hearth: the signal stored, the controller, the reconciler. The
	// miners it curtails are those the floor sends the same command to.
	requests := sqlite.NewPowerRequestService(db)
	rc := &reconcile.Reconciler{
		Desired: &reconcile.CachedDesired{DesiredStateService: sqlite.NewDesiredStateService(db, nil)},
		Journal: sqlite.NewJournalService(db), Audit: sqlite.NewAuditService(db),
		BatchSize: conc, Stagger: -1, Status: p,
	}
	ctrl := &power.Controller{Requests: requests, Inventory: p, Status: p, Capabilities: capabilitiesOf, Interval: time.Hour}
	rc.PowerLimit = ctrl
	acks := &ackRecorder{Applier: actions, acks: map[string]time.Time{}, failed: map[string]string{}, sent: map[string]hearth.Action{}, done: make(chan struct{})}
	rc.Applier = acks
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	rc.Start(runCtx)
	var affected []*hearth.Miner
	ctrl.Apply = func(ctx context.Context, ms []*hearth.Miner) {
		affected = ms
		acks.mu.Lock()
		acks.want = len(ms)
		acks.mu.Unlock()
		rc.ReconcileNow(ctx, ms)
	}
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	if err := requests.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "bench", Source: hearth.SourceSignal, Site: benchSite,
		Kind: hearth.RequestShed, ShedFraction: 1, Start: t0.Add(-time.Second)}); err != nil {
		return nil, err
	}
	if err := ctrl.Control(ctx); err != nil {
		return nil, err
	}
	res.ControlSeconds = time.Since(t0).Seconds()
	res.Affected = len(affected)
	if len(affected) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "No simulated miner can be curtailed; choose models whose firmware can pause.")
	}
	// A miner the reconciler skips (offline at its last poll, backing off)
	// never acknowledges: once every reconciliation has ended (or after
	// curtailWait), what was acknowledged is reported and the rest counted.
	reconciled := make(chan struct{})
	go func() { rc.Wait(); close(reconciled) }()
	select {
	case <-acks.done:
	case <-reconciled:
	case <-time.After(curtailWait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stop()
	rc.Wait()
	if profile != nil {
		pprof.StopCPUProfile()
	}
	lat := make([]float64, 0, len(acks.acks))
	for _, at := range acks.acks {
		lat = append(lat, at.Sub(t0).Seconds())
	}
	slices.Sort(lat)
	acks.mu.Lock()
	res.Acked, res.Failed = len(acks.acks), len(acks.failed)
	acks.mu.Unlock()
	res.Unacknowledged = res.Affected - res.Acked - res.Failed
	for id, why := range acks.failed {
		fmt.Fprintf(stderr, "hearth bench: %d miners failed, for example %s: %s\n", res.Failed, id, why)
		break
	}
	if len(lat) > 0 {
		res.P50Seconds, res.P99Seconds, res.MaxSeconds = percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
	}

	// The floor: the same miners back to mining (untimed), then the
	// command hearth sent each (a sleep, or the lowest power where the
	// firmware cannot sleep) straight through the drivers at the same
	// concurrency.
	var sent []*hearth.Miner
	for _, m := range affected {
		if _, ok := acks.sent[m.ID]; ok {
			sent = append(sent, m)
		}
	}
	if _, _, err := floorCurtail(ctx, actions, sent, conc, resume, newProgress(stderr, "resume", len(sent))); err != nil {
		return nil, err
	}
	floor, refused, err := floorCurtail(ctx, actions, sent, conc, func(m *hearth.Miner) hearth.Action { return acks.sent[m.ID] }, newProgress(stderr, "floor", len(sent)))
	if err != nil {
		return nil, err
	}
	res.FloorSeconds, res.FloorRefused = floor.Seconds(), len(refused)
	if res.FloorSeconds > 0 {
		res.RatioToFloor = res.MaxSeconds / res.FloorSeconds
	}
	return res, nil
}

// identifyReleases learns the firmware of the miners whose verbs depend on
// their release (an AxeOS before v2.14 cannot sleep), as adding them to
// hearth would, so that the power controller plans with what each can do.
func identifyReleases(ctx context.Context, miners []*hearth.Miner, conc int, bar *progress) error {
	return eachCounted(ctx, miners, conc, bar, "identifications", func(m *hearth.Miner) error {
		d, err := driver.Lookup(m.Family)
		if err != nil {
			return nil
		}
		if _, ok := d.(hearth.FirmwareCapabilities); !ok {
			return nil
		}
		id, err := d.Identify(ctx, hearth.TargetOf(m))
		if err != nil {
			return err
		}
		m.Firmware = id.Firmware
		return nil
	})
}

// resume is the command that wakes every miner, for the untimed passes.
func resume(*hearth.Miner) hearth.Action { return hearth.Action{Verb: hearth.VerbResume} }

// percentile returns the p-quantile of sorted values, nearest rank.
func percentile(sorted []float64, p float64) float64 {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// pollAll polls every miner once, conc at a time.
func pollAll(ctx context.Context, p *poller.Poller, miners []*hearth.Miner, conc int, bar *progress) error {
	return eachCounted(ctx, miners, conc, bar, "polls", func(m *hearth.Miner) error {
		_, err := p.PollOnce(ctx, m)
		return err
	})
}

// eachCounted calls f for every miner, conc at a time, advancing bar, and
// fails with the number of failed calls (named what) and the first error.
func eachCounted(ctx context.Context, miners []*hearth.Miner, conc int, bar *progress, what string, f func(*hearth.Miner) error) error {
	var failed atomic.Int64
	var first atomic.Value
	each(miners, conc, func(m *hearth.Miner) {
		if err := f(m); err != nil {
			failed.Add(1)
			first.CompareAndSwap(nil, err.Error())
		}
		bar.add(1)
	})
	bar.finish()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d %s failed, the first: %v", n, len(miners), what, first.Load())
	}
	return ctx.Err()
}

// floorCurtail sends each miner its actionOf straight through the drivers,
// conc at a time, and returns how long it took and the miners that refused
// (firmware too old for the verb, say), with their reasons.
func floorCurtail(ctx context.Context, actions *action.Service, miners []*hearth.Miner, conc int, actionOf func(*hearth.Miner) hearth.Action, bar *progress) (time.Duration, map[string]string, error) {
	var mu sync.Mutex
	failed := map[string]string{}
	t0 := time.Now()
	each(miners, conc, func(m *hearth.Miner) {
		if res := actions.Apply(ctx, m, actionOf(m)); !res.OK {
			mu.Lock()
			failed[m.ID] = res.Error
			mu.Unlock()
		}
		bar.add(1)
	})
	d := time.Since(t0)
	bar.finish()
	return d, failed, ctx.Err()
}

// each calls f for every miner, conc at a time.
func each(miners []*hearth.Miner, conc int, f func(*hearth.Miner)) {
	work := make(chan *hearth.Miner)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for m := range work {
				f(m)
			}
		})
	}
	for _, m := range miners {
		work <- m
	}
	close(work)
	wg.Wait()
}

package reconcile_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/hearth-fleet/hearth/secret"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/sqlite"
	"github.com/hearth-fleet/hearth/storetest"
)

// crashChildEnv, when set, makes TestReconciler_SurvivesSIGKILL act as the
// hearth that is killed; it names the test's directory.
const crashChildEnv = "HEARTH_RECONCILE_CRASH_CHILD"

// crashFleetSize is the number of miners of the SIGKILL test, as in the
// issue's 1,000-miner pool change; the first crashReboots also get a
// reboot.
const (
	crashFleetSize = 1000
	crashReboots   = 50
)

// minerRecord is one command as the miners' side saw it. The miners
// outlive hearth, so what they received is kept in a file of its own that
// the kill does not touch.
type minerRecord struct {
	Miner string              `json:"miner"`
	Verb  hearth.Verb         `json:"verb"`
	Pools []hearth.PoolConfig `json:"pools,omitempty"`
	At    time.Time           `json:"at"`
}

// fileFleet is an Applier whose miners write every command they receive to
// a file before the reply, as a machine applies a command before answering.
// A write(2) that returned survives the SIGKILL of its writer, so no sync
// is needed for what this test checks.
type fileFleet struct {
	mu  sync.Mutex
	f   *os.File
	out *bufio.Writer
}

func (ff *fileFleet) Apply(_ context.Context, m *hearth.Miner, a hearth.Action) hearth.ActionResult {
	time.Sleep(time.Millisecond)
	b, _ := json.Marshal(minerRecord{Miner: m.ID, Verb: a.Verb, Pools: a.Pools, At: time.Now()})
	ff.mu.Lock()
	defer ff.mu.Unlock()
	ff.f.Write(append(b, '\n'))
	fmt.Fprintln(ff.out, "applied", m.ID, a.Verb)
	ff.out.Flush()
	return hearth.ActionResult{MinerID: m.ID, OK: true}
}

var crashDesired = hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://new:3333", UserPattern: "acct.{site}-{miner}"}}}

// TestReconciler_SurvivesSIGKILL kills a process at a random point of a
// 1,000-miner pool change and a batch of reboots, restarts on the same
// database, and checks that the fleet converges, that no reboot reached a
// miner twice and that the restart sent none again.
func TestReconciler_SurvivesSIGKILL(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		runCrashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "hearth.db")
	db := openDBAt(t, dbPath)
	if err := sqlite.NewDesiredStateService(db, storetest.NewBox(t)).SetDesired(ctx, &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: crashDesired}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	started := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestReconciler_SurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The kill comes at a random point of the change: after 1 to 1,000
	// commands have reached the miners (the seed is logged, and
	// HEARTH_TEST_CRASH_AT replays a point).
	killAt := 1 + rand.IntN(crashFleetSize)
	if v, err := strconv.Atoi(os.Getenv("HEARTH_TEST_CRASH_AT")); err == nil && v > 0 {
		killAt = v
	}
	t.Logf("killing the reconciler after %d commands (HEARTH_TEST_CRASH_AT=%d replays this)", killAt, killAt)
	lines := bufio.NewScanner(stdout)
	applied := 0
	for lines.Scan() {
		applied++
		if applied == killAt {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	cmd.Wait()
	if applied < killAt {
		t.Fatalf("child stopped after %d commands", applied)
	}

	// The miners' state as they hold it after the kill.
	clock := newFakeClock()
	clock.now = time.Now()
	fleet := newFakeFleet(clock)
	miners := simMiners(crashFleetSize, "barn")
	for _, m := range miners {
		fleet.add(m, []hearth.PoolConfig{{URL: "stratum+tcp://old:3333", User: "old"}})
		fleet.miners[m.ID].bootedAt = clock.now.Add(-time.Hour)
	}
	received, err := os.ReadFile(filepath.Join(dir, "miners.log"))
	if err != nil {
		t.Fatal(err)
	}
	rebootsBefore := map[string]int{}
	var records int
	for _, line := range splitLines(received) {
		var rec minerRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			continue // the line being written when the kill came
		}
		records++
		fm := fleet.miners[rec.Miner]
		switch rec.Verb {
		case hearth.VerbSetPools:
			fm.pools = rec.Pools
		case hearth.VerbReboot:
			rebootsBefore[rec.Miner]++
			fm.bootedAt = rec.At
		}
	}
	t.Logf("killed after %d commands reached the miners (%s)", records, time.Since(started).Round(time.Millisecond))

	db = openDBAt(t, dbPath)
	rc := newReconciler(t, db, fleet)
	rc.Clock = reconcile.SystemClock{}
	rc.Logger = slog.New(slog.DiscardHandler)
	rc.BatchSize, rc.Stagger = 50, -1
	open, err := rc.Resume(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d journal entries open at restart (%s)", open, time.Since(started).Round(time.Millisecond))
	rc.Start(ctx)
	clock.Advance(time.Second)
	pollAll(rc, fleet, miners)
	clock.Advance(time.Second)
	pollAll(rc, fleet, miners)

	for _, m := range miners {
		if r := fleet.reading(m.ID); len(r.Pools) != 1 || r.Pools[0].URL != "stratum+tcp://new:3333" || r.Pools[0].User != "acct.barn-"+m.ID {
			t.Fatalf("%s did not converge: %+v", m.ID, r.Pools)
		}
		if n := rebootsBefore[m.ID]; n > 1 {
			t.Errorf("%s rebooted %d times before the kill", m.ID, n)
		}
		if n := fleet.count(m.ID, hearth.VerbReboot); n != 0 {
			t.Errorf("%s rebooted again after the restart", m.ID)
		}
	}
	entries, err := rc.Journal.FindJournal(ctx, hearth.JournalFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action.Verb == hearth.VerbReboot && rebootsBefore[e.MinerID] == 1 && e.State != hearth.JournalApplied {
			t.Errorf("%s's reboot reached the miner but is journalled %s", e.MinerID, e.State)
		}
		if e.Action.Verb == hearth.VerbSetPools && (e.State == hearth.JournalPending || e.State == hearth.JournalSent) {
			t.Errorf("pool change of %s left %s", e.MinerID, e.State)
		}
	}
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

// runCrashChild is the hearth that gets killed: it reboots the first
// miners and reconciles the whole fleet onto the new pools until the
// parent kills it.
func runCrashChild(dir string) {
	db := sqlite.NewDB(filepath.Join(dir, "hearth.db"))
	if err := db.Open(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.OpenFile(filepath.Join(dir, "miners.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	box, err := storetestBox()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rc := &reconcile.Reconciler{
		Desired:   sqlite.NewDesiredStateService(db, box),
		Journal:   sqlite.NewJournalService(db),
		Audit:     sqlite.NewAuditService(db),
		Applier:   &fileFleet{f: f, out: bufio.NewWriter(os.Stdout)},
		BatchSize: 50,
		Stagger:   time.Millisecond,
	}
	ctx := context.Background()
	booted := time.Now().Add(-time.Hour)
	rc.Status = statusFunc(func(id string) hearth.MinerStatus {
		return hearth.MinerStatus{MinerID: id, Latest: &hearth.Reading{MinerID: id, Time: time.Now(), Uptime: time.Since(booted)}}
	})
	rc.Start(ctx)
	miners := simMiners(crashFleetSize, "barn")
	var wg sync.WaitGroup
	for _, m := range miners[:crashReboots] {
		wg.Go(func() {
			rc.Do(ctx, m, hearth.Action{Verb: hearth.VerbReboot}, "ops")
		})
	}
	for _, m := range miners {
		rc.StoreReading(ctx, m, &hearth.Reading{MinerID: m.ID, Time: time.Now(), Uptime: time.Since(booted),
			Pools: []hearth.Pool{{URL: "stratum+tcp://old:3333", User: "old"}}})
	}
	wg.Wait()
	rc.Wait()
	// Killed before this, normally; wait to be.
	time.Sleep(time.Minute)
}

// storetestBox is storetest.NewBox outside a test: the same key, so the
// parent reads what the child's store sealed.
func storetestBox() (*secret.Box, error) {
	return secret.NewBox(bytes.Repeat([]byte{3}, 32))
}

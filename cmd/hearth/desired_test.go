package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// reconcileMinersEnv sets the fleet size of TestDesiredPoolsConverge: 50
// by default so CI stays quick; HEARTH_TEST_RECONCILE_MINERS=1000 runs the
// issue's 1,000-miner case.
const reconcileMinersEnv = "HEARTH_TEST_RECONCILE_MINERS"

// apiJSON sends a JSON request with d's token and decodes the reply into
// out (when not nil), failing the test on any status above 299.
func apiJSON(t *testing.T, d *demo, method, path string, body, out any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req, err := http.NewRequest(method, d.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode > 299 {
		var e map[string]any
		json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, e)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// Changing a group's pool template converges every simulated miner within
// two poll intervals (plus the commands' own time), through the real
// drivers and firmware simulator, while the site's batch limit holds. The
// worker names come from the template's pattern, filled from each miner's
// site and its rack from a positions import.
func TestDesiredPoolsConverge(t *testing.T) {
	t.Parallel()
	n := 50
	if v, err := strconv.Atoi(os.Getenv(reconcileMinersEnv)); err == nil && v > 0 {
		n = v
	}
	// A site's commands take at least n/batch staggers, so the batch grows
	// with the fleet (8 for 50 miners, 100 for 1,000).
	// Every command costs a few fsynced commits (journal and audit), which
	// a shared two-core test machine does at about a thousand a second, so
	// the 1,000-miner run polls every 10 s.
	interval := 3 * time.Second
	if n > 100 {
		interval = 10 * time.Second
	}
	batch := max(8, n/10)
	d := startDemo(t, "--miners", strconv.Itoa(n), "--models", "s21", "--site", "barn",
		"--poll-interval", interval.String(), "--reconcile-batch", strconv.Itoa(batch), "--reconcile-stagger", "50ms")

	// The miners form one group and sit in racks, as an operator would
	// have set them up before changing the group's template.
	ids := make([]string, n)
	var plan bytes.Buffer
	plan.WriteString("miner,rack,slot\n")
	for i := range ids {
		ids[i] = fmt.Sprintf("sim-%05d", i)
		fmt.Fprintf(&plan, "%s,R%d,%d\n", ids[i], i/10, i%10)
	}
	c := []string{"--server", d.URL, "--token", d.Token}
	if _, errOut, code := runCLI(t, append(append([]string{"groups", "add", "hall-1"}, ids...), c...)...); code != 0 {
		t.Fatalf("groups add: %s", errOut)
	}
	planFile := filepath.Join(t.TempDir(), "plan.csv")
	if err := os.WriteFile(planFile, plan.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, append([]string{"positions", "import", planFile}, c...)...); code != 0 {
		t.Fatalf("positions import: %s", errOut)
	}

	// Every miner is polled (and compared) once before the change.
	var rep hearthhttp.DriftReport
	eventually(t, "every miner compared once", func() bool {
		apiJSON(t, d, "GET", "/api/v1/drift?all=true", nil, &rep)
		return len(rep.Miners) == n
	})

	changed := time.Now()
	if out, errOut, code := runCLI(t, "desired", "set", "--server", d.URL, "--token", d.Token, "--group", "hall-1",
		"--pool", "stratum+tcp://pool.hearth.test:3333,farm.{site}-{rack}-{slot},x",
		"--pool", "stratum+tcp://backup.hearth.test:3333,farm.{site}-{rack}-{slot}"); code != 0 {
		t.Fatalf("desired set exited %d: %s%s", code, out, errOut)
	}

	deadline := changed.Add(2*interval + 2*time.Second)
	var converged time.Duration
	for {
		apiJSON(t, d, "GET", "/api/v1/drift?all=true", nil, &rep)
		inSync := 0
		var lastSeen time.Time
		for _, m := range rep.Miners {
			if m.InSync && m.CheckedAt.After(changed) && m.Commands == 1 {
				inSync++
				if m.ReadingAt.After(lastSeen) {
					lastSeen = m.ReadingAt
				}
			}
		}
		if inSync == n {
			converged = time.Since(changed)
			// When the last miner was seen converged: the start of its
			// confirming poll.
			if seen := lastSeen.Sub(changed); seen > 2*interval {
				t.Errorf("the last miner was seen converged %s after the change, more than two poll intervals (%s)", seen, 2*interval)
			} else {
				t.Logf("every miner polled converged within %s of the change", seen.Round(time.Millisecond))
			}
			break
		}
		if time.Now().After(deadline) {
			var late []hearthhttp.Drift
			for _, m := range rep.Miners {
				if !(m.InSync && m.CheckedAt.After(changed) && m.Commands == 1) && len(late) < 3 {
					late = append(late, m)
				}
			}
			t.Fatalf("%d of %d miners converged within %s; for example %+v", inSync, n, deadline.Sub(changed), late)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d miners converged in %s (poll interval %s)", n, converged.Round(time.Millisecond), interval)
	if s := rep.Sites["barn"]; s.MaxInFlight > batch || s.MaxInFlight == 0 {
		t.Errorf("site barn had %d commands in flight at most, batch limit %d", s.MaxInFlight, batch)
	}

	// What the miners report is the expanded template.
	m := showMiner(t, d, "sim-00003")
	if m.Latest == nil || len(m.Latest.Pools) < 2 || m.Latest.Pools[0].URL != "stratum+tcp://pool.hearth.test:3333" || m.Latest.Pools[0].User != "farm.barn-R0-3" {
		t.Fatalf("sim-00003 pools %+v", m.Latest)
	}
	out, _, _ := runCLI(t, "desired", "list", "--server", d.URL)
	if !contains(out, "group hall-1") || !contains(out, "farm.{site}-{rack}-{slot}") || contains(out, ",x") {
		t.Errorf("desired list:\n%s", out)
	}

	// Later polls send nothing more.
	time.Sleep(interval + time.Second)
	out, errOut, code := runCLI(t, "desired", "drift", "--server", d.URL, "--json")
	rep = hearthhttp.DriftReport{}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
		t.Fatalf("desired drift: %d %v %s", code, err, errOut)
	}
	if len(rep.Miners) != 0 {
		t.Errorf("%d miners drift after convergence, first %+v", len(rep.Miners), rep.Miners[0])
	}
}

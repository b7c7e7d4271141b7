package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sim"
)

// An aggregating hearth splits a limit on its aggregate site across three
// child hearths, each with two simulated Braiins OS miners: together they
// draw at most the limit and each sheds part. When one child is lost, the
// other two shed more and the aggregate still holds; when the aggregator
// itself is lost, a child falls back to its fail mode (resume: its
// aggregator target is withdrawn and it mines at full power again).
func TestAggregatorSplitsATargetAcrossThreeChildren(t *testing.T) {
	t.Parallel()
	aggData := t.TempDir()
	agg := startDemo(t, "--miners", "1", "--models", sim.ModelS21BOS, "--site", "hub", "--data", aggData,
		"--aggregate-sites", "fleet", "--aggregate-timeout", "3s", "--poll-interval", "1s", "--power-interval", "1s")
	aggCLI := []string{"--server", agg.URL, "--token", agg.Token}

	type child struct {
		name string
		d    *demo
		full float64
	}
	var children []*child
	for i := range 3 {
		name := fmt.Sprintf("child%d", i+1)
		c := &child{name: name, d: startDemo(t, "--miners", "2", "--models", sim.ModelS21BOS, "--site", name,
			"--poll-interval", "1s", "--power-interval", "1s")}
		// The aggregator's token for this child, named after it.
		out, errOut, code := runCLI(t, "tokens", "create", name, "--data", aggData, "--json")
		var tok struct{ Token, Name string }
		if code != 0 || json.Unmarshal([]byte(out), &tok) != nil || tok.Name != name || tok.Token == "" {
			t.Fatalf("tokens create %s: %d %s%s", name, code, out, errOut)
		}
		secretFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(secretFile, []byte(tok.Token), 0o600); err != nil {
			t.Fatal(err)
		}
		settings := fmt.Sprintf(`{"url":%q,"aggregate":"fleet","child":%q,"interval":"1s"}`, agg.URL, name)
		out, errOut, code = runCLI(t, "power", "programs", "set", "agg", "--kind", "aggregator", "--site", name, "--settings", settings,
			"--secret-file", secretFile, "--fail-mode", "resume", "--silent-after", "3s", "--server", c.d.URL, "--token", c.d.Token)
		if code != 0 {
			t.Fatalf("programs set on %s: %d %s%s", name, code, out, errOut)
		}
		children = append(children, c)
	}

	sitePower := func(d *demo) (float64, bool) {
		var total float64
		list := listMiners(t, d).Miners
		if len(list) < 2 {
			return 0, false
		}
		for _, m := range list {
			r := showMiner(t, d, m.ID).Latest
			if r == nil {
				return 0, false
			}
			total += r.Power
		}
		return total, true
	}
	fleetStatus := func() (st struct {
		Miners   int
		Measured float64
		Fixed    float64
		State    string
		Target   *float64
	}) {
		var rep hearthhttp.PowerReport
		apiJSON(t, agg, "GET", "/api/v1/power", nil, &rep)
		for _, s := range rep.Sites {
			if s.Site == "fleet" {
				st.Miners, st.Measured, st.Fixed, st.State, st.Target = s.Miners, s.MeasuredWatts, s.FixedWatts, string(s.State), s.TargetWatts
			}
		}
		return st
	}

	var total float64
	eventually(t, "three children at full power, reporting to the aggregator", func() bool {
		total = 0
		for _, c := range children {
			p, ok := sitePower(c.d)
			if !ok || p < 5000 {
				return false
			}
			c.full = p
			total += p
		}
		return fleetStatus().Miners == 3
	})

	limit := math.Round(0.6 * total)
	out, errOut, code := runCLI(t, append([]string{"power", "override", "fleet", "--limit-kw", fmt.Sprint(limit / 1000), "--for", "10m",
		"--reason", "grid event", "--json"}, aggCLI...)...)
	if code != 0 {
		t.Fatalf("power override exited %d: %s%s", code, out, errOut)
	}
	var sum float64
	eventually(t, "the three children together under the aggregate's limit, each shedding", func() bool {
		sum = 0
		for _, c := range children {
			p, ok := sitePower(c.d)
			if !ok || p > c.full*0.95 {
				return false
			}
			sum += p
		}
		st := fleetStatus()
		return sum <= limit*1.03 && st.State == "reached" && st.Miners == 3 && st.Target != nil && math.Abs(*st.Target-limit) < 1
	})
	// Each child holds its share as a request of source aggregator.
	for _, c := range children {
		var reqs hearthhttp.PowerRequestList
		apiJSON(t, c.d, "GET", "/api/v1/power/requests?source=aggregator", nil, &reqs)
		if len(reqs.Requests) != 1 || reqs.Requests[0].Kind != hearth.RequestLimit || reqs.Requests[0].LimitWatts >= c.full {
			t.Errorf("%s's requests %+v", c.name, reqs.Requests)
		}
	}

	// child3 stops: after the timeout it is lost, its full power is
	// reserved, and the other two shed more.
	lost := children[2]
	lost.d.cancel()
	err := <-lost.d.done
	lost.d.done <- err // for the cleanup
	before := map[string]float64{}
	for _, c := range children[:2] {
		before[c.name], _ = sitePower(c.d)
	}
	eventually(t, "the two remaining children shedding more, the aggregate held", func() bool {
		st := fleetStatus()
		if st.Miners != 2 || st.Fixed < lost.full*0.9 {
			return false
		}
		sum = 0
		for _, c := range children[:2] {
			p, ok := sitePower(c.d)
			if !ok || p >= before[c.name] {
				return false
			}
			sum += p
		}
		return sum+lost.full <= limit*1.03
	})
	// The aggregator's operator sees the lost child marked, and the others
	// live with the targets they were answered.
	out, errOut, code = runCLI(t, append([]string{"power", "children", "--json"}, aggCLI...)...)
	var listed struct {
		Children []aggregate.ChildStatus `json:"children"`
	}
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed.Children) != 3 {
		t.Fatalf("power children exited %d: %s%s", code, out, errOut)
	}
	for _, c := range listed.Children {
		wantLost := c.Child == lost.name
		if c.Lost != wantLost || c.Aggregate != "fleet" || len(c.Targets) != 1 || (!wantLost && c.Targets[0].Kind != hearth.RequestLimit) {
			t.Errorf("child %+v: want lost %v, one limit target", c, wantLost)
		}
	}

	// And on the power page, a row per child site, the lost one marked.
	ctx := newBrowser(t, 60*time.Second)
	var lostRows, liveRows int
	browse(t, ctx, "child hearths on the aggregator's power page",
		chromedp.Navigate(agg.URL+"/power"),
		chromedp.WaitVisible(`#power-children[data-loaded="true"] tr[data-child="`+lost.name+`"][data-status="lost"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#power-children-body tr[data-status="lost"]').length`, &lostRows),
		chromedp.Evaluate(`document.querySelectorAll('#power-children-body tr[data-status="live"] td[data-col="target"]:not([data-value=""])').length`, &liveRows),
		chromedp.ScrollIntoView(`#power-children-panel`, chromedp.ByQuery),
		screenshot("power-children"),
	)
	if lostRows != 1 || liveRows != 2 {
		t.Errorf("power page: %d lost child rows and %d live ones with a target, want 1 and 2", lostRows, liveRows)
	}

	// The aggregator stops: the children's fail mode resume withdraws
	// their aggregator target and they mine at full power again.
	agg.cancel()
	err = <-agg.done
	agg.done <- err
	c := children[0]
	eventually(t, "child1 back at full power after losing its aggregator", func() bool {
		var reqs hearthhttp.PowerRequestList
		apiJSON(t, c.d, "GET", "/api/v1/power/requests?source=aggregator", nil, &reqs)
		p, ok := sitePower(c.d)
		return len(reqs.Requests) == 0 && ok && p >= c.full*0.95
	})
	out, _, _ = runCLI(t, "power", "programs", "list", "--json", "--server", c.d.URL, "--token", c.d.Token)
	var progs hearthhttp.PowerProgramList
	if err := json.Unmarshal([]byte(out), &progs); err != nil || len(progs.Programs) != 1 || progs.Programs[0].Status == nil ||
		!progs.Programs[0].Status.Silent {
		t.Errorf("child1's programs after losing the aggregator: %s", out)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sim"
)

// programDemo is a demo of simulated Braiins OS miners in site barn,
// polled and controlled every second, for the power program tests.
type programDemo struct {
	*demo
	t    *testing.T
	cli  []string
	full float64
}

func startProgramDemo(t *testing.T) *programDemo {
	d := startDemo(t, "--miners", "3", "--models", sim.ModelS21BOS, "--site", "barn", "--poll-interval", "1s", "--power-interval", "1s")
	pd := &programDemo{demo: d, t: t, cli: []string{"--server", d.URL, "--token", d.Token}}
	eventually(t, "three miners mining", func() bool {
		if len(listMiners(t, d).Miners) < 3 {
			return false
		}
		total, ok := pd.power()
		pd.full = total
		return ok && total > 5_000
	})
	return pd
}

// power returns the measured power of the site's miners.
func (d *programDemo) power() (float64, bool) {
	var total float64
	for _, m := range listMiners(d.t, d.demo).Miners {
		r := showMiner(d.t, d.demo, m.ID).Latest
		if r == nil {
			return 0, false
		}
		total += r.Power
	}
	return total, true
}

// status returns barn's line of `hearth power status --json`.
func (d *programDemo) status() (hearthhttp.PowerReport, bool) {
	var st hearthhttp.PowerReport
	out, _, _ := runCLI(d.t, append([]string{"power", "status", "--json"}, d.cli...)...)
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Sites) != 1 {
		return st, false
	}
	return st, true
}

// curtailedBy waits until barn draws next to nothing, held by a request
// of source.
func (d *programDemo) curtailedBy(what string, source hearth.PowerSource) {
	d.t.Helper()
	eventually(d.t, what, func() bool {
		total, ok := d.power()
		st, sok := d.status()
		return ok && sok && total < d.full*0.05 && st.Sites[0].Request != nil && st.Sites[0].Request.Source == source
	})
}

// mining waits until barn is back at full power, with no request.
func (d *programDemo) mining(what string) {
	d.t.Helper()
	eventually(d.t, what, func() bool {
		total, ok := d.power()
		st, sok := d.status()
		return ok && sok && total >= d.full*0.95 && st.Sites[0].Request == nil
	})
}

// setProgram runs `hearth power programs set` and fails on an error.
func (d *programDemo) setProgram(args ...string) {
	d.t.Helper()
	out, errOut, code := runCLI(d.t, append(append([]string{"power", "programs", "set"}, args...), d.cli...)...)
	if code != 0 {
		d.t.Fatalf("power programs set exited %d: %s%s", code, out, errOut)
	}
}

// writeTariff writes a CSV feed with price per kWh for the hours around
// now.
func writeTariff(t *testing.T, path string, perKWh float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("start,end,price,currency,unit\n")
	h := time.Now().UTC().Truncate(time.Hour)
	for i := -1; i < 3; i++ {
		s := h.Add(time.Duration(i) * time.Hour)
		fmt.Fprintf(&b, "%s,%s,%g,USD,per_kwh\n", s.Format(time.RFC3339), s.Add(time.Hour).Format(time.RFC3339), perKWh)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// An operator points a price program at a tariff file: with the current
// hour above the strike, barn's miners sleep under the price response;
// once the file says electricity is cheap, they wake.
func TestPriceProgramSleepsAndWakesASite(t *testing.T) {
	t.Parallel()
	d := startProgramDemo(t)
	feed := filepath.Join(t.TempDir(), "tariff.csv")
	writeTariff(t, feed, 0.31)

	if out, errOut, code := runCLI(t, append([]string{"power", "programs", "set", "tariff", "--kind", "price", "--site", "barn",
		"--settings", `{"feed":"` + feed + `","strike_per_kwh":"cheap"}`}, d.cli...)...); code == 0 {
		t.Fatalf("settings with a strike that is not a number were taken: %s%s", out, errOut)
	}
	d.setProgram("tariff", "--kind", "price", "--site", "barn",
		"--settings", `{"feed":"`+feed+`","unit":"per_kwh","currency":"USD","strike_per_kwh":0.12,"hysteresis_per_kwh":0.01,"refresh":"1s"}`)
	d.curtailedBy("barn asleep at 0.31 USD/kWh", hearth.SourcePrice)
	st, _ := d.status()
	if r := st.Sites[0].Request; r.ID != "tariff/price" || r.Kind != hearth.RequestShed || !strings.Contains(r.Reason, "0.310 USD/kWh above strike 0.120") {
		t.Errorf("request %+v", r)
	}
	out, _, _ := runCLI(t, append([]string{"power", "programs", "list"}, d.cli...)...)
	if !strings.Contains(out, "tariff") || !strings.Contains(out, "running") {
		t.Errorf("programs list:\n%s", out)
	}

	writeTariff(t, feed, 0.04)
	d.mining("barn awake at 0.04 USD/kWh")
}

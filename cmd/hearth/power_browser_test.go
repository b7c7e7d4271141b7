package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// An operator holds a site to a few kilowatts from the power page: a
// refused override shows the API's message; the override form then limits
// the site for 30 minutes, the override is listed with the operator's
// reason, the site's row shows the 3 kW target held by it (not free), the
// chart draws the site's power from the metrics store, and withdrawing the
// override (after a confirmation) gives the site back to its budget. A
// shed, chosen in the same form, is stored as a fraction.
func TestBrowserPowerOverride(t *testing.T) {
	t.Parallel()
	// Braiins OS miners take power targets, so the controller can trim
	// them rather than only sleep them.
	d := startDemo(t, "--miners", "4", "--models", "s21-bos", "--poll-interval", "1s", "--power-interval", "1s")
	eventually(t, "four miners listed", func() bool { return len(listMiners(t, d).Miners) == 4 })
	c := []string{"--server", d.URL, "--token", d.Token}
	if out, errOut, code := runCLI(t, append([]string{"sites", "add", "barn", "--power-budget-kw", "500", "--time-zone", "Europe/Oslo"}, c...)...); code != 0 {
		t.Fatalf("sites add: %s %s", out, errOut)
	}
	// A site with no budget and no request is left alone by the
	// controller; the page still lists it, free.
	if out, errOut, code := runCLI(t, append([]string{"sites", "add", "yard"}, c...)...); code != 0 {
		t.Fatalf("sites add: %s %s", out, errOut)
	}
	plan := filepath.Join(t.TempDir(), "plan.csv")
	if err := os.WriteFile(plan, []byte("miner,site,row,rack,shelf,slot\nsim-00000,barn,A,01,1,1\nsim-00001,barn,A,01,1,2\n"+
		"sim-00002,barn,A,01,2,1\nsim-00003,barn,A,01,2,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCLI(t, append([]string{"positions", "import", plan}, c...)...); code != 0 {
		t.Fatalf("positions import: %s %s", out, errOut)
	}
	for _, id := range []string{"sim-00000", "sim-00001", "sim-00002", "sim-00003"} {
		eventually(t, id+" online in barn", func() bool {
			m := showMiner(t, d, id)
			return m.Site == "barn" && m.Status.State == "online"
		})
	}

	ctx := newBrowser(t, 150*time.Second)
	browse(t, ctx, "open the power page",
		openWithToken(d.URL+"/power", d.Token),
		chromedp.WaitVisible(`table#power-sites[data-loaded="true"]`, chromedp.ByQuery),
	)
	browse(t, ctx, "barn listed",
		chromedp.WaitVisible(`#power-sites-body tr[data-site="barn"][data-controlled="true"] td[data-col="budget"][data-value="500000"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-sites-body tr[data-site="yard"][data-state="free"][data-controlled="false"]`, chromedp.ByQuery),
		chromedp.WaitReady(`#power-override-site option[value="barn"]`, chromedp.ByQuery),
		chromedp.WaitReady(`#power-override-site option[value="yard"]`, chromedp.ByQuery),
	)

	// A refusal shows the API's own message.
	var refusal string
	browse(t, ctx, "refused override",
		chromedp.SetValue(`#power-override-site`, "barn", chromedp.ByQuery),
		chromedp.SetValue(`#power-override-kind`, "limit", chromedp.ByQuery),
		chromedp.SetValue(`#power-override-limit-kw`, "3", chromedp.ByQuery),
		chromedp.SetValue(`#power-override-for`, "soon", chromedp.ByQuery),
		chromedp.Click(`#power-override-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-override-message[data-outcome="error"]`, chromedp.ByQuery),
		chromedp.Text(`#power-override-message`, &refusal, chromedp.ByQuery),
	)
	if !strings.Contains(refusal, `"for" must be a positive duration`) {
		t.Errorf("refusal shown as %q", refusal)
	}

	// The override, through the form.
	var id, target, outcome string
	var ok bool
	browse(t, ctx, "override barn",
		chromedp.SetValue(`#power-override-for`, "30m", chromedp.ByQuery),
		chromedp.SetValue(`#power-override-reason`, "feeder maintenance", chromedp.ByQuery),
		chromedp.Click(`#power-override-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-override-message[data-outcome="ok"]`, chromedp.ByQuery),
		chromedp.Text(`#power-override-message`, &outcome, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-requests-body tr[data-source="override"][data-site="barn"][data-active="true"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#power-requests-body tr[data-source="override"][data-site="barn"]`, "data-request-id", &id, &ok, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-sites-body tr[data-site="barn"]:not([data-state="free"]) td[data-col="target"][data-value="3000"]`, chromedp.ByQuery),
		chromedp.Text(`#power-sites-body tr[data-site="barn"] td[data-col="target"]`, &target, chromedp.ByQuery),
		screenshot("power"),
	)
	if !ok || !strings.HasPrefix(id, "ovr-") || !strings.Contains(outcome, id) {
		t.Fatalf("override listed as %q (message %q)", id, outcome)
	}
	if target != "3.0" && target != "3.00" {
		t.Errorf("barn's target shows %q, want 3.0 (kW)", target)
	}
	var row struct{ Asks, Reason, By, HeldBy string }
	browse(t, ctx, "read the override",
		chromedp.Text(`#power-requests-body tr[data-request-id="`+id+`"] td[data-col="asks"]`, &row.Asks, chromedp.ByQuery),
		chromedp.Text(`#power-requests-body tr[data-request-id="`+id+`"] td[data-col="reason"]`, &row.Reason, chromedp.ByQuery),
		chromedp.Text(`#power-requests-body tr[data-request-id="`+id+`"] td[data-col="by"]`, &row.By, chromedp.ByQuery),
		chromedp.Text(`#power-sites-body tr[data-site="barn"] td[data-col="held_by"]`, &row.HeldBy, chromedp.ByQuery),
	)
	if !strings.HasPrefix(row.Asks, "limit 3") || row.Reason != "feeder maintenance" || row.By == "" ||
		!strings.Contains(row.HeldBy, "override "+id) || !strings.Contains(row.HeldBy, "feeder maintenance") {
		t.Errorf("override shown as %+v", row)
	}
	var rep hearthhttp.PowerReport
	apiJSON(t, d, "GET", "/api/v1/power", nil, &rep)
	if len(rep.Requests) != 1 || rep.Requests[0].ID != id || rep.Requests[0].LimitWatts != 3000 ||
		rep.Requests[0].Reason != "feeder maintenance" {
		t.Fatalf("requests stored: %+v", rep.Requests)
	}
	if left := time.Until(rep.Requests[0].End); left < 25*time.Minute || left > 31*time.Minute {
		t.Errorf("override ends in %s, want about 30m", left)
	}

	// The chart of barn's power, once the controller has recorded the
	// target beside the measured power.
	var series string
	browse(t, ctx, "chart",
		chromedp.Poll(`(() => { const b = document.getElementById("chart-site-power");
			return b.dataset.state === "drawn" && b.dataset.site === "barn" && (b.dataset.series || "").split(",").includes("target") &&
				b.querySelector("canvas") !== null; })()`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.AttributeValue(`#chart-site-power`, "data-series", &series, &ok, chromedp.ByQuery),
		chromedp.Click(`#range-6h`, chromedp.ByQuery),
		chromedp.WaitVisible(`#chart-range[data-range="6h"] #range-6h[aria-pressed="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#chart-site-power[data-state="drawn"]`, chromedp.ByQuery),
		screenshot("power-chart"),
	)
	if !strings.Contains(series, "measured") {
		t.Errorf("chart series %q lack the measured power", series)
	}

	// Withdrawn, after the page asked.
	var asked string
	browse(t, ctx, "withdraw",
		chromedp.Evaluate(`window.confirm = (m) => { window.confirmAsked = m; return true; }`, nil),
		chromedp.Click(`#power-requests-body tr[data-request-id="`+id+`"] button[data-action="withdraw"]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('#power-requests-body tr[data-request-id="`+id+`"]') === null`, nil,
			chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`window.confirmAsked || ""`, &asked),
		chromedp.WaitVisible(`#power-sites-body tr[data-site="barn"] td[data-col="held_by"]:not([data-request-id])`, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-sites-body tr[data-site="barn"] td[data-col="target"][data-value="500000"]`, chromedp.ByQuery),
	)
	if !strings.Contains(asked, id) || !strings.Contains(asked, "barn") {
		t.Errorf("confirmation asked %q", asked)
	}
	apiJSON(t, d, "GET", "/api/v1/power", nil, &rep)
	if len(rep.Requests) != 0 {
		t.Fatalf("requests left after the withdrawal: %+v", rep.Requests)
	}

	// Choosing another kind switches the form's input: a shed of half the
	// flexible power, stored as a fraction.
	var shedDisabled, limitDisabled bool
	browse(t, ctx, "shed",
		chromedp.Evaluate(`(() => { const k = document.getElementById("power-override-kind");
			k.value = "shed"; k.dispatchEvent(new Event("change")); })()`, nil),
		chromedp.Evaluate(`document.getElementById("power-override-shed").disabled`, &shedDisabled),
		chromedp.Evaluate(`document.getElementById("power-override-limit-kw").disabled`, &limitDisabled),
		chromedp.SetValue(`#power-override-shed`, "50", chromedp.ByQuery),
		chromedp.SetValue(`#power-override-for`, "10m", chromedp.ByQuery),
		chromedp.Click(`#power-override-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#power-requests-body tr[data-source="override"][data-site="barn"] td[data-col="asks"][data-kind="shed"]`, chromedp.ByQuery),
	)
	if shedDisabled || !limitDisabled {
		t.Errorf("with kind shed: shed input disabled %v, limit input disabled %v", shedDisabled, limitDisabled)
	}
	apiJSON(t, d, "GET", "/api/v1/power", nil, &rep)
	if len(rep.Requests) != 1 || rep.Requests[0].Kind != "shed" || rep.Requests[0].ShedFraction != 0.5 || rep.Requests[0].LimitWatts != 0 {
		t.Fatalf("shed stored as %+v", rep.Requests)
	}
}

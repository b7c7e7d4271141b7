package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// newBrowser starts headless Chromium under chromedp for one test and
// returns a context that drives its tab, bounded by timeout.
func newBrowser(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(func() {
		// Closing the browser gracefully waits for it to exit, so that the
		// profile directory is no longer written when it is removed.
		chromedp.Cancel(ctx)
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	return ctx
}

// browse runs actions in the browser and fails the test, naming step, on
// an error (a selector that never appears ends with the context's deadline).
func browse(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// screenshot saves the page as name.png in $HEARTH_SCREENSHOTS, when set,
// for a person to look at; it does nothing otherwise.
func screenshot(name string) chromedp.Action {
	dir := os.Getenv("HEARTH_SCREENSHOTS")
	if dir == "" {
		return chromedp.Tasks{}
	}
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var png []byte
		if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// openWithToken opens url with the API token stored as the token banner
// stores it, so that the page's writes are authorised.
func openWithToken(url, token string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(url),
		chromedp.Evaluate(`localStorage.setItem("hearth.apiToken", `+strconv.Quote(token)+`)`, nil),
		chromedp.Navigate(url),
	}
}

// An operator manages groups, desired state and schedules from the
// browser: creates a group and adds two miners to it through the forms,
// sets the group's pools in the desired-state editor (the password stays
// stored when the user pattern is changed later without retyping it), and
// adds a schedule that is listed with its next opening, then deletes it.
func TestBrowserEditsGroupsDesiredStateAndSchedules(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "3", "--models", "s21", "--site", "barn", "--poll-interval", "1s")
	eventually(t, "three miners listed", func() bool { return len(listMiners(t, d).Miners) == 3 })
	ctx := newBrowser(t, 120*time.Second)

	// A group, created through the form.
	browse(t, ctx, "create group",
		openWithToken(d.URL+"/groups", d.Token),
		chromedp.WaitVisible(`table#groups[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#group-create-name`, "tank-2", chromedp.ByQuery),
		chromedp.SendKeys(`#group-create-description`, "immersion tank 2", chromedp.ByQuery),
		chromedp.Click(`#group-create-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#groups-body tr[data-group="tank-2"] td[data-col="members"][data-value="0"]`, chromedp.ByQuery),
	)

	// Two miners, added on the group's page.
	var members string
	browse(t, ctx, "add members",
		chromedp.Click(`#groups-body tr[data-group="tank-2"] td[data-col="name"] a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#group[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#members-add-ids`, "sim-00000, sim-00002", chromedp.ByQuery),
		chromedp.Click(`#members-add-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#group[data-members="2"]`, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("#members-body tr[data-miner-id]")).map(r => r.dataset.minerId).join(",")`, &members),
	)
	if members != "sim-00000,sim-00002" {
		t.Fatalf("members shown: %q", members)
	}
	var g hearth.Group
	apiJSON(t, d, "GET", "/api/v1/groups/tank-2", nil, &g)
	if strings.Join(g.MinerIDs, ",") != "sim-00000,sim-00002" || g.Description != "immersion tank 2" {
		t.Fatalf("group stored as %+v", g)
	}

	// The group's pools, set in the editor.
	browse(t, ctx, "save pools",
		chromedp.WaitVisible(`#desired[data-loaded="true"][data-set="false"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#desired-pools-body tr[data-pool-index="0"] input[data-field="url"]`, "stratum+tcp://pool.hearth.test:3333", chromedp.ByQuery),
		chromedp.SendKeys(`#desired-pools-body tr[data-pool-index="0"] input[data-field="user_pattern"]`, "farm.{site}-{miner}", chromedp.ByQuery),
		chromedp.SendKeys(`#desired-pools-body tr[data-pool-index="0"] input[data-field="password"]`, "s3cret", chromedp.ByQuery),
		chromedp.SetValue(`#desired-priority`, "5", chromedp.ByQuery),
		chromedp.Click(`#desired-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired[data-set="true"] #desired-pools-body tr[data-pool-index="0"][data-password-set="true"]`, chromedp.ByQuery),
		screenshot("group"),
	)
	stored := func() *hearth.DesiredRecord {
		t.Helper()
		var list hearthhttp.DesiredList
		apiJSON(t, d, "GET", "/api/v1/desired?kind=group&id=tank-2", nil, &list)
		if len(list.Desired) != 1 {
			t.Fatalf("desired state of tank-2: %+v", list.Desired)
		}
		return list.Desired[0]
	}
	rec := stored()
	if p := rec.State.Pools; len(p) != 1 || p[0].URL != "stratum+tcp://pool.hearth.test:3333" || p[0].UserPattern != "farm.{site}-{miner}" || p[0].Password != "***" {
		t.Fatalf("pools stored: %+v", p)
	}
	if rec.Priority != 5 || rec.State.Power != nil || rec.State.Fan != nil || rec.State.Locate != nil {
		t.Fatalf("stored %+v: only the pools and the priority were set", rec)
	}

	// A later edit of the user alone keeps the stored password, which the
	// page never saw.
	browse(t, ctx, "edit user",
		chromedp.SetValue(`#desired-pools-body tr[data-pool-index="0"] input[data-field="user_pattern"]`, "farm.{rack}", chromedp.ByQuery),
		chromedp.Click(`#desired-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired-message`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById("desired-message").textContent === "Saved."`, nil, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if p := stored().State.Pools; len(p) != 1 || p[0].UserPattern != "farm.{rack}" || p[0].Password != "***" {
		t.Fatalf("after editing the user: %+v", p)
	}

	// The groups list summarises the desired state.
	var summary string
	browse(t, ctx, "groups list",
		chromedp.Navigate(d.URL+"/groups"),
		chromedp.WaitVisible(`#groups-body tr[data-group="tank-2"] td[data-col="desired"][data-set="true"]`, chromedp.ByQuery),
		chromedp.Text(`#groups-body tr[data-group="tank-2"] td[data-col="desired"]`, &summary, chromedp.ByQuery),
		screenshot("groups"),
	)
	if summary != "1 pool" {
		t.Errorf("desired state summary %q, want 1 pool", summary)
	}

	// A schedule, added through the form and listed with its next opening.
	var opening string
	var ok bool
	browse(t, ctx, "add schedule",
		chromedp.Navigate(d.URL+"/schedules"),
		chromedp.WaitVisible(`table#schedules[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.SendKeys(`#schedule-name`, "night", chromedp.ByQuery),
		chromedp.SetValue(`#schedule-scope-kind`, "group", chromedp.ByQuery),
		chromedp.SendKeys(`#schedule-scope-id`, "tank-2", chromedp.ByQuery),
		chromedp.SendKeys(`#schedule-spec`, "22:00-06:00", chromedp.ByQuery),
		chromedp.SendKeys(`#schedule-time-zone`, "Europe/Oslo", chromedp.ByQuery),
		chromedp.SetValue(`#schedule-change`, "pause", chromedp.ByQuery),
		chromedp.Click(`#schedule-create-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#schedules-body tr[data-schedule="night"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#schedules-body tr[data-schedule="night"] td[data-col="next_opening"]`, "data-value", &opening, &ok, chromedp.ByQuery),
		screenshot("schedules"),
	)
	var list hearthhttp.ScheduleList
	apiJSON(t, d, "GET", "/api/v1/schedules", nil, &list)
	if len(list.Schedules) != 1 || list.Schedules[0].Target != (hearth.Scope{Kind: hearth.ScopeGroup, ID: "tank-2"}) ||
		list.Schedules[0].Recurrence != "22:00-06:00" || list.Schedules[0].Change.Kind != hearth.ChangePause {
		t.Fatalf("schedules stored: %+v", list.Schedules)
	}
	next, err := time.Parse(time.RFC3339, opening)
	if err != nil || !next.Equal(list.Schedules[0].NextOpening) || next.Before(time.Now()) || next.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("next opening shown %q (%v), API %v", opening, err, list.Schedules[0].NextOpening)
	}
	if local := next.In(mustZone(t, "Europe/Oslo")); local.Hour() != 22 || local.Minute() != 0 {
		t.Errorf("next opening %v is not 22:00 in Oslo", local)
	}

	// And deleted.
	browse(t, ctx, "delete schedule",
		chromedp.Evaluate(`window.confirm = () => true`, nil),
		chromedp.Click(`#schedules-body tr[data-schedule="night"] button[data-action="delete"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#schedules-body tr[data-schedule="night"]`, chromedp.ByQuery),
	)
	apiJSON(t, d, "GET", "/api/v1/schedules", nil, &list)
	if len(list.Schedules) != 0 {
		t.Fatalf("schedules left after delete: %+v", list.Schedules)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The same editor works on a site's page (reached from the sites list)
// and on a miner's page: a site is set to eco, a miner to a fixed fan
// speed with its fault light on, and the site's state is cleared again.
func TestBrowserEditsSiteAndMinerDesiredState(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "2", "--models", "s21", "--site", "barn", "--poll-interval", "1s")
	eventually(t, "two miners listed", func() bool { return len(listMiners(t, d).Miners) == 2 })
	if out, errOut, code := runCLI(t, "sites", "edit", "barn", "--time-zone", "Europe/Oslo", "--server", d.URL, "--token", d.Token); code != 0 {
		t.Fatalf("sites edit: %s %s", out, errOut)
	}
	ctx := newBrowser(t, 120*time.Second)
	record := func(kind hearth.ScopeKind, id string) *hearth.DesiredRecord {
		t.Helper()
		var list hearthhttp.DesiredList
		apiJSON(t, d, "GET", "/api/v1/desired?kind="+string(kind)+"&id="+id, nil, &list)
		if len(list.Desired) == 0 {
			return nil
		}
		return list.Desired[0]
	}

	var zone string
	var ok bool
	browse(t, ctx, "site page",
		openWithToken(d.URL+"/sites", d.Token),
		chromedp.WaitVisible(`#sites-body tr[data-site="barn"] td[data-col="name"] a`, chromedp.ByQuery),
		chromedp.Click(`#sites-body tr[data-site="barn"] td[data-col="name"] a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#site[data-loaded="true"] #site-facts dd[data-field="miners"][data-value="2"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#site`, "data-time-zone", &zone, &ok, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired[data-loaded="true"][data-set="false"][data-scope-kind="site"]`, chromedp.ByQuery),
		chromedp.SetValue(`#desired-power-mode`, "eco", chromedp.ByQuery),
		chromedp.SetValue(`#desired-power-watts`, "2500", chromedp.ByQuery),
		chromedp.Click(`#desired-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired[data-set="true"]`, chromedp.ByQuery),
		screenshot("site"),
	)
	if zone != "Europe/Oslo" {
		t.Errorf("site page time zone %q", zone)
	}
	if r := record(hearth.ScopeSite, "barn"); r == nil || r.State.Power == nil || *r.State.Power != (hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 2500}) || len(r.State.Pools) != 0 {
		t.Fatalf("site record %+v", r)
	}

	browse(t, ctx, "miner page",
		chromedp.Navigate(d.URL+"/miners/sim-00001"),
		chromedp.WaitVisible(`#desired[data-loaded="true"][data-set="false"][data-scope-id="sim-00001"]`, chromedp.ByQuery),
		chromedp.SetValue(`#desired-fan-mode`, "fixed", chromedp.ByQuery),
		chromedp.SetValue(`#desired-fan-percent`, "60", chromedp.ByQuery),
		chromedp.SetValue(`#desired-locate`, "on", chromedp.ByQuery),
		chromedp.Click(`#desired-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired[data-set="true"]`, chromedp.ByQuery),
	)
	r := record(hearth.ScopeMiner, "sim-00001")
	if r == nil || r.State.Fan == nil || *r.State.Fan != (hearth.FanMode{Percent: 60}) || r.State.Locate == nil || !*r.State.Locate || r.State.Power != nil {
		t.Fatalf("miner record %+v", r)
	}

	browse(t, ctx, "clear site",
		chromedp.Navigate(d.URL+"/sites/barn"),
		chromedp.WaitVisible(`#desired[data-loaded="true"][data-set="true"]`, chromedp.ByQuery),
		chromedp.Click(`#desired-clear`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desired[data-set="false"]`, chromedp.ByQuery),
	)
	if r := record(hearth.ScopeSite, "barn"); r != nil {
		t.Fatalf("site record left after Clear: %+v", r)
	}
}

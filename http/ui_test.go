package http_test

import (
	"fmt"
	"html"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// page fetches a UI page and checks it is HTML under a strict CSP.
func page(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	rec := serve(h, request("GET", path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("GET %s: CSP %q", path, csp)
	}
	return rec.Body.String()
}

// hasElement reports whether body has an element with this tag and id.
func hasElement(body, tag, id string) bool {
	return regexp.MustCompile(`<` + tag + `\b[^>]*\bid="` + regexp.QuoteMeta(id) + `"`).MatchString(body)
}

func TestFleetPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/")
	for _, el := range [][2]string{
		{"table", "fleet"}, {"tbody", "fleet-body"},
		{"span", "fleet-total-miners"}, {"span", "fleet-online"}, {"span", "fleet-offline"}, {"span", "fleet-unknown"},
		{"span", "fleet-total-hashrate"}, {"span", "fleet-total-power"}, {"span", "fleet-efficiency"},
		{"input", "fleet-filter"}, {"select", "fleet-status-filter"}, {"select", "fleet-site-filter"}, {"select", "fleet-page-size"},
		{"button", "fleet-prev"}, {"button", "fleet-next"}, {"span", "fleet-page-info"}, {"div", "fleet-error"},
		{"form", "auth-form"}, {"input", "auth-token"},
	} {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("fleet page lacks <%s id=%q>", el[0], el[1])
		}
	}
	// One sortable header per column, in order.
	var sorts []string
	for _, m := range regexp.MustCompile(`<th [^>]*data-sort="([a-z_]+)"`).FindAllStringSubmatch(body, -1) {
		sorts = append(sorts, m[1])
	}
	if want := []string{"id", "model", "site", "state", "hashrate", "power", "efficiency", "hottest_chip", "last_seen"}; !slices.Equal(sorts, want) {
		t.Errorf("sortable columns = %v, want %v", sorts, want)
	}
	for _, text := range []string{"Hashrate (TH/s)", "Power (W)", "Efficiency (J/TH)", "Hottest chip (°C)", "Last seen"} {
		if !strings.Contains(body, text) {
			t.Errorf("fleet page lacks the column %q", text)
		}
	}
	if !regexp.MustCompile(`<script src="/static/fleet\.js\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
		t.Error("fleet page does not load a versioned fleet.js")
	}
}

func TestSitesPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/sites")
	for _, el := range [][2]string{{"table", "sites"}, {"tbody", "sites-body"}, {"div", "sites-error"}, {"form", "auth-form"}} {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("sites page lacks <%s id=%q>", el[0], el[1])
		}
	}
	if !strings.Contains(body, `<a href="/sites" aria-current="page">Sites</a>`) {
		t.Error("the navigation does not mark the sites page")
	}
	if !regexp.MustCompile(`<script src="/static/sites\.js\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
		t.Error("sites page does not load a versioned sites.js")
	}
}

func TestProfilesPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/profiles")
	for _, el := range [][2]string{
		{"table", "profiles"}, {"tbody", "profiles-body"}, {"div", "profiles-error"}, {"form", "profile-form"},
		{"input", "profile-name"}, {"select", "profile-mode"}, {"input", "profile-watts"}, {"textarea", "profile-model-watts"},
		{"input", "profile-description"}, {"button", "profile-save"}, {"button", "profile-reset"}, {"p", "profile-form-status"},
	} {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("profiles page lacks <%s id=%q>", el[0], el[1])
		}
	}
	if !strings.Contains(body, `<a href="/profiles" aria-current="page">Profiles</a>`) {
		t.Error("the navigation does not mark the profiles page")
	}
	if !regexp.MustCompile(`<script src="/static/profiles\.js\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
		t.Error("profiles page does not load a versioned profiles.js")
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("profiles page has inline style or script, which the CSP refuses")
	}
}

func TestPowerPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/power")
	checkPage(t, "power", body, [][2]string{
		{"table", "power-sites"}, {"tbody", "power-sites-body"}, {"div", "power-error"}, {"span", "power-updated"},
		{"select", "power-chart-site"}, {"div", "chart-site-power"}, {"div", "chart-range"},
		{"button", "range-1h"}, {"button", "range-6h"}, {"button", "range-24h"},
		{"table", "power-requests"}, {"tbody", "power-requests-body"}, {"div", "power-requests-error"},
		{"form", "power-override"}, {"select", "power-override-site"}, {"select", "power-override-kind"},
		{"input", "power-override-limit-kw"}, {"input", "power-override-shed"}, {"input", "power-override-for"},
		{"input", "power-override-reason"}, {"button", "power-override-submit"}, {"p", "power-override-message"},
		{"form", "auth-form"}, {"input", "auth-token"},
	}, []string{"hearth.js", "vendor/uplot/uPlot.iife.min.js", "power.js"}, `<a href="/power" aria-current="page">Power</a>`)
	if !strings.Contains(body, "/static/vendor/uplot/uPlot.min.css?v=") {
		t.Error("power page does not load uPlot's style sheet")
	}
	// The chart names the controller's series as the metrics store records
	// them; the script adds the site.
	for attr, metric := range map[string]string{
		"data-target-metric":   "hearth_site_power_target_watts",
		"data-measured-metric": "hearth_site_power_watts",
		"data-planned-metric":  "hearth_site_power_planned_watts",
	} {
		if !strings.Contains(body, attr+`="`+metric+`"`) {
			t.Errorf("power chart lacks %s=%q", attr, metric)
		}
	}
	for _, kind := range []string{"limit", "shed", "resume"} {
		if !strings.Contains(body, `<option value="`+kind+`"`) {
			t.Errorf("override form lacks the kind %s", kind)
		}
	}
	if !regexp.MustCompile(`<input id="power-override-for"[^>]*value="1h"`).MatchString(body) {
		t.Error("an override does not default to 1h in the form")
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("power page has inline style or script, which the CSP refuses")
	}
	// Every page links to it.
	if other := page(t, newFixture(t).Handler, "/"); !strings.Contains(other, `<a href="/power">Power</a>`) {
		t.Error("the fleet page's navigation lacks Power")
	}
}

func TestMinerPage(t *testing.T) {
	h := newFixture(t).Handler
	body := page(t, h, "/miners/s21-b")
	for _, el := range [][2]string{
		{"div", "miner"}, {"h1", "miner-title"}, {"span", "miner-state"},
		{"span", "miner-hashrate"}, {"span", "miner-power"}, {"span", "miner-efficiency"}, {"span", "miner-hottest-chip"},
		{"span", "miner-last-seen"}, {"span", "miner-uptime"}, {"p", "miner-last-error"}, {"dl", "miner-identity"},
		{"table", "boards"}, {"tbody", "boards-body"}, {"table", "fans"}, {"tbody", "fans-body"}, {"table", "pools"}, {"tbody", "pools-body"},
		{"div", "chart-hashrate"}, {"div", "chart-power"}, {"div", "chart-temperature"},
		{"button", "range-1h"}, {"button", "range-6h"}, {"button", "range-24h"},
	} {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("miner page lacks <%s id=%q>", el[0], el[1])
		}
	}
	if !strings.Contains(body, `data-miner-id="s21-b"`) {
		t.Error("miner page does not carry its miner id")
	}
	queries := map[string]string{}
	for _, m := range regexp.MustCompile(`id="(chart-[a-z]+)"[^>]*data-query="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		queries[m[1]] = html.UnescapeString(m[2])
	}
	for id, want := range map[string]string{
		"chart-hashrate":    `mining_hash_rate{miner="s21-b"}`,
		"chart-power":       `monitoring_power_consumption_watts{miner="s21-b"}`,
		"chart-temperature": `mining_board_chip_temperature_celsius{miner="s21-b"}`,
	} {
		if queries[id] != want {
			t.Errorf("%s queries %q, want %q", id, queries[id], want)
		}
	}
	for _, asset := range []string{"vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.min.css", "miner.js", "hearth.js", "hearth.css"} {
		if !strings.Contains(body, "/static/"+asset+"?v=") {
			t.Errorf("miner page does not load %s", asset)
		}
	}

	t.Run("HostileIDEscaped", func(t *testing.T) {
		body := page(t, h, `/miners/%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%7D`)
		if strings.Contains(body, "<script>alert") {
			t.Fatal("miner id rendered unescaped")
		}
		m := regexp.MustCompile(`id="chart-hashrate"[^>]*data-query="([^"]*)"`).FindStringSubmatch(body)
		if m == nil || html.UnescapeString(m[1]) != `mining_hash_rate{miner="<script>alert(1)</script>\"}"}` {
			t.Fatalf("query for a hostile id = %v; the label value must stay one quoted PromQL string", m)
		}
	})
}

// desiredEditorHooks are the elements of the desired-state editor that
// every page editing a scope carries.
var desiredEditorHooks = [][2]string{
	{"section", "desired"}, {"form", "desired-form"}, {"span", "desired-status"}, {"div", "desired-error"},
	{"table", "desired-pools"}, {"tbody", "desired-pools-body"},
	{"select", "desired-power-mode"}, {"input", "desired-power-watts"}, {"input", "desired-power-profile"},
	{"select", "desired-fan-mode"}, {"input", "desired-fan-percent"}, {"select", "desired-locate"},
	{"button", "desired-save"}, {"button", "desired-clear"}, {"span", "desired-message"},
}

// checkPage checks that body has every element, loads every script, and
// marks nav in the navigation when nav is set.
func checkPage(t *testing.T, name, body string, elements [][2]string, scripts []string, nav string) {
	t.Helper()
	for _, el := range elements {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("%s page lacks <%s id=%q>", name, el[0], el[1])
		}
	}
	for _, s := range scripts {
		if !regexp.MustCompile(`<script src="/static/` + regexp.QuoteMeta(s) + `\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
			t.Errorf("%s page does not load a versioned %s", name, s)
		}
	}
	if nav != "" && !strings.Contains(body, nav) {
		t.Errorf("%s page: the navigation lacks %s", name, nav)
	}
}

// The editing pages carry the desired-state editor for their scope, and
// every page links to Groups and Schedules.
func TestEditingPages(t *testing.T) {
	h := newFixture(t).Handler
	auth := [][2]string{{"form", "auth-form"}, {"input", "auth-token"}}

	body := page(t, h, "/groups")
	checkPage(t, "groups", body, append([][2]string{{"table", "groups"}, {"tbody", "groups-body"}, {"div", "groups-error"},
		{"form", "group-create"}, {"input", "group-create-name"}, {"input", "group-create-description"}, {"input", "group-create-miners"},
		{"button", "group-create-submit"}, {"p", "group-create-message"}}, auth...),
		[]string{"hearth.js", "groups.js"}, `<a href="/groups" aria-current="page">Groups</a>`)

	body = page(t, h, "/groups/row-a")
	checkPage(t, "group", body, append(append([][2]string{{"div", "group"}, {"h1", "group-title"}, {"div", "group-error"},
		{"table", "members"}, {"tbody", "members-body"}, {"form", "members-add"}, {"input", "members-add-ids"},
		{"button", "members-add-submit"}, {"input", "desired-priority"}}, desiredEditorHooks...), auth...),
		[]string{"hearth.js", "desired.js", "group.js"}, `<a href="/schedules">Schedules</a>`)
	if !strings.Contains(body, `data-scope-kind="group" data-scope-id="row-a"`) || !strings.Contains(body, `data-group="row-a"`) {
		t.Error("group page does not carry its scope")
	}
	for i := range 3 {
		if !strings.Contains(body, fmt.Sprintf(`<tr data-pool-index="%d">`, i)) {
			t.Errorf("desired editor lacks pool row %d", i)
		}
	}
	if !strings.Contains(body, "<code>{{</code>") {
		t.Error("the editor does not document the literal-brace escape")
	}

	body = page(t, h, "/sites/barn")
	checkPage(t, "site", body, append([][2]string{{"div", "site"}, {"dl", "site-facts"}, {"div", "site-error"}}, desiredEditorHooks...),
		[]string{"desired.js", "sites.js"}, "")
	if !strings.Contains(body, `data-scope-kind="site" data-scope-id="barn"`) || hasElement(body, "input", "desired-priority") {
		t.Error("site page: wrong scope, or a group priority field")
	}

	body = page(t, h, "/miners/s21-b")
	checkPage(t, "miner", body, desiredEditorHooks, []string{"desired.js", "miner.js"}, "")
	if !strings.Contains(body, `data-scope-kind="miner" data-scope-id="s21-b"`) {
		t.Error("miner page: the editor does not edit the miner")
	}

	body = page(t, h, "/schedules")
	checkPage(t, "schedules", body, append([][2]string{{"table", "schedules"}, {"tbody", "schedules-body"}, {"div", "schedules-error"},
		{"form", "schedule-create"}, {"input", "schedule-name"}, {"select", "schedule-scope-kind"}, {"input", "schedule-scope-id"},
		{"input", "schedule-spec"}, {"input", "schedule-time-zone"}, {"select", "schedule-change"}, {"select", "schedule-power-mode"},
		{"input", "schedule-power-watts"}, {"input", "schedule-pool-url"}, {"input", "schedule-pool-user"}, {"input", "schedule-pool-password"},
		{"button", "schedule-create-submit"}}, auth...),
		[]string{"hearth.js", "schedules.js"}, `<a href="/schedules" aria-current="page">Schedules</a>`)

	t.Run("HostileNameEscaped", func(t *testing.T) {
		body := page(t, h, `/groups/%3Cscript%3Ealert(1)%3C%2Fscript%3E`)
		if strings.Contains(body, "<script>alert") {
			t.Fatal("group name rendered unescaped")
		}
	})
}

func TestStaticAssets(t *testing.T) {
	h := newFixture(t).Handler
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/static/hearth.css", "text/css; charset=utf-8", ":root"},
		{"/static/hearth.js", "text/javascript; charset=utf-8", "window.hearth"},
		{"/static/fleet.js", "text/javascript; charset=utf-8", "/api/v1/miners"},
		{"/static/miner.js", "text/javascript; charset=utf-8", "/prometheus/api/v1/query_range"},
		{"/static/power.js", "text/javascript; charset=utf-8", "/api/v1/power/requests"},
		{"/static/favicon.svg", "image/svg+xml", "<svg"},
		{"/static/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot (v1.6.32)"},
		{"/static/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
		{"/static/vendor/uplot/LICENSE", "text/plain; charset=utf-8", "MIT License"},
	} {
		rec := serve(h, request("GET", tc.path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", tc.path, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}

		etag := rec.Header().Get("ETag")
		if etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s: ETag %q, Cache-Control %q", tc.path, etag, rec.Header().Get("Cache-Control"))
		}
		req := request("GET", tc.path, nil)
		req.Header.Set("If-None-Match", etag)
		if rec := serve(h, req); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: %d, want 304", tc.path, rec.Code)
		}
		versioned := serve(h, request("GET", tc.path+"?v="+strings.Trim(etag, `"`), nil))
		if cc := versioned.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s?v=: Cache-Control %q, want immutable", tc.path, cc)
		}
	}

	for _, p := range []string{"/static/", "/static/vendor/", "/static/nope.js", "/static/../openapi.json", "/nope", "/miners/"} {
		// ServeMux redirects unclean paths to their clean form; anything
		// but a file is fine.
		if rec := serve(h, request("GET", p, nil)); rec.Code != http.StatusNotFound && rec.Code/100 != 3 {
			t.Errorf("GET %s: %d, want 404 or a redirect", p, rec.Code)
		}
	}
}

// TestPagesReferenceOnlyServedAssets follows every /static URL of every
// page, so that a renamed file cannot break the UI unnoticed.
func TestPagesReferenceOnlyServedAssets(t *testing.T) {
	h := newFixture(t).Handler
	for _, p := range []string{"/", "/miners/x", "/sites", "/sites/barn", "/groups", "/groups/row-a", "/schedules", "/profiles", "/power", "/alerts", "/maintenance", "/plan"} {
		body := page(t, h, p)
		urls := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(urls) < 3 {
			t.Fatalf("GET %s: only %d asset URLs", p, len(urls))
		}
		for _, u := range urls {
			if rec := serve(h, request("GET", html.UnescapeString(u[1]), nil)); rec.Code != http.StatusOK {
				t.Errorf("GET %s references %s: %d", p, u[1], rec.Code)
			}
		}
	}
}

// TestScriptsParse checks the pages' scripts for syntax errors with Node
// when it is installed; the UI itself needs no Node.
func TestScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	for _, f := range []string{"hearth.js", "fleet.js", "miner.js", "sites.js", "desired.js", "groups.js", "group.js", "schedules.js", "profiles.js", "power.js", "alerts.js", "maintenance.js", "plan.js"} {
		if out, err := exec.Command(node, "--check", "web/static/"+f).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}

// The alerts page has its tables, the silence form and its script, and
// the navigation marks it.
func TestAlertsPage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/alerts")
	for _, el := range [][2]string{
		{"table", "alerts-current"}, {"tbody", "alerts-current-body"}, {"table", "silences"}, {"tbody", "silences-body"},
		{"form", "silence-form"}, {"textarea", "silence-matchers"}, {"select", "silence-for"}, {"table", "alerts-history"},
		{"tbody", "alerts-history-body"}, {"div", "alerts-error"},
	} {
		if !strings.Contains(body, "<"+el[0]+` id="`+el[1]+`"`) {
			t.Errorf("alerts page lacks <%s id=%q>", el[0], el[1])
		}
	}
	if !strings.Contains(body, `<a href="/alerts" aria-current="page">Alerts</a>`) {
		t.Error("the navigation does not mark the alerts page")
	}
	if !regexp.MustCompile(`<script src="/static/alerts\.js\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
		t.Error("alerts page does not load a versioned alerts.js")
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("alerts page has inline style or script, which the CSP refuses")
	}
}

// The maintenance page has its site filter, queue and script, and the
// navigation links and marks it.
func TestMaintenancePage(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/maintenance")
	for _, el := range [][2]string{{"select", "maint-site"}, {"div", "maint-queue"}, {"div", "maint-error"}} {
		if !strings.Contains(body, "<"+el[0]+` id="`+el[1]+`"`) {
			t.Errorf("maintenance page lacks <%s id=%q>", el[0], el[1])
		}
	}
	if !strings.Contains(body, `<a href="/maintenance" aria-current="page">Maintenance</a>`) {
		t.Error("the navigation does not mark the maintenance page")
	}
	if !regexp.MustCompile(`<script src="/static/maintenance\.js\?v=[0-9a-f]{16}"></script>`).MatchString(body) {
		t.Error("the maintenance page does not load its script")
	}
	if alerts := page(t, newFixture(t).Handler, "/alerts"); !strings.Contains(alerts, `<a href="/maintenance">Maintenance</a>`) {
		t.Error("other pages do not link the maintenance page")
	}
}

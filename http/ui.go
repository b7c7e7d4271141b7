package http

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// webFS holds the web UI: page templates and static assets (plain CSS and
// JavaScript, and uPlot vendored from npm). It is compiled into the binary,
// so the UI needs neither files next to the binary nor a build step.
//
//go:embed web/templates/*.html web/static
var webFS embed.FS

// Series the miner page charts, queried through the Prometheus API. The
// names are those the metrics package records (metrics.MetricHashRate,
// metrics.MetricPower, metrics.MetricBoardChipTemp); they are spelt here
// rather than imported because adapters do not import each other, and the
// product brief fixes them.
const (
	chartHashRateMetric = "mining_hash_rate"
	chartPowerMetric    = "monitoring_power_consumption_watts"
	chartChipTempMetric = "mining_board_chip_temperature_celsius"

	// The power page's series, one of each per site (label site), as the
	// metrics package records them for the power controller
	// (metrics.MetricSitePowerTarget, MetricSitePower,
	// MetricSitePowerPlanned).
	chartSitePowerTargetMetric  = "hearth_site_power_target_watts"
	chartSitePowerMetric        = "hearth_site_power_watts"
	chartSitePowerPlannedMetric = "hearth_site_power_planned_watts"
)

// staticAssets maps each static file's path below web/static to its ETag,
// a hash of its content, computed once at start.
var staticAssets = hashAssets()

// pageTemplates holds one parsed template set per page, each the base
// layout plus the page's own blocks.
var pageTemplates = map[string]*template.Template{
	"fleet":       parsePage("fleet.html"),
	"miner":       parsePage("miner.html", "desired.html"),
	"sites":       parsePage("sites.html"),
	"site":        parsePage("site.html", "desired.html"),
	"groups":      parsePage("groups.html"),
	"group":       parsePage("group.html", "desired.html"),
	"schedules":   parsePage("schedules.html"),
	"profiles":    parsePage("profiles.html"),
	"alerts":      parsePage("alerts.html"),
	"maintenance": parsePage("maintenance.html"),
	"power":       parsePage("power.html"),
	"plan":        parsePage("plan.html"),
}

// hashAssets reads every static file and returns its ETag. The hash also
// versions asset URLs (?v=), so a browser fetches a changed file at once
// after an upgrade and may cache it forever otherwise.
func hashAssets() map[string]string {
	assets := map[string]string{}
	err := fs.WalkDir(webFS, "web/static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := webFS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		assets[strings.TrimPrefix(path, "web/static/")] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("http: read embedded web assets: %v", err))
	}
	return assets
}

// assetURL returns the versioned URL of a static asset. An unknown name is
// a template bug, reported as an error when the page renders (and by the
// tests that render every page).
func assetURL(name string) (string, error) {
	etag, ok := staticAssets[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return "/static/" + name + "?v=" + strings.Trim(etag, `"`), nil
}

// parsePage parses the base layout with one page's template and the
// shared parts it uses (desired.html, the desired-state editor). Templates
// are part of the binary, so a parse error is a bug and panics at start.
func parsePage(names ...string) *template.Template {
	t := template.New("base").Funcs(template.FuncMap{"asset": assetURL})
	files := []string{"web/templates/base.html"}
	for _, name := range names {
		files = append(files, "web/templates/"+name)
	}
	return template.Must(t.ParseFS(webFS, files...))
}

// contentSecurityPolicy lets pages load only hearth's own scripts, styles
// and data. With no inline script allowed, a miner name or pool URL that
// holds markup cannot run in the browser even if it slipped past escaping.
// Images may also come from blob: URLs, which only hearth's own scripts can
// make: the plan page fetches its charts with the API token and shows the
// bytes (an image in <img> runs no script).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// mountUI adds the web UI's routes to mux. Pages and assets hold no fleet
// data (the pages' scripts fetch it from the API under its access rule), so
// they are served to anyone who can reach the server; this lets a browser on
// another machine load the UI and then offer to use an API token.
func (s *Server) mountUI(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleFleetPage)
	mux.HandleFunc("GET /miners/{id}", s.handleMinerPage)
	mux.HandleFunc("GET /sites", s.handleSitesPage)
	mux.HandleFunc("GET /sites/{name}", s.handleNamedPage("site", hearth.ScopeSite))
	mux.HandleFunc("GET /groups", s.handleListPage("groups"))
	mux.HandleFunc("GET /groups/{name}", s.handleNamedPage("group", hearth.ScopeGroup))
	mux.HandleFunc("GET /schedules", s.handleListPage("schedules"))
	mux.HandleFunc("GET /profiles", s.handleListPage("profiles"))
	mux.HandleFunc("GET /power", s.handlePowerPage)
	mux.HandleFunc("GET /alerts", s.handleListPage("alerts"))
	mux.HandleFunc("GET /maintenance", s.handleListPage("maintenance"))
	mux.HandleFunc("GET /plan", s.handleListPage("plan"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
}

// pageData is what every page template receives.
type pageData struct {
	// Page names the page, for the navigation and body[data-page].
	Page string
	// ID is the miner's ID on the miner page, the site's or group's name
	// on theirs.
	ID string
	// Scope is what the page's desired-state editor edits, if it has one.
	Scope hearth.Scope
	// Queries are the PromQL expressions the miner page charts.
	Queries chartQueries
	// SitePower names the series the power page charts for a site.
	SitePower sitePowerSeries
}

// sitePowerSeries names the metrics of a site's target, measured and
// planned power. The power page's script selects them for the site the
// user picks, which the server cannot know when it renders the page.
type sitePowerSeries struct {
	Target, Measured, Planned string
}

// chartQueries are the PromQL expressions behind the miner page's charts.
type chartQueries struct {
	HashRate string
	Power    string
	ChipTemp string
}

// handleFleetPage serves the fleet page at /.
func (s *Server) handleFleetPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, "fleet", pageData{Page: "fleet"})
}

// handleSitesPage serves the sites page at /sites.
func (s *Server) handleSitesPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, "sites", pageData{Page: "sites"})
}

// handleListPage serves a page whose script fetches all it shows (/groups,
// /schedules, /profiles, /alerts, /maintenance, and /plan, whose script asks the planner
// API).
func (s *Server) handleListPage(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.renderPage(w, r, page, pageData{Page: page})
	}
}

// handlePowerPage serves the power page at /power: where each site stands
// against its power target, the requests in force, and a form for an
// operator's override. Its script fetches all of it from the power API.
func (s *Server) handlePowerPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, "power", pageData{Page: "power", SitePower: sitePowerSeries{
		Target:   chartSitePowerTargetMetric,
		Measured: chartSitePowerMetric,
		Planned:  chartSitePowerPlannedMetric,
	}})
}

// handleNamedPage serves the page of one site or group, with a
// desired-state editor for it. As on the miner page, the script looks the
// site or group up through the API.
func (s *Server) handleNamedPage(page string, kind hearth.ScopeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		s.renderPage(w, r, page, pageData{Page: page, ID: name, Scope: hearth.Scope{Kind: kind, ID: name}})
	}
}

// handleMinerPage serves the page of one miner. It does not look the miner
// up: the page's script does, through the API and its access rule, and
// shows "not found" when the API says so.
func (s *Server) handleMinerPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	matcher := "{miner=" + strconv.Quote(id) + "}"
	s.renderPage(w, r, "miner", pageData{
		Page:  "miner",
		ID:    id,
		Scope: hearth.Scope{Kind: hearth.ScopeMiner, ID: id},
		Queries: chartQueries{
			HashRate: chartHashRateMetric + matcher,
			Power:    chartPowerMetric + matcher,
			ChipTemp: chartChipTempMetric + matcher,
		},
	})
}

// renderPage executes a page template into a buffer first, so that a
// template error gives a clean 500 instead of half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, page string, data pageData) {
	var buf bytes.Buffer
	if err := pageTemplates[page].ExecuteTemplate(&buf, "base", data); err != nil {
		s.logger().ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	w.Write(buf.Bytes())
}

// staticHandler serves the embedded static assets with ETags, so that
// browsers revalidate cheaply; a URL carrying the version (?v=) may be
// cached for good since its content never changes. Only known files are
// served: no directory listings.
func staticHandler() http.Handler {
	sub, err := fs.Sub(webFS, "web/static")
	if err != nil {
		panic(fmt.Sprintf("http: embedded web assets: %v", err))
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		etag, ok := staticAssets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", etag)
		if r.URL.Query().Get("v") == strings.Trim(etag, `"`) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

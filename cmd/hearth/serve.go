package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/action"
	"github.com/hearth-fleet/hearth/aggregate"
	"github.com/hearth-fleet/hearth/alerting"
	"github.com/hearth-fleet/hearth/diag"
	"github.com/hearth-fleet/hearth/driver"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/maintenance"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/notify"
	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/poller"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/reconcile"
	"github.com/hearth-fleet/hearth/schedule"
	"github.com/hearth-fleet/hearth/secret"
)

// serveConfig is every setting of the control plane. Flags override the
// HEARTH_* environment, which overrides the defaults.
type serveConfig struct {
	data             string
	db               string
	listen           string
	job              string
	pollInterval     time.Duration
	pollTimeout      time.Duration
	pollConcurrency  int
	retention        time.Duration
	rollupRetention  time.Duration
	allowRemoteReads bool
	reconcileBatch   int
	reconcileStagger time.Duration
	powerInterval    time.Duration
	logLevel         string
	configFile       string
	// aggregateSites are the sites whose "miners" are child hearths
	// (see package aggregate); aggregateTimeout is how long a child may
	// be silent before it is left out of the split.
	aggregateSites   string
	aggregateTimeout time.Duration
	// externalURL is where people reach this hearth, for the links in
	// alert notifications; alertRetention is how long the alert history
	// and the acknowledgements of alerts no longer firing are kept.
	externalURL    string
	alertRetention time.Duration
	// rulesDir holds the user's alerting rule files (<data>/rules when
	// empty); rulesInterval is how often rules are evaluated, the poll
	// interval when zero.
	rulesDir      string
	rulesInterval time.Duration
	// maintenance holds the maintenance queue's default thresholds
	// (--maint-*, HEARTH_MAINT_*), which a request may override.
	maintenance maintenanceFlags
}

func (c *serveConfig) register(fs interface {
	StringVar(*string, string, string, string)
	DurationVar(*time.Duration, string, time.Duration, string)
	IntVar(*int, string, int, string)
	BoolVar(*bool, string, bool, string)
	Float64Var(*float64, string, float64, string)
}, defaultData string) {
	fs.StringVar(&c.data, "data", envOr("HEARTH_DATA", defaultData), "data directory: inventory database and metrics (env HEARTH_DATA)")
	fs.StringVar(&c.db, "db", envOr("HEARTH_DB", ""), "relational store: empty for SQLite in the data directory, or a postgres://user:password@host/db URL (env HEARTH_DB)")
	fs.StringVar(&c.listen, "listen", envOr("HEARTH_LISTEN", "127.0.0.1:8080"), "HTTP listen address for the API and web UI (env HEARTH_LISTEN)")
	fs.StringVar(&c.job, "job", envOr("HEARTH_JOB", hearth.DefaultJob), "value of the job label on every metric (env HEARTH_JOB)")
	fs.DurationVar(&c.pollInterval, "poll-interval", envDuration("HEARTH_POLL_INTERVAL", poller.DefaultInterval), "time between two polls of a miner (env HEARTH_POLL_INTERVAL)")
	fs.DurationVar(&c.pollTimeout, "poll-timeout", envDuration("HEARTH_POLL_TIMEOUT", poller.DefaultTimeout), "time allowed for one poll of one miner (env HEARTH_POLL_TIMEOUT)")
	fs.IntVar(&c.pollConcurrency, "poll-concurrency", envInt("HEARTH_POLL_CONCURRENCY", poller.DefaultConcurrency), "polls in flight at most (env HEARTH_POLL_CONCURRENCY)")
	fs.DurationVar(&c.retention, "retention", envDuration("HEARTH_RETENTION", metrics.DefaultRetention), "how long raw samples (every poll) are kept (env HEARTH_RETENTION)")
	fs.DurationVar(&c.rollupRetention, "rollup-retention", envDuration("HEARTH_ROLLUP_RETENTION", metrics.DefaultRollupRetention), "how long 5-minute rollups are kept; queries reaching back past raw samples, or longer than 2 days at a step of 5 minutes or more, answer from them (env HEARTH_ROLLUP_RETENTION)")
	fs.BoolVar(&c.allowRemoteReads, "allow-remote-reads", envBool("HEARTH_ALLOW_REMOTE_READS"), "allow reads without a token from other machines (env HEARTH_ALLOW_REMOTE_READS)")
	fs.IntVar(&c.reconcileBatch, "reconcile-batch", envInt("HEARTH_RECONCILE_BATCH", reconcile.DefaultBatchSize), "desired-state commands in flight at most per site (env HEARTH_RECONCILE_BATCH)")
	fs.DurationVar(&c.reconcileStagger, "reconcile-stagger", envDuration("HEARTH_RECONCILE_STAGGER", reconcile.DefaultStagger), "least time between two batches of desired-state commands of a site (env HEARTH_RECONCILE_STAGGER)")
	fs.DurationVar(&c.powerInterval, "power-interval", envDuration("HEARTH_POWER_INTERVAL", power.DefaultInterval), "time between two cycles of the site power controller; a new power request acts at once (env HEARTH_POWER_INTERVAL)")
	fs.StringVar(&c.logLevel, "log-level", envOr("HEARTH_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env HEARTH_LOG_LEVEL)")
	fs.StringVar(&c.aggregateSites, "aggregate-sites", envOr("HEARTH_AGGREGATE_SITES", ""), "comma-separated aggregate sites: child hearths join them, report their flexible power and receive their share of the site's target (env HEARTH_AGGREGATE_SITES)")
	fs.DurationVar(&c.aggregateTimeout, "aggregate-timeout", envDuration("HEARTH_AGGREGATE_TIMEOUT", aggregate.DefaultTimeout), "time after which a silent child hearth is lost and left out of its aggregate's split (env HEARTH_AGGREGATE_TIMEOUT)")
	fs.StringVar(&c.externalURL, "external-url", envOr("HEARTH_EXTERNAL_URL", ""), "URL people reach this hearth at, linked from alert notifications (env HEARTH_EXTERNAL_URL)")
	fs.DurationVar(&c.alertRetention, "alert-retention", envDuration("HEARTH_ALERT_RETENTION", notify.DefaultRetention), "how long the alert history, and the acknowledgements of alerts no longer firing, are kept (env HEARTH_ALERT_RETENTION)")
	fs.StringVar(&c.rulesDir, "rules-dir", envOr("HEARTH_RULES_DIR", ""), "directory of alerting rule files (Prometheus format), loaded with the built-in defaults; reloaded on SIGHUP (default <data>/rules) (env HEARTH_RULES_DIR)")
	fs.DurationVar(&c.rulesInterval, "rules-interval", envDuration("HEARTH_RULES_INTERVAL", 0), "time between two evaluations of the alerting rules (default: the poll interval) (env HEARTH_RULES_INTERVAL)")
	c.maintenance.register(fs, "maint-", hearth.DefaultMaintenanceThresholds, true)
	fs.StringVar(&c.configFile, "config", os.Getenv("HEARTH_CONFIG"), "config file of HEARTH_*=value lines; flags and the environment override it (env HEARTH_CONFIG)")
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("hearth serve", "hearth serve [flags]",
		"Run the control plane: poll every miner in the inventory, keep their metrics, and serve the\n"+
			"REST API (/api/v1), the web UI (/), a Prometheus-compatible query API (/prometheus) and\n"+
			"/metrics. On first start it creates an admin token and prints it once.", stderr)
	cfg.register(fs, "./hearth-data")
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "print the URL and, on first start, the admin token as one JSON object")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	s, err := openServer(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	if asJSON {
		out := map[string]any{"url": s.url, "miners": s.poller.Len()}
		if s.adminToken != "" {
			out["admin_token"] = s.adminToken
		}
		if err := writeJSON(stdout, out); err != nil {
			return err
		}
	} else {
		if s.adminToken != "" {
			fmt.Fprintf(stdout, "admin token (shown once, keep it): %s\n", s.adminToken)
		}
		fmt.Fprintf(stdout, "hearth serving %d miners at %s\n", s.poller.Len(), s.url)
	}
	return s.run(ctx)
}

// validate rejects settings hearth cannot honour, with a message that says
// why.
func (c *serveConfig) validate() error {
	if err := c.maintenance.th.Validate(); err != nil {
		return err
	}
	if c.pollInterval <= 0 || c.pollInterval > poller.MaxInterval {
		return hearth.Errorf(hearth.EINVALID, "Poll interval %s must be above 0 and at most %s, so that every series has a sample within PromQL's five-minute lookback.", c.pollInterval, poller.MaxInterval)
	}
	if c.pollTimeout <= 0 {
		return hearth.Errorf(hearth.EINVALID, "Poll timeout %s must be above 0.", c.pollTimeout)
	}
	if c.reconcileBatch <= 0 {
		return hearth.Errorf(hearth.EINVALID, "Reconcile batch %d must be at least 1.", c.reconcileBatch)
	}
	if c.reconcileStagger < 0 {
		return hearth.Errorf(hearth.EINVALID, "Reconcile stagger %s must not be negative.", c.reconcileStagger)
	}
	if c.pollConcurrency <= 0 {
		return hearth.Errorf(hearth.EINVALID, "Poll concurrency %d must be at least 1.", c.pollConcurrency)
	}
	if c.retention <= 0 {
		return hearth.Errorf(hearth.EINVALID, "Retention %s must be above 0.", c.retention)
	}
	if c.rollupRetention < c.retention {
		return hearth.Errorf(hearth.EINVALID, "Rollup retention %s must be at least the raw retention %s: the rollups are the long-term history.", c.rollupRetention, c.retention)
	}
	if c.rulesInterval < 0 {
		return hearth.Errorf(hearth.EINVALID, "Rules interval %s must not be negative.", c.rulesInterval)
	}
	if c.aggregateTimeout <= 0 {
		return hearth.Errorf(hearth.EINVALID, "Aggregate timeout %s must be above 0.", c.aggregateTimeout)
	}
	for _, site := range c.aggregateSiteList() {
		if err := hearth.ValidateName("Aggregate site", site); err != nil {
			return err
		}
	}
	return validateDB(c.db)
}

// aggregateSiteList returns the sites of --aggregate-sites.
func (c *serveConfig) aggregateSiteList() []string {
	var out []string
	for _, site := range strings.Split(c.aggregateSites, ",") {
		if site = strings.TrimSpace(site); site != "" {
			out = append(out, site)
		}
	}
	return out
}

// server is the assembled control plane.
type server struct {
	logger      *slog.Logger
	store       *store
	miners      storeMiners
	inventory   hearth.MinerService
	tokens      storeTokens
	audit       hearth.AuditService
	credentials hearth.CredentialService
	metrics     *metrics.Store
	// alerts evaluates the alerting rules over the metrics.
	alerts     *alerting.Manager
	poller     *poller.Poller
	reconciler *reconcile.Reconciler
	// schedules opens and closes the stored schedules' windows, which
	// the reconciler lays over desired state.
	schedules *schedule.Runner
	// power holds sites to their power requests and budgets; it is the
	// reconciler's overlay, above the schedules'.
	power *power.Controller
	// programs runs the power programs (OpenADR, price, MQTT,
	// aggregator), whose requests the power controller follows.
	programs *program.Manager
	// notifications tells the receivers of alerts and keeps the alert
	// history; its Sink is the rule engine's AlertSink.
	notifications *notifications
	// aggregator takes the reports of child hearths; nil unless
	// --aggregate-sites names some.
	aggregator *aggregate.Aggregator
	http       *hearthhttp.Server
	listener   net.Listener
	url        string
	adminToken string
}

// openServer opens the stores, loads the inventory into the poller and
// binds the listen address; run then starts the work.
func openServer(ctx context.Context, cfg serveConfig, stderr io.Writer) (_ *server, err error) {
	s := &server{logger: newLogger(stderr, cfg.logLevel)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := os.MkdirAll(cfg.data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// The key sealing miner passwords lives in the data directory
	// whichever database holds the sealed passwords, so a database dump
	// alone reveals none.
	box, err := secret.LoadBox(cfg.data)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if s.store, err = openStore(cfg.data, cfg.db, box); err != nil {
		return nil, fmt.Errorf("open inventory: %w", err)
	}
	s.miners, s.tokens = s.store.miners, s.store.tokens
	s.audit, s.credentials = s.store.audit, s.store.credentials
	adminSecret, created, err := s.tokens.EnsureAdminToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin token: %w", err)
	}
	if created {
		s.adminToken = adminSecret
	}

	s.metrics, err = metrics.Open(filepath.Join(cfg.data, "tsdb"), metrics.Options{Job: cfg.job, Retention: cfg.retention, RollupRetention: cfg.rollupRetention, Logger: s.logger})
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	// Alerts go to the notifications' receivers and the alert history.
	s.notifications = newNotifications(s.store, cfg, s.logger)
	if s.alerts, err = openAlerting(cfg, s.metrics, s.logger, s.notifications.Sink()); err != nil {
		return nil, err
	}
	actions := &action.Service{Miners: s.miners, Audit: s.audit, Credentials: s.credentials}
	// The reconciler sees every reading after the metrics store does, and
	// settles what a previous run left in the command journal before the
	// first poll.
	groups := &reconcile.GroupIndex{Groups: s.store.groups}
	// Every writer of desired state goes through this copy, so the
	// reconciler reads the store only after a change.
	desired := &reconcile.CachedDesired{DesiredStateService: s.store.desired}
	// Named power profiles likewise: every writer goes through the copy.
	profiles := &reconcile.CachedProfiles{ProfileService: s.store.profiles}
	// Alerts of rules with the locate annotation hold their miners' fault
	// lights on until acknowledged: laid over desired state, so that the
	// reconciler switches them and a restart keeps them.
	lights := s.notifications.lights
	if err := lights.Load(ctx); err != nil {
		return nil, err
	}
	s.reconciler = &reconcile.Reconciler{
		Desired:   desired,
		Profiles:  profiles,
		Journal:   s.store.journal,
		Applier:   lights.Observe(actions),
		Audit:     s.audit,
		Locator:   reconcile.MinerLocator{Groups: groups.GroupsOf},
		BatchSize: cfg.reconcileBatch,
		Stagger:   staggerOf(cfg.reconcileStagger),
		Logger:    s.logger,
		// A hash rate hearth lowered is not a hash-rate drop.
		PowerChanged: s.metrics.RecordPowerCommand,
	}
	// Schedules change desired state while their windows are open: the
	// runner's events go to an overlay the reconciler consults, and each
	// one reconciles the fleet at once.
	overlay := reconcile.NewScheduleOverlay()
	s.reconciler.Overlay = lights.Overlay(overlay)
	// The power controller lowers desired power after the schedules and
	// named profiles: a curtailment beats a stored or scheduled setting
	// that would draw more.
	s.power = &power.Controller{
		Requests:     s.store.power,
		Sites:        s.store.sites,
		Apply:        s.reconciler.ReconcileNow,
		Capabilities: capabilitiesOf,
		Recorder:     s.metrics,
		Interval:     cfg.powerInterval,
		// A change shows after a poll to apply it and one to see it.
		Settle: 3 * cfg.pollInterval,
		Logger: s.logger,
	}
	s.reconciler.PowerLimit = s.power
	requests := s.power.Watch(s.store.power)
	// An aggregate site's status is its live children's, not the
	// controller's (which finds no miners there): the programs reporting
	// upstream and GET /api/v1/power see the aggregate.
	siteStatus, siteStatuses := s.power.SiteStatus, s.power.SiteStatuses
	if sites := cfg.aggregateSiteList(); len(sites) > 0 {
		s.aggregator = &aggregate.Aggregator{Sites: sites, Requests: requests, Timeout: cfg.aggregateTimeout}
		siteStatus, siteStatuses = s.aggregator.StatusOf(siteStatus), s.aggregator.StatusesOf(siteStatuses)
	}
	s.programs = &program.Manager{
		Programs: s.store.programs,
		Requests: requests,
		Status:   siteStatus,
		Logger:   s.logger,
	}
	s.schedules = schedule.NewRunner(schedule.SystemClock{}, s.reconciler.FollowSchedules(overlay, s.miners))
	if err := s.schedules.Load(ctx, s.store.schedules); err != nil {
		// A schedule the store took but this build refuses (a zone
		// gone from the database) must not keep the fleet unmanaged.
		s.logger.Warn("schedules not loaded; fix or remove the one named", "err", err)
	}
	// One-off actions go through the reconciler too: journalled, rate
	// limited per site, one command at a time per miner.
	actions.Via = s.reconciler.Do
	if n, err := s.reconciler.Resume(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		s.logger.Info("resuming the command journal", "open_commands", n)
	}
	s.poller = &poller.Poller{
		Interval:    cfg.pollInterval,
		Timeout:     cfg.pollTimeout,
		Concurrency: cfg.pollConcurrency,
		Sink:        poller.Sinks{s.metrics, s.reconciler},
		Credentials: s.credentials,
		Logger:      s.logger,
	}
	if _, err := s.poller.Load(ctx, s.miners); err != nil {
		return nil, err
	}
	s.reconciler.Status = s.poller
	s.power.Status, s.power.Inventory = s.poller, s.poller
	s.metrics.ExportPollStats(func() metrics.PollStats {
		st := s.poller.Stats()
		return metrics.PollStats{OK: st.PollsOK, Failed: st.PollsFailed, Seconds: st.PollSeconds, Miners: s.poller.Len()}
	})
	s.inventory = lights.Forgetting(s.reconciler.Forgetting(&poller.MinerService{MinerService: s.miners, Poller: s.poller}))
	lights.Reconcile = func(ctx context.Context, ids []string) {
		miners, _, err := s.miners.FindMiners(ctx, hearth.MinerFilter{IDs: ids})
		if err != nil {
			s.logger.Warn("fault lights: find miners", "err", err)
			return
		}
		s.reconciler.ReconcileNow(ctx, miners)
	}

	s.http = &hearthhttp.Server{
		Actions: func(ctx context.Context, actor, selector string, a hearth.Action) (*hearth.AuditEntry, error) {
			sel, err := action.ParseSelector(selector)
			if err != nil {
				return nil, err
			}
			return actions.Do(ctx, actor, sel, a)
		},
		Logs:                actions.FetchLogs,
		AuditService:        s.audit,
		CredentialService:   &poller.CredentialService{CredentialService: s.credentials, Poller: s.poller},
		DesiredStateService: s.reconciler.Watch(desired, s.miners),
		ScheduleService:     s.schedules.Following(s.store.schedules),
		PowerRequestService: requests,
		PowerStatus:         siteStatuses,
		PowerProgramService: s.programs.Watch(s.store.programs),
		ProgramStatus:       s.programs.Statuses,
		Webhooks:            openadr.Webhooks(),
		ProfileService:      s.reconciler.WatchProfiles(profiles, s.miners),
		Drift: func(onlyDrifting bool) hearthhttp.DriftReport {
			return hearthhttp.DriftReport{Miners: s.reconciler.Drifts(onlyDrifting), Sites: s.reconciler.Sites()}
		},
		MinerService:          s.inventory,
		SiteService:           s.store.sites,
		GroupService:          groups.Watch(s.store.groups),
		PositionService:       repollPlacedBy(s.store.positions, s.miners, s.poller),
		StatusService:         s.poller,
		TokenService:          s.tokens,
		Identify:              identifyAt(s.credentials),
		PrometheusAPI:         s.metrics.PrometheusAPI(),
		AlertsAPI:             s.alerts.PrometheusAPI(),
		ActiveAlerts:          s.alerts.Alerts,
		Rules:                 s.alerts,
		MetricsHandler:        s.metrics.ExpositionHandler(),
		Storage:               storageStatus(s.metrics),
		Logger:                s.logger,
		AllowRemoteReads:      cfg.allowRemoteReads,
		MaintenanceService:    &maintenance.Service{Miners: s.miners, Status: s.poller, History: s.store.alertHistory},
		MaintenanceThresholds: cfg.maintenance.th,
	}
	if s.aggregator != nil {
		s.http.Aggregate = s.aggregator
	}
	s.notifications.serve(s.http)
	s.http.Diagnostics = (&diag.Builder{
		Miners: s.miners, Status: s.poller, Logs: actions.FetchLogs, Metrics: s.metrics,
		Desired: desired, Locator: reconcile.MinerLocator{Groups: groups.GroupsOf}, Drift: s.reconciler.Drift,
		AlertHistory: s.http.AlertHistoryService, Journal: s.store.journal, Audit: s.audit,
		Credentials: s.credentials, Version: Version,
	}).Build
	if err := s.http.Open(cfg.listen); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.listen, err)
	}
	s.url = s.http.URL()
	return s, nil
}

// storageStatus adapts the metrics store's disk use to the status API.
func storageStatus(m *metrics.Store) hearthhttp.StorageFunc {
	tier := func(u metrics.TierUsage) hearthhttp.TierStorage {
		return hearthhttp.TierStorage{Bytes: u.Bytes, Oldest: u.Oldest, RetentionSeconds: u.Retention.Seconds()}
	}
	return func(context.Context) hearthhttp.StorageStatus {
		u := m.DiskUsage()
		return hearthhttp.StorageStatus{Raw: tier(u.Raw), Rollup: tier(u.Rollup)}
	}
}

// staggerOf turns --reconcile-stagger into the reconciler's Stagger, for
// which zero means the default: 0 on the command line means none.
func staggerOf(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// capabilitiesOf returns what a miner's driver can do with its firmware
// release, for the power controller: none for a family without a driver.
func capabilitiesOf(m *hearth.Miner) []hearth.Capability {
	d, err := driver.Lookup(m.Family)
	if err != nil {
		return nil
	}
	if fc, ok := d.(hearth.FirmwareCapabilities); ok {
		return fc.CapabilitiesOf(m.Firmware)
	}
	return d.Capabilities()
}

// identifyAt adapts driver.IdentifyWith to the API's add-miner form, where
// the user gives at most a management port, a web port and a second API's
// port. A custom management port that is not the RPC standard is tried on
// both kinds of driver, because for HTTP-only families (AxeOS) it is the
// web port. Each family is tried with its fleet-wide stored credentials.
func identifyAt(creds hearth.CredentialService) func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
	return func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
		ports := driver.Ports{RPC: port, HTTP: webPort, API: apiPort}
		if webPort == 0 && port != 0 && port != driver.StandardRPCPort {
			ports.HTTP = port
		}
		return driver.IdentifyWith(ctx, address, ports, func(f hearth.Family) hearth.Credentials {
			c, err := creds.Resolve(ctx, &hearth.Miner{Address: address, Family: f})
			if err != nil {
				return hearth.Credentials{} // the store failing leaves the defaults to try
			}
			return c
		})
	}
}

// run polls, follows the schedules and serves until ctx ends, then stops
// in order: the API first (no new requests, those in flight finish), then
// the poller (polls in flight finish or are cut short without counting
// against their miners) and the schedule runner, which closes no window: a
// restart opens again those still in force; close then shuts the stores.
func (s *server) run(ctx context.Context) error {
	pollCtx, stopPolling := context.WithCancel(context.Background())
	defer stopPolling()
	done := make(chan error, 1)
	s.reconciler.Start(pollCtx)
	go func() { done <- s.poller.Run(pollCtx) }()
	scheduled := make(chan struct{})
	go func() { defer close(scheduled); s.schedules.Run(pollCtx) }()
	powered := make(chan struct{})
	go func() { defer close(powered); _ = s.power.Run(pollCtx) }()
	programmed := make(chan struct{})
	go func() { defer close(programmed); _ = s.programs.Run(pollCtx) }()
	notified := make(chan struct{})
	go func() { defer close(notified); s.notifications.run(pollCtx) }()
	rolledUp := make(chan struct{})
	go func() { defer close(rolledUp); _ = s.metrics.Run(pollCtx) }()
	s.alerts.Start()
	stopReloads := reloadRulesOnHangup(s.alerts, s.logger)
	defer stopReloads()

	var err error
	select {
	case <-ctx.Done():
	case err = <-done:
		// The poller stopped by itself: a bug, not a shutdown.
		done = nil
	}
	if cerr := s.http.Close(); cerr != nil {
		s.logger.Warn("close http", "err", cerr)
	}
	s.http = nil
	stopPolling()
	if done != nil {
		err = <-done
	}
	<-scheduled
	<-powered
	<-programmed
	<-notified
	<-rolledUp
	// Commands in flight finish (their outcome reaches the journal) before
	// the stores close.
	s.reconciler.Wait()
	return err
}

// close releases everything openServer opened, in reverse order.
func (s *server) close() {
	if s.http != nil {
		if err := s.http.Close(); err != nil {
			s.logger.Warn("close http", "err", err)
		}
	}
	// The rule engine queries and writes the metrics store: it stops
	// first.
	if s.alerts != nil {
		s.alerts.Stop()
	}
	if s.metrics != nil {
		if err := s.metrics.Close(); err != nil {
			s.logger.Warn("close metrics", "err", err)
		}
	}
	if s.store != nil {
		if err := s.store.close(); err != nil {
			s.logger.Warn("close inventory", "err", err)
		}
	}
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(envOr(key, "")); err == nil {
		return d
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(envOr(key, "")); err == nil {
		return n
	}
	return def
}

func envBool(key string) bool {
	b, _ := strconv.ParseBool(envOr(key, "false"))
	return b
}

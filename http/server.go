// Package http is hearth's HTTP layer: the REST API under /api/v1, the
// Prometheus-compatible query API under /prometheus/api/v1, the /metrics
// scrape endpoint and the embedded web UI, all behind one authentication
// rule. It is the only package that knows about HTTP status codes and URL
// layouts; everything it serves comes from the domain services it is given.
//
// It is imported elsewhere as hearthhttp, so that it does not shadow
// net/http.
package http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// Timeouts of the listening server. They bound what a slow or hostile client
// can hold: a connection that trickles its headers is dropped after
// readHeaderTimeout, one that never reads its response after writeTimeout.
// writeTimeout is generous because a PromQL range query over a large fleet
// or a full /metrics scrape can take a while to produce and to send.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10

	// DefaultShutdownTimeout is how long Close waits for requests in flight
	// before it drops their connections.
	DefaultShutdownTimeout = 10 * time.Second
)

// Server serves hearth over HTTP. Its exported fields are set by main before
// Handler or Open is called, in the manner of WTF Dial: the server holds no
// state of its own beyond the listener, and every answer comes from the
// services below, so that the same domain can be served by other adapters
// (the CLI, MQTT) without going through HTTP.
type Server struct {
	// MinerService is the inventory. It is required.
	MinerService hearth.MinerService
	// StatusService reports what the poller knows of each miner. When nil,
	// every miner is in state unknown.
	StatusService hearth.StatusService
	// TokenService authenticates bearer tokens. When nil, no token is
	// valid: reads still work from loopback (or from anywhere with
	// AllowRemoteReads) and every write is refused.
	TokenService hearth.TokenService
	// Identify probes a machine to learn its family, model and firmware,
	// for adding a miner without naming its family. Zero ports mean the
	// standard ones; port is the management port given by the user and
	// webPort the web interface's. When nil, POST /api/v1/miners requires
	// a family.
	Identify func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error)
	// Actions applies a control verb to the miners a selector names and
	// records it in the audit log; nil disables POST /api/v1/actions.
	Actions ActionFunc
	// Logs fetches a miner's firmware log; nil disables
	// GET /api/v1/miners/{id}/logs.
	Logs LogsFunc
	// Diagnostics collects a miner's diagnostics bundle; nil disables
	// GET /api/v1/miners/{id}/diagnostics.
	Diagnostics DiagnosticsFunc
	// AuditService reads the audit log; nil disables GET /api/v1/audit.
	AuditService hearth.AuditService
	// CredentialService keeps miner credentials; nil disables
	// /api/v1/credentials.
	CredentialService hearth.CredentialService
	// SiteService keeps sites; nil disables /api/v1/sites.
	SiteService hearth.SiteService
	// GroupService keeps groups of miners; nil disables /api/v1/groups.
	GroupService hearth.GroupService
	// PositionService imports positions in bulk; nil disables
	// POST /api/v1/positions (the export needs only MinerService).
	PositionService hearth.PositionService
	// DesiredStateService keeps desired states; nil disables
	// /api/v1/desired.
	DesiredStateService hearth.DesiredStateService
	// ScheduleService keeps schedules; nil disables /api/v1/schedules.
	// serve gives one that re-arms the schedule runner after each change.
	ScheduleService hearth.ScheduleService
	// ProfileService keeps named power profiles; nil disables
	// /api/v1/profiles. serve gives the reconciler's cached copy, watched
	// so that a change reconciles the fleet at once.
	ProfileService hearth.ProfileService
	// Drift reports the reconciler's view of each miner; nil disables
	// GET /api/v1/drift.
	Drift DriftFunc
	// PowerRequestService keeps the power requests of every signal
	// source; nil disables /api/v1/power. serve gives one that wakes the
	// power controller after each change.
	PowerRequestService hearth.PowerRequestService
	// PowerStatus reports where each site's power stands against its
	// target; nil leaves the sites out of GET /api/v1/power.
	PowerStatus func() []power.SiteStatus
	// PowerProgramService keeps the power programs; nil disables
	// /api/v1/power/programs. serve gives one that checks a program with
	// its kind and restarts its runner after each change.
	PowerProgramService hearth.PowerProgramService
	// ProgramStatus reports how each program's runner is doing.
	ProgramStatus ProgramStatusFunc
	// Webhooks serves the power programs' webhooks (an OpenADR VTN's
	// subscription notifications) under /api/v1/power/webhooks/. It is
	// mounted WITHOUT token authentication, because the caller is the
	// program's source, not a hearth user: the handler must check the
	// caller itself (OpenADR: the subscription's bearer token). When nil,
	// those paths answer 404.
	Webhooks http.Handler
	// ReceiverService keeps the notification receivers; nil disables
	// /api/v1/receivers. A receiver's kind checks it before it is stored;
	// serve gives one that reloads the dispatcher after each change.
	ReceiverService hearth.ReceiverService
	// ReceiverStatus reports how deliveries to each receiver went.
	ReceiverStatus ReceiverStatusFunc
	// SilenceService keeps the silences of alerts; nil disables
	// /api/v1/silences.
	SilenceService hearth.SilenceService
	// AlertHistoryService reads the alert history; nil disables
	// GET /api/v1/alerts/history.
	AlertHistoryService hearth.AlertHistoryService
	// ActiveAlerts lists the alerts pending and firing now, from the rule
	// engine, so that the alerts page and CLI show a pending alert and
	// when it fires before it does; nil disables GET /api/v1/alerts.
	ActiveAlerts ActiveAlertsFunc
	// AlertAcks acknowledges alerts (switching off the fault lights they
	// held) and tells the alert lists which are acknowledged; nil
	// disables POST /api/v1/alerts/ack.
	AlertAcks AlertAcker
	// MaintenanceService builds the maintenance queue; nil disables
	// GET /api/v1/maintenance and the /maintenance page's data.
	MaintenanceService hearth.MaintenanceService
	// MaintenanceThresholds are the queue's thresholds when a request
	// does not override them; zero means
	// hearth.DefaultMaintenanceThresholds.
	MaintenanceThresholds hearth.MaintenanceThresholds
	// Aggregate takes the reports of child hearths when this one is an
	// aggregator; nil disables POST /api/v1/aggregate/report.
	Aggregate AggregateService

	// PrometheusAPI serves the Prometheus HTTP query API. It is mounted
	// under /prometheus/api/v1 with that prefix stripped, so it sees paths
	// such as /query, /query_range, /series, /labels and
	// /label/{name}/values. When nil, those paths answer 404.
	PrometheusAPI http.Handler
	// AlertsAPI serves the Prometheus API's alerts and rules endpoints,
	// mounted at /prometheus/api/v1/alerts and /prometheus/api/v1/rules;
	// when nil, those paths answer 404.
	AlertsAPI http.Handler
	// Rules keeps the user's alerting rule files (/api/v1/rules); nil
	// disables those routes.
	Rules RuleService
	// Storage reports the metrics store's disk use for GET /api/v1/status;
	// when nil, the status leaves storage out.
	Storage StorageFunc
	// MetricsHandler serves the Prometheus exposition format at /metrics.
	// When nil, /metrics answers 404.
	MetricsHandler http.Handler

	// Logger receives request logs and internal errors. Tokens are never
	// logged. When nil, nothing is logged.
	Logger *slog.Logger
	// AllowRemoteReads lets clients on other machines read (GET and HEAD,
	// and Prometheus queries by POST) without a token. Writes always need
	// one. Without it, only loopback clients read without a token.
	AllowRemoteReads bool
	// Now returns the current time; responses carry it so that clients
	// compute "last seen 12 s ago" against the server's clock rather than
	// their own. Tests replace it. When nil, time.Now is used.
	Now func() time.Time
	// ShutdownTimeout bounds how long Close waits for requests in flight;
	// zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	done     chan struct{} // closed when Serve returns
	serveErr error         // what Serve returned, other than ErrServerClosed
}

// Handler returns the handler for every route hearth serves. It reads the
// Server's fields when called, so set them first. The handler may be used on
// its own (in tests, or behind another server) without Open.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", s.authorize(s.apiHandler()))
	mux.Handle("/api/v1/power/webhooks/", orNotEnabled(s.Webhooks, "No power program webhook is served here."))
	mux.Handle("/prometheus/api/v1/", s.authorize(http.StripPrefix("/prometheus/api/v1",
		orNotEnabled(s.PrometheusAPI, "The Prometheus query API is not enabled on this server."))))
	alertsAPI := s.authorize(orNotEnabled(s.AlertsAPI, "Alerting is not enabled on this server."))
	mux.Handle("/prometheus/api/v1/alerts", alertsAPI)
	mux.Handle("/prometheus/api/v1/rules", alertsAPI)
	mux.Handle("/metrics", s.authorize(
		orNotEnabled(s.MetricsHandler, "The /metrics endpoint is not enabled on this server.")))
	s.mountUI(mux)
	return s.logRequests(s.recoverPanics(secureHeaders(mux)))
}

// orNotEnabled returns h, or when h is nil a handler that answers a JSON 404
// saying why, so that a client learns the feature is off rather than
// guessing at a typo in its URL.
func orNotEnabled(h http.Handler, message string) http.Handler {
	if h != nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErrorResponse(w, http.StatusNotFound, hearth.ENOTFOUND, message)
	})
}

// Open listens on addr (host:port; port 0 picks a free port) and serves
// Handler in the background until Close. It returns once the listener is
// bound, so that Addr is valid and a client may connect at once.
func (s *Server) Open(addr string) error {
	if s.MinerService == nil {
		return fmt.Errorf("http server: MinerService required")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger().Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})

	s.mu.Lock()
	if s.srv != nil {
		s.mu.Unlock()
		ln.Close()
		return fmt.Errorf("http server: already open on %s", s.ln.Addr())
	}
	s.ln, s.srv, s.done = ln, srv, done
	s.mu.Unlock()

	s.logger().Info("http server listening", "addr", ln.Addr().String(), "remote_reads", s.AllowRemoteReads)
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.serveErr = fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
			s.mu.Unlock()
		}
	}()
	return nil
}

// Addr returns the address the server listens on, or nil before Open. With
// port 0 in Open's address it tells which port was picked.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// URL returns the base URL of the running server, such as
// "http://127.0.0.1:8080", or "" before Open.
func (s *Server) URL() string {
	addr := s.Addr()
	if addr == nil {
		return ""
	}
	return "http://" + addr.String()
}

// Close stops accepting connections and waits for requests in flight, up to
// ShutdownTimeout, then drops the connections that remain. It returns the
// error that stopped serving early, if any. Closing a server that is not
// open does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}

	timeout := s.ShutdownTimeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		// Requests still running after the grace period: cut them off.
		err = fmt.Errorf("shut down http server: %w", err)
		srv.Close()
	}
	<-done

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serveErr != nil {
		err = errors.Join(s.serveErr, err)
	}
	s.ln, s.srv, s.done, s.serveErr = nil, nil, nil, nil
	return err
}

// ListenAndServe serves on addr until ctx is done, then shuts down
// gracefully. It returns nil after a clean shutdown and an error when the
// server could not listen or stopped serving on its own.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	if err := s.Open(addr); err != nil {
		return err
	}
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	select {
	case <-ctx.Done():
		s.logger().Info("http server shutting down")
	case <-done:
	}
	return s.Close()
}

// now returns the current time from Now, or the wall clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// minerStatus returns the poller's view of miner id, or StateUnknown when no
// StatusService is configured.
func (s *Server) minerStatus(id string) hearth.MinerStatus {
	if s.StatusService == nil {
		return hearth.MinerStatus{MinerID: id, State: hearth.StateUnknown}
	}
	st := s.StatusService.MinerStatus(id)
	if st.State == "" {
		st.State = hearth.StateUnknown
	}
	return st
}

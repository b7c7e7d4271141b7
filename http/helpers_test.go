package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/locate"
	"github.com/hearth-fleet/hearth/notify"
	"github.com/hearth-fleet/hearth/power"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/reconcile"
)

// testNow is the clock of every test server.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Addresses test requests come from.
const (
	loopbackAddr = "127.0.0.1:51000"
	remoteAddr   = "192.0.2.10:51000"
	validToken   = "hearth_test_0123456789abcdef"
)

// MinerService is an in-memory hearth.MinerService with the contract's
// behaviour: ordered by ID, total before paging, ECONFLICT and ENOTFOUND.
type MinerService struct {
	mu     sync.Mutex
	miners map[string]*hearth.Miner
	// Err, when set, is returned by every method, to test error mapping.
	Err error
}

var _ hearth.MinerService = (*MinerService)(nil)

func NewMinerService(miners ...*hearth.Miner) *MinerService {
	s := &MinerService{miners: map[string]*hearth.Miner{}}
	for _, m := range miners {
		s.miners[m.ID] = m
	}
	return s
}

func (s *MinerService) FindMinerByID(ctx context.Context, id string) (*hearth.Miner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	m, ok := s.miners[id]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	}
	return m, nil
}

func (s *MinerService) FindMiners(ctx context.Context, f hearth.MinerFilter) ([]*hearth.Miner, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return nil, 0, s.Err
	}
	var out []*hearth.Miner
	for _, m := range s.miners {
		if f.Site != "" && m.Site != f.Site || f.Family != "" && m.Family != f.Family {
			continue
		}
		if len(f.IDs) > 0 && !slices.Contains(f.IDs, m.ID) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *hearth.Miner) int { return strings.Compare(a.ID, b.ID) })
	total := len(out)
	out = out[min(f.Offset, total):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

func (s *MinerService) CreateMiner(ctx context.Context, m *hearth.Miner) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = m.Hostname
		if m.ID == "" {
			m.ID = fmt.Sprintf("miner-%d", len(s.miners)+1)
		}
	}
	if _, ok := s.miners[m.ID]; ok {
		return hearth.Errorf(hearth.ECONFLICT, "Miner %q exists already.", m.ID)
	}
	for _, o := range s.miners {
		if o.Address == m.Address && o.Port == m.Port {
			return hearth.Errorf(hearth.ECONFLICT, "Miner %q is at %s already.", o.ID, m.Address)
		}
	}
	m.CreatedAt, m.UpdatedAt = testNow, testNow
	s.miners[m.ID] = m
	return nil
}

func (s *MinerService) UpdateMiner(ctx context.Context, m *hearth.Miner) error {
	return hearth.Errorf(hearth.EINTERNAL, "not used")
}

func (s *MinerService) DeleteMiner(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	if _, ok := s.miners[id]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	}
	delete(s.miners, id)
	return nil
}

// StatusService is a fixed map of statuses; a miner not in it is unknown.
type StatusService map[string]hearth.MinerStatus

func (s StatusService) MinerStatus(id string) hearth.MinerStatus {
	if st, ok := s[id]; ok {
		return st
	}
	return hearth.MinerStatus{MinerID: id, State: hearth.StateUnknown}
}

// TokenService knows one token, validToken. Err, when set, is what
// Authenticate fails with instead (a database down).
type TokenService struct {
	Err error
	// Seen records the secrets Authenticate was asked about.
	mu   sync.Mutex
	Seen []string
}

var _ hearth.TokenService = (*TokenService)(nil)

func (s *TokenService) CreateToken(ctx context.Context, name string) (*hearth.Token, string, error) {
	return nil, "", hearth.Errorf(hearth.EINTERNAL, "not used")
}

func (s *TokenService) Authenticate(ctx context.Context, secret string) (*hearth.Token, error) {
	s.mu.Lock()
	s.Seen = append(s.Seen, secret)
	s.mu.Unlock()
	if s.Err != nil {
		return nil, s.Err
	}
	if secret != validToken {
		return nil, hearth.Errorf(hearth.EUNAUTHORIZED, "Unknown token.")
	}
	return &hearth.Token{ID: 7, Name: "admin", Prefix: validToken[:8]}, nil
}

func (s *TokenService) FindTokens(ctx context.Context) ([]*hearth.Token, error) { return nil, nil }

func (s *TokenService) DeleteToken(ctx context.Context, id int64) error { return nil }

// antminer returns an inventory record of an Antminer.
func antminer(id, addr, model, site string) *hearth.Miner {
	return &hearth.Miner{ID: id, Address: addr, Family: hearth.FamilyAntminer, Model: model,
		Firmware: "bmminer 49.0.1.3", Site: site, CreatedAt: testNow, UpdatedAt: testNow}
}

// onlineStatus returns the status of a miner that answered a second ago
// with the given hash rate (TH/s), power (W) and chip temperatures.
func onlineStatus(id string, ths, watts float64, estimated bool, chipTemps ...float64) hearth.MinerStatus {
	r := &hearth.Reading{MinerID: id, Time: testNow.Add(-time.Second), HashRate: ths * 1e12, Power: watts,
		PowerEstimated: estimated, Uptime: 5 * time.Hour, Accepted: 1200, Rejected: 3}
	for i, t := range chipTemps {
		r.Boards = append(r.Boards, hearth.Board{Index: i, HashRate: ths * 1e12 / float64(len(chipTemps)),
			ChipTemp: t, BoardTemp: t - 15, Chips: 108, ExpectedChips: 108})
	}
	r.Fans = []hearth.Fan{{Index: 0, RPM: 4200}, {Index: 1, RPM: 4300}}
	r.Pools = []hearth.Pool{{Index: 0, URL: "stratum+tcp://pool.example:3333", User: "acct.w1", Status: "alive", Active: true}}
	return hearth.MinerStatus{MinerID: id, State: hearth.StateOnline, LastSeen: r.Time, LastPoll: r.Time, Latest: r}
}

// offlineStatus returns the status of a miner that stopped answering; it
// keeps its last reading, as the poller does.
func offlineStatus(id string, lastSeen time.Time, lastErr string) hearth.MinerStatus {
	st := onlineStatus(id, 100, 3000, false, 70)
	st.Latest.Time = lastSeen
	st.State = hearth.StateOffline
	st.LastSeen = lastSeen
	st.LastPoll = testNow
	st.LastError = lastErr
	st.ErrorCode = hearth.ETIMEOUT
	st.Failures = 4
	return st
}

// fixture is a server with a small fleet: two online Antminers, one
// offline, one never polled, and a Bitaxe at another site.
type fixture struct {
	Credentials *credentialStore
	Audit       *auditLog
	Desired     *desiredStore
	Schedules   *scheduleStore
	Power       *powerStore
	Programs    *programStore
	Server      *hearthhttp.Server
	Miners      *MinerService
	Tokens      *TokenService
	Handler     http.Handler
	Log         *bytes.Buffer
	Sites       *siteStore
	Groups      *groupStore
	Positions   *positionStore
	Profiles    *profileStore
	Receivers   *receiverStore
	Silences    *silenceStore
	History     *historyStore
	Rules       *ruleStore
	Acks        *ackStore
	Maintenance *maintenanceStub
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	miners := NewMinerService(
		antminer("s19-a", "10.0.0.2", "Antminer S19j Pro", "barn"),
		antminer("s21-b", "10.0.0.10", "Antminer S21", "barn"),
		antminer("s21-c", "10.0.0.9", "Antminer S21", "barn"),
		antminer("s21-d", "10.0.0.11", "Antminer S21 XP", ""),
		&hearth.Miner{ID: "bitaxe-1", Address: "192.168.1.50", Family: hearth.FamilyAxeOS, Model: "Bitaxe Gamma",
			Firmware: "AxeOS v2.9.0", Site: "home", Tags: []string{"heater"}, CreatedAt: testNow, UpdatedAt: testNow},
	)
	status := StatusService{
		"s19-a":    onlineStatus("s19-a", 104, 3068, true, 71, 74, 69),
		"s21-b":    onlineStatus("s21-b", 200, 3500, true, 65, 66, 80),
		"s21-c":    offlineStatus("s21-c", testNow.Add(-10*time.Minute), "No answer from 10.0.0.9:4028 within 5s."),
		"bitaxe-1": onlineStatus("bitaxe-1", 1.2, 18.5, false, 58),
	}
	log := &bytes.Buffer{}
	f := &fixture{Miners: miners, Tokens: &TokenService{}, Log: log}
	f.Server = &hearthhttp.Server{
		MinerService:  miners,
		StatusService: status,
		TokenService:  f.Tokens,
		Logger:        slog.New(slog.NewTextHandler(&lockedWriter{w: log}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           func() time.Time { return testNow },
	}
	f.Credentials = &credentialStore{}
	f.Server.CredentialService = f.Credentials
	f.Rules = newRuleStore(t)
	f.Server.Rules = f.Rules
	f.Audit = &auditLog{}
	f.Server.AuditService = f.Audit
	f.Server.Actions = func(ctx context.Context, actor, selector string, a hearth.Action) (*hearth.AuditEntry, error) {
		if selector == "nothing" {
			return nil, hearth.Errorf(hearth.ENOTFOUND, "No miner matches %q.", selector)
		}
		e := &hearth.AuditEntry{Time: testNow, Actor: actor, Selector: selector, Action: a.Redacted(),
			Results: []hearth.ActionResult{{MinerID: "s19-a", OK: true}, {MinerID: "bitaxe-1", Code: hearth.EUNSUPPORTED, Error: "axeos miners do not support " + string(a.Verb) + "."}}}
		return e, f.Audit.RecordAudit(ctx, e)
	}
	f.Server.Logs = func(ctx context.Context, id string) (*hearth.MinerLog, error) {
		switch id {
		case "s19-a":
			return &hearth.MinerLog{Source: "/cgi-bin/log.cgi", Text: "Chain[0]: find 126 asic\n", FetchedAt: testNow}, nil
		case "bitaxe-1":
			return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner has no GET /api/system/logs: it needs AxeOS v2.15.0 or later.")
		}
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
	}
	f.Sites = &siteStore{miners: miners, sites: map[string]*hearth.Site{
		"barn":  {Name: "barn", PowerBudget: 500e3, Phases: 3, Voltage: 400, TimeZone: "Europe/Oslo", CreatedAt: testNow, UpdatedAt: testNow},
		"home":  {Name: "home", CreatedAt: testNow, UpdatedAt: testNow},
		"empty": {Name: "empty", CreatedAt: testNow, UpdatedAt: testNow},
	}}
	f.Groups = &groupStore{miners: miners, groups: map[string]*hearth.Group{
		"old": {Name: "old", MinerIDs: []string{"s19-a"}, CreatedAt: testNow, UpdatedAt: testNow},
	}}
	f.Positions = &positionStore{}
	f.Server.SiteService, f.Server.GroupService, f.Server.PositionService = f.Sites, f.Groups, f.Positions
	f.Desired = &desiredStore{}
	f.Server.DesiredStateService = f.Desired
	// One schedule, sch_000000000001: pause barn on weekday afternoons.
	f.Schedules = &scheduleStore{}
	if err := f.Schedules.CreateSchedule(context.Background(), &hearth.Schedule{Name: "peak", Target: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		Change: hearth.Change{Kind: hearth.ChangePause}, Recurrence: "15:00-17:30 mon-fri", TimeZone: "Europe/Oslo", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	f.Server.ScheduleService = f.Schedules
	// One grid event: barn shed by half this afternoon.
	f.Power = &powerStore{}
	if err := f.Power.SetPowerRequest(context.Background(), &hearth.PowerRequest{ID: "evt-1/0", Source: hearth.SourceOpenADR, Site: "barn",
		Kind: hearth.RequestShed, ShedFraction: 0.5, Start: testNow.Add(-time.Hour), End: testNow.Add(time.Hour), Reason: "peak"}); err != nil {
		t.Fatal(err)
	}
	f.Server.PowerRequestService = f.Power
	// An aggregator of the aggregate site fleet.
	f.Server.Aggregate = &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: f.Power, Now: func() time.Time { return testNow }}
	// One OpenADR program with a client secret.
	f.Programs = &programStore{}
	if err := f.Programs.SetPowerProgram(context.Background(), &hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{"barn"},
		FailMode: hearth.FailCurtail, Enabled: true, Settings: json.RawMessage(`{"url":"https://vtn.example"}`), Secret: "client-secret"}); err != nil {
		t.Fatal(err)
	}
	f.Server.PowerProgramService = f.Programs
	f.Server.ProgramStatus = func(context.Context) ([]program.ProgramStatus, error) {
		return []program.ProgramStatus{{Name: "grid", Kind: hearth.ProgramOpenADR, Enabled: true, Running: true, Silent: true,
			LastContact: testNow, LastError: "VTN unreachable", LastErrorAt: testNow}}, nil
	}
	f.Server.PowerStatus = func() []power.SiteStatus {
		target := 4000.0
		return []power.SiteStatus{{Site: "barn", TargetWatts: &target, BudgetWatts: 500e3, FlexibleWatts: 6568, FixedWatts: 0, PlannedWatts: 3510, MeasuredWatts: 3600,
			ShortWatts: 1, CorrectionWatts: 2, Miners: 3, Sleeping: 1, Trimmed: 1, Excluded: 1, State: power.StateSettling, ChangedAt: testNow, ReachedAt: testNow, UpdatedAt: testNow,
			Request: &hearth.PowerRequest{ID: "evt-1/0", Source: hearth.SourceOpenADR, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 0.5, Start: testNow, End: testNow.Add(time.Hour), Reason: "peak", CreatedBy: "vtn", CreatedAt: testNow}}}
	}
	// One power profile, eco, with its own watts for the S21.
	f.Profiles = &profileStore{desired: f.Desired, schedules: f.Schedules, profiles: map[string]*hearth.Profile{
		"eco": {Name: "eco", Mode: hearth.PowerEco, Watts: 2000, ModelWatts: map[string]float64{"Antminer S21": 3000}, UpdatedAt: testNow},
	}}
	f.Server.ProfileService = f.Profiles
	// One webhook receiver with a token, one silence, two alert events.
	f.Receivers = &receiverStore{receivers: map[string]hearth.Receiver{"ops": {Name: "ops", Kind: "webhook", Enabled: true,
		Route:    hearth.Route{GroupBy: []string{"alertname"}, SendResolved: true},
		Settings: json.RawMessage(`{"url":"https://hooks.example/alert"}`), Secret: "hook-token", CreatedAt: testNow, UpdatedAt: testNow}}}
	f.Server.ReceiverService = f.Receivers
	f.Server.ReceiverStatus = func(name string) (notify.ReceiverStatus, bool) {
		return notify.ReceiverStatus{LastSuccess: testNow, LastFailure: testNow, LastError: "post: 502", Sent: 3, Failed: 1, Dropped: 0}, name == "ops"
	}
	f.Silences = &silenceStore{}
	f.Silences.CreateSilence(context.Background(), &hearth.Silence{Matchers: []hearth.Matcher{{Name: "miner", Type: hearth.MatchEqual, Value: "s19-a"}},
		StartsAt: testNow.Add(-time.Hour), EndsAt: testNow.Add(time.Hour), CreatedBy: "tech", Comment: "PSU swap"})
	f.Server.SilenceService = f.Silences
	offline := map[string]string{"miner": "s21-c", "site": "barn"}
	f.History = &historyStore{events: []*hearth.AlertEvent{
		{ID: 1, Fingerprint: hearth.Fingerprint("MinerOffline", offline), Name: "MinerOffline", Labels: offline,
			Annotations: map[string]string{"summary": "s21-c is offline"}, State: hearth.AlertFiring, Value: 1, At: testNow.Add(-10 * time.Minute), ActiveAt: testNow.Add(-15 * time.Minute)},
		{ID: 2, Fingerprint: hearth.Fingerprint("MinerOffline", offline), Name: "MinerOffline", Labels: offline, State: hearth.AlertResolved, At: testNow},
	}}
	f.Server.AlertHistoryService = f.History
	// The rule engine holds one alert pending (hot for 40 s of its 1 m)
	// and one firing.
	f.Server.ActiveAlerts = func() []*hearth.Alert {
		return []*hearth.Alert{
			{Name: "MinerOverTemperature", Labels: map[string]string{"miner": "s19-a", "board": "1", "severity": "critical"}, State: hearth.AlertPending,
				Value: 93, ActiveAt: testNow.Add(-40 * time.Second), For: time.Minute},
			{Name: "MinerOffline", Labels: offline, State: hearth.AlertFiring, Value: 1, ActiveAt: testNow.Add(-15 * time.Minute), FiredAt: testNow.Add(-10 * time.Minute), For: 2 * time.Minute},
		}
	}
	// Acknowledgements go through the fault lights, as serve wires them.
	f.Acks = &ackStore{}
	f.Server.AlertAcks = &locate.Lights{Acks: f.Acks, History: f.History, Now: func() time.Time { return testNow }}
	f.Maintenance = &maintenanceStub{}
	f.Server.MaintenanceService = f.Maintenance
	f.Server.Drift = func(only bool) hearthhttp.DriftReport {
		rep := hearthhttp.DriftReport{Sites: map[string]reconcile.SiteStats{"barn": {MaxInFlight: 2, BatchSize: 50}},
			Miners: []reconcile.Drift{{MinerID: "s19-a", Differences: []string{"pools: want x, miner has y"}, LastError: "set-pools: timeout", LastErrorCode: hearth.ETIMEOUT}}}
		if !only {
			rep.Miners = append(rep.Miners, reconcile.Drift{MinerID: "s21-b", InSync: true, Commands: 1})
		}
		return rep
	}
	f.Server.Diagnostics = newDiagnostics(f)
	f.Handler = f.Server.Handler()
	return f
}

// desiredStore is an in-memory hearth.DesiredStateService.
type desiredStore struct {
	mu      sync.Mutex
	records []*hearth.DesiredRecord
}

func (s *desiredStore) SetDesired(_ context.Context, r *hearth.DesiredRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = slices.DeleteFunc(s.records, func(o *hearth.DesiredRecord) bool { return o.Scope == r.Scope })
	r.UpdatedAt = testNow
	c := *r
	s.records = append(s.records, &c)
	return nil
}

func (s *desiredStore) FindDesired(_ context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.DesiredRecord{}
	for _, r := range s.records {
		if (f.Kind == "" || r.Scope.Kind == f.Kind) && (len(f.Scopes) == 0 || slices.Contains(f.Scopes, r.Scope)) {
			c := *r
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *desiredStore) DeleteDesired(_ context.Context, sc hearth.Scope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.records)
	s.records = slices.DeleteFunc(s.records, func(o *hearth.DesiredRecord) bool { return o.Scope == sc })
	if len(s.records) == n {
		return hearth.Errorf(hearth.ENOTFOUND, "No desired state for %s %q.", sc.Kind, sc.ID)
	}
	return nil
}

// auditLog is an in-memory hearth.AuditService.
type auditLog struct {
	mu      sync.Mutex
	entries []*hearth.AuditEntry
}

func (l *auditLog) RecordAudit(_ context.Context, e *hearth.AuditEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.ID = int64(len(l.entries) + 1)
	l.entries = append([]*hearth.AuditEntry{e}, l.entries...)
	return nil
}

func (l *auditLog) FindAudit(_ context.Context, f hearth.AuditFilter) ([]*hearth.AuditEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []*hearth.AuditEntry{}
	for _, e := range l.entries {
		if f.Matches(e) && (f.Limit <= 0 || len(out) < f.Limit) {
			out = append(out, e)
		}
	}
	return out, nil
}

// lockedWriter serialises writes to a buffer shared by handler goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// request builds a request from a loopback client to localhost.
func request(method, path string, body any) *http.Request {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, "http://localhost:8080"+path, r)
	req.RemoteAddr = loopbackAddr
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// remote makes req come from another machine, addressed by a LAN name.
func remote(req *http.Request) *http.Request {
	req.RemoteAddr = remoteAddr
	req.Host = "hearth.lan:8080"
	return req
}

// withToken adds the bearer token to req.
func withToken(req *http.Request, token string) *http.Request {
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// serve runs req through h and returns the recorded response.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decode parses a JSON response body into v, failing the test when the
// response is not JSON.
func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json; body: %s", ct, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
}

// apiError is the JSON error shape.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// expectError checks that rec is a JSON error with this status and code,
// and returns its message.
func expectError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body: %s", rec.Code, status, rec.Body.String())
	}
	var e apiError
	decode(t, rec, &e)
	if e.Code != code {
		t.Fatalf("code = %q, want %q (message %q)", e.Code, code, e.Error)
	}
	if e.Error == "" {
		t.Fatalf("empty error message in %s", rec.Body.String())
	}
	var raw map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	if len(raw) != 2 {
		t.Fatalf("error body has fields %v, want exactly error and code", raw)
	}
	return e.Error
}

// credentialStore is an in-memory hearth.CredentialService that keeps the
// passwords it is given, so tests can check they are not returned.
type credentialStore struct {
	hearth.CredentialService
	mu    sync.Mutex
	creds []*hearth.MinerCredential
}

func (c *credentialStore) SetCredential(_ context.Context, mc *hearth.MinerCredential) error {
	if err := mc.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *mc
	c.creds = append(c.creds, &cp)
	return nil
}

func (c *credentialStore) FindCredentials(context.Context) ([]*hearth.MinerCredential, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*hearth.MinerCredential
	for _, mc := range c.creds {
		cp := *mc
		out = append(out, &cp)
	}
	return out, nil
}

func (c *credentialStore) DeleteCredential(_ context.Context, f hearth.Family, site, miner string) error {
	return nil
}

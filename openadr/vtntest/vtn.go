// Package vtntest is an OpenADR 3 VTN (virtual top node) for tests,
// written from the specification: OAuth 2.0 client credentials with
// scopes, programs, events, paged searches, reports, and webhook
// subscriptions with the echo check and notifications. It speaks 3.0.1 or
// 3.1.0 and is strict: what the specification rejects (bad JSON, missing
// required fields, a limit above 50, a missing scope) gets the problem
// JSON the specification describes. Tests publish programs and events
// through Go methods and read back the reports VENs posted.
package vtntest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth/openadr"
)

// The OAuth scopes of the specification.
const (
	ScopeReadAll            = "read_all"
	ScopeReadTargets        = "read_targets"     // 3.1.0
	ScopeReadVENObjects     = "read_ven_objects" // 3.1.0
	ScopeWritePrograms      = "write_programs"
	ScopeWriteEvents        = "write_events"
	ScopeWriteReports       = "write_reports"
	ScopeWriteSubscriptions = "write_subscriptions"
	ScopeWriteVENs          = "write_vens"
)

// VENScopes returns the scopes a VEN needs to poll, report and subscribe
// in a version.
func VENScopes(v openadr.Version) []string {
	if v == openadr.Version301 {
		return []string{ScopeReadAll, ScopeWriteReports, ScopeWriteSubscriptions}
	}
	return []string{ScopeReadTargets, ScopeReadVENObjects, ScopeWriteReports, ScopeWriteSubscriptions}
}

// MaxBodyBytes caps a request body the VTN reads.
const MaxBodyBytes = 1 << 20

// VTN is a running test VTN. Its methods are safe for concurrent use.
type VTN struct {
	version openadr.Version
	srv     *httptest.Server
	hc      *http.Client

	mu        sync.Mutex
	now       func() time.Time
	lifetime  time.Duration
	down      bool
	clients   map[string]clientCreds
	tokens    map[string]grant
	issued    int
	nextID    int
	programs  []*openadr.Program
	events    []*openadr.Event
	reports   []*openadr.Report
	subs      []*openadr.Subscription
	log       []string
	notifyErr []error
}

type clientCreds struct {
	secret string
	scopes []string
}

type grant struct {
	clientID string
	scopes   []string
	expiry   time.Time
}

// New starts a VTN speaking version on a loopback port; Close stops it.
func New(version openadr.Version) *VTN {
	v := &VTN{
		version: version, now: time.Now, lifetime: time.Hour,
		clients: map[string]clientCreds{}, tokens: map[string]grant{},
		hc: &http.Client{Timeout: 10 * time.Second},
	}
	v.srv = httptest.NewServer(v.routes())
	return v
}

// URL is the VTN's base URL, for a VEN's configuration.
func (v *VTN) URL() string { return v.srv.URL }

// Close stops the server.
func (v *VTN) Close() { v.srv.Close() }

// SetClock replaces the clock that decides token expiry and active events.
func (v *VTN) SetClock(now func() time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = now
}

// AddClient provisions client credentials with the scopes they may get.
func (v *VTN) AddClient(id, secret string, scopes ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clients[id] = clientCreds{secret: secret, scopes: scopes}
}

// SetTokenLifetime sets the expires_in of the tokens issued from now on.
func (v *VTN) SetTokenLifetime(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lifetime = d
}

// RevokeTokens forgets every issued token: their next use gets 401.
func (v *VTN) RevokeTokens() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tokens = map[string]grant{}
}

// TokensIssued counts the tokens issued so far.
func (v *VTN) TokensIssued() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.issued
}

// SetDown makes every request fail with 503 (down) or work again.
func (v *VTN) SetDown(down bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.down = down
}

// Requests returns the requests served so far, as "METHOD path?query".
func (v *VTN) Requests() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.log)
}

// NotifyErrors returns the failures of notification deliveries.
func (v *VTN) NotifyErrors() []error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.notifyErr)
}

// Reports returns the reports VENs posted, oldest first.
func (v *VTN) Reports() []openadr.Report {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]openadr.Report, len(v.reports))
	for i, r := range v.reports {
		out[i] = *r
	}
	return out
}

// Subscriptions returns the subscriptions VENs created.
func (v *VTN) Subscriptions() []openadr.Subscription {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]openadr.Subscription, len(v.subs))
	for i, s := range v.subs {
		out[i] = *s
	}
	return out
}

// CreateProgram stores a program as a business logic client would.
func (v *VTN) CreateProgram(p openadr.Program) (openadr.Program, error) {
	b, _ := json.Marshal(p)
	stored, prob := v.createProgram(b)
	if prob != nil {
		return openadr.Program{}, prob
	}
	return stored, nil
}

// CreateEvent stores an event and notifies subscribers.
func (v *VTN) CreateEvent(e openadr.Event) (openadr.Event, error) {
	b, _ := json.Marshal(e)
	stored, prob := v.createEvent(b)
	if prob != nil {
		return openadr.Event{}, prob
	}
	return stored, nil
}

// UpdateEvent replaces the event with e.ID and notifies subscribers.
func (v *VTN) UpdateEvent(e openadr.Event) (openadr.Event, error) {
	b, _ := json.Marshal(e)
	stored, prob := v.updateEvent(e.ID, b)
	if prob != nil {
		return openadr.Event{}, prob
	}
	return stored, nil
}

// DeleteEvent deletes an event (the specification's way to cancel it)
// and notifies subscribers.
func (v *VTN) DeleteEvent(id string) error {
	if _, prob := v.deleteEvent(id); prob != nil {
		return prob
	}
	return nil
}

// problemError is a problem answer as a Go error.
type problemError struct{ openadr.Problem }

func (p *problemError) Error() string {
	return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
}

func problem(status int, format string, args ...any) *problemError {
	return &problemError{openadr.Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: fmt.Sprintf(format, args...)}}
}

func writeProblem(w http.ResponseWriter, p *problemError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p.Problem)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// newID returns the next object ID; the caller holds v.mu.
func (v *VTN) newID() string {
	v.nextID++
	return strconv.Itoa(v.nextID)
}

func (v *VTN) stamp(m *openadr.Metadata, t openadr.ObjectType, created string) {
	now := v.now().UTC().Format(time.RFC3339Nano)
	m.ObjectType = t
	m.CreatedDateTime = created
	if created == "" {
		m.CreatedDateTime = now
	}
	m.ModificationDateTime = now
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// notify POSTs a notification to each subscription that asked for it.
// It runs without v.mu held.
func (v *VTN) notify(t openadr.ObjectType, op, programID string, obj any) {
	v.mu.Lock()
	type target struct{ url, token string }
	var targets []target
	for _, s := range v.subs {
		if s.ProgramID != "" && programID != "" && s.ProgramID != programID {
			continue
		}
		for _, oo := range s.ObjectOperations {
			if slices.Contains(oo.Objects, t) && slices.Contains(oo.Operations, op) {
				targets = append(targets, target{oo.CallbackURL, oo.BearerToken})
			}
		}
	}
	wireOp := op
	if v.version == openadr.Version301 {
		wireOp = map[string]string{"CREATE": "POST", "UPDATE": "PUT", "DELETE": "DELETE", "READ": "GET"}[op]
	}
	v.mu.Unlock()
	raw, _ := json.Marshal(obj)
	body, _ := json.Marshal(openadr.Notification{ObjectType: t, Operation: wireOp, Object: raw})
	for _, tg := range targets {
		req, err := http.NewRequest(http.MethodPost, tg.url, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if tg.token != "" {
				req.Header.Set("Authorization", "Bearer "+tg.token)
			}
			var resp *http.Response
			if resp, err = v.hc.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBodyBytes))
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					err = fmt.Errorf("callback %s answered %d", tg.url, resp.StatusCode)
				}
			}
		}
		if err != nil {
			v.mu.Lock()
			v.notifyErr = append(v.notifyErr, err)
			v.mu.Unlock()
		}
	}
}

// checkCallback is the ownership check of a subscription's callback: GET
// with a random echo value that must come back as the body.
func (v *VTN) checkCallback(ctx context.Context, callback string) error {
	echo := randomString()
	sep := "?"
	if strings.Contains(callback, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, callback+sep+"echo="+echo, nil)
	if err != nil {
		return err
	}
	resp, err := v.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != echo {
		return fmt.Errorf("callback answered %d without the echo value", resp.StatusCode)
	}
	return nil
}

package vtntest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth/openadr"
)

// routes maps the API's paths to handlers.
func (v *VTN) routes() http.Handler {
	mux := http.NewServeMux()
	if v.version == openadr.Version310 {
		mux.HandleFunc("GET /auth/server", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"tokenURL": v.srv.URL + "/auth/token"})
		})
	}
	mux.HandleFunc("POST /auth/token", v.token)

	read := []string{ScopeReadAll}
	readVEN := []string{ScopeReadAll}
	if v.version == openadr.Version310 {
		read = []string{ScopeReadAll, ScopeReadTargets}
		readVEN = []string{ScopeReadAll, ScopeReadVENObjects}
	}
	mux.Handle("GET /programs", v.authed(read, func(w http.ResponseWriter, r *http.Request, _ grant) {
		v.mu.Lock()
		list := slices.Clone(v.programs)
		v.mu.Unlock()
		page(w, r, list)
	}))
	mux.Handle("POST /programs", v.authed([]string{ScopeWritePrograms}, func(w http.ResponseWriter, r *http.Request, _ grant) {
		body, prob := readBody(w, r)
		if prob == nil {
			var p openadr.Program
			if p, prob = v.createProgram(body); prob == nil {
				writeJSON(w, http.StatusCreated, p)
				return
			}
		}
		writeProblem(w, prob)
	}))
	mux.Handle("GET /events", v.authed(read, v.searchEvents))
	mux.Handle("POST /events", v.authed([]string{ScopeWriteEvents}, func(w http.ResponseWriter, r *http.Request, _ grant) {
		body, prob := readBody(w, r)
		if prob == nil {
			var e openadr.Event
			if e, prob = v.createEvent(body); prob == nil {
				writeJSON(w, http.StatusCreated, e)
				return
			}
		}
		writeProblem(w, prob)
	}))
	mux.Handle("GET /events/{id}", v.authed(read, func(w http.ResponseWriter, r *http.Request, _ grant) {
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, e := range v.events {
			if e.ID == r.PathValue("id") {
				writeJSON(w, http.StatusOK, e)
				return
			}
		}
		writeProblem(w, problem(http.StatusNotFound, "no event %s", r.PathValue("id")))
	}))
	mux.Handle("PUT /events/{id}", v.authed([]string{ScopeWriteEvents}, func(w http.ResponseWriter, r *http.Request, _ grant) {
		body, prob := readBody(w, r)
		if prob == nil {
			var e openadr.Event
			if e, prob = v.updateEvent(r.PathValue("id"), body); prob == nil {
				writeJSON(w, http.StatusOK, e)
				return
			}
		}
		writeProblem(w, prob)
	}))
	mux.Handle("DELETE /events/{id}", v.authed([]string{ScopeWriteEvents}, func(w http.ResponseWriter, r *http.Request, _ grant) {
		e, prob := v.deleteEvent(r.PathValue("id"))
		if prob != nil {
			writeProblem(w, prob)
			return
		}
		writeJSON(w, http.StatusOK, e)
	}))
	mux.Handle("GET /reports", v.authed(readVEN, func(w http.ResponseWriter, r *http.Request, _ grant) {
		v.mu.Lock()
		list := slices.Clone(v.reports)
		v.mu.Unlock()
		page(w, r, list)
	}))
	mux.Handle("POST /reports", v.authed([]string{ScopeWriteReports}, v.createReport))
	mux.Handle("GET /subscriptions", v.authed(readVEN, func(w http.ResponseWriter, r *http.Request, _ grant) {
		v.mu.Lock()
		list := slices.Clone(v.subs)
		v.mu.Unlock()
		page(w, r, list)
	}))
	mux.Handle("POST /subscriptions", v.authed([]string{ScopeWriteSubscriptions}, v.createSubscription))
	mux.Handle("DELETE /subscriptions/{id}", v.authed([]string{ScopeWriteSubscriptions}, func(w http.ResponseWriter, r *http.Request, _ grant) {
		v.mu.Lock()
		defer v.mu.Unlock()
		for i, s := range v.subs {
			if s.ID == r.PathValue("id") {
				v.subs = slices.Delete(v.subs, i, i+1)
				writeJSON(w, http.StatusOK, s)
				return
			}
		}
		writeProblem(w, problem(http.StatusNotFound, "no subscription %s", r.PathValue("id")))
	}))
	return v.logged(mux)
}

// logged records each request and answers 503 while the VTN is down.
func (v *VTN) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		down := v.down
		v.log = append(v.log, r.Method+" "+r.URL.RequestURI())
		v.mu.Unlock()
		if down {
			writeProblem(w, problem(http.StatusServiceUnavailable, "the VTN is down"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// token is POST /auth/token: the client credentials grant. Errors follow
// RFC 6749 (the specification's authError).
func (v *VTN) token(w http.ResponseWriter, r *http.Request) {
	authErr := func(status int, code string) { writeJSON(w, status, map[string]string{"error": code}) }
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		authErr(http.StatusBadRequest, "invalid_request")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		authErr(http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id == "" || secret == "" {
		authErr(http.StatusBadRequest, "invalid_request")
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		authErr(http.StatusUnauthorized, "invalid_client")
		return
	}
	scopes := c.scopes
	if want := strings.Fields(r.PostForm.Get("scope")); len(want) > 0 {
		scopes = nil
		for _, s := range want {
			if !slices.Contains(c.scopes, s) {
				authErr(http.StatusBadRequest, "invalid_scope")
				return
			}
			scopes = append(scopes, s)
		}
	}
	tok := randomString()
	v.tokens[tok] = grant{clientID: id, scopes: scopes, expiry: v.now().Add(v.lifetime)}
	v.issued++
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer",
		"expires_in": int64(v.lifetime / time.Second), "scope": strings.Join(scopes, " "),
	})
}

// authed checks the bearer token (401) and that it holds one of scopes
// (403) before calling h.
func (v *VTN) authed(scopes []string, h func(http.ResponseWriter, *http.Request, grant)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		v.mu.Lock()
		g, known := v.tokens[tok]
		expired := known && !v.now().Before(g.expiry)
		v.mu.Unlock()
		if !ok || !known || expired {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeProblem(w, problem(http.StatusUnauthorized, "missing, unknown or expired bearer token"))
			return
		}
		if !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(g.scopes, s) }) {
			writeProblem(w, problem(http.StatusForbidden, "this operation needs scope %s", strings.Join(scopes, " or ")))
			return
		}
		h(w, r, g)
	})
}

// readBody reads a bounded request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *problemError) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return nil, problem(http.StatusBadRequest, "unreadable or oversized body")
	}
	return b, nil
}

// pageBounds reads skip and limit (at most 50, default 50).
func pageBounds(q url.Values) (skip, limit int, prob *problemError) {
	limit = openadr.PageLimit
	if s := q.Get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, problem(http.StatusBadRequest, "skip must be an integer of 0 or more")
		}
		skip = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > openadr.PageLimit {
			return 0, 0, problem(http.StatusBadRequest, "limit must be an integer from 0 to %d", openadr.PageLimit)
		}
		limit = n
	}
	return skip, limit, nil
}

// page writes the skip/limit window of list.
func page[T any](w http.ResponseWriter, r *http.Request, list []T) {
	skip, limit, prob := pageBounds(r.URL.Query())
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	skip = min(skip, len(list))
	writeJSON(w, http.StatusOK, list[skip:min(skip+limit, len(list))])
}

// searchEvents is GET /events: by programID, and in 3.1.0 active=true
// leaves out the events whose intervals have all transpired.
func (v *VTN) searchEvents(w http.ResponseWriter, r *http.Request, _ grant) {
	q := r.URL.Query()
	active := false
	if s := q.Get("active"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil || v.version == openadr.Version301 {
			writeProblem(w, problem(http.StatusBadRequest, "active is a 3.1.0 boolean parameter"))
			return
		}
		active = b
	}
	v.mu.Lock()
	now := v.now()
	var list []*openadr.Event
	for _, e := range v.events {
		if pid := q.Get("programID"); pid != "" && e.ProgramID != pid {
			continue
		}
		if active && transpired(e, now) {
			continue
		}
		list = append(list, e)
	}
	v.mu.Unlock()
	page(w, r, list)
}

// transpired reports whether every interval of e ended before now.
func transpired(e *openadr.Event, now time.Time) bool {
	ws, err := openadr.Windows(e, now, "")
	if err != nil || len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		if w.End.IsZero() || w.End.After(now) {
			return false
		}
	}
	return true
}

// decode reads JSON into out, rejecting trailing data.
func decode(b []byte, out any) *problemError {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(out); err != nil {
		return problem(http.StatusBadRequest, "body is not valid JSON for this object: %v", err)
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "body has data after the JSON object")
	}
	return nil
}

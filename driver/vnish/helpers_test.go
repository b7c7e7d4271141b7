package vnish_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// fixture returns the bytes of a file under testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request is one request the fake miner received.
type request struct {
	Method, Path, Auth, Body string
}

func (r request) String() string { return r.Method + " " + r.Path }

// fakeMiner is a VNish API in miniature: /unlock checks the password and
// hands out a token; routes marked as protected answer 401 without it.
type fakeMiner struct {
	t        testing.TB
	password string
	// token is the currently valid bearer token; Rotate changes it, as a
	// reboot of the miner would.
	mu       sync.Mutex
	token    string
	issued   int
	requests []request
	// unlockStatus and unlockBody, when set, replace the unlock answer.
	unlockStatus int
	unlockBody   string

	// routes maps "METHOD /path" to its handler; a later handle
	// replaces an earlier one.
	routes map[string]http.HandlerFunc
	target hearth.Target
}

// newFake starts a fake VNish answering /info and /summary from the
// fixtures; tests add or replace routes with handle.
func newFake(t testing.TB) *fakeMiner {
	t.Helper()
	f := &fakeMiner{t: t, password: "admin", routes: map[string]http.HandlerFunc{}}
	f.handle("GET /api/v1/info", false, jsonBody(fixture(t, "info.json")))
	f.handle("GET /api/v1/summary", false, jsonBody(fixture(t, "summary.json")))
	f.routes["POST /api/v1/unlock"] = f.unlock
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: string(body)})
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mu.Lock()
		h, ok := f.routes[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	f.target = targetOf(t, srv.Listener.Addr())
	return f
}

// handle serves pattern ("METHOD /path") with h; with protected set it
// first demands the current bearer token.
func (f *fakeMiner) handle(pattern string, protected bool, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[pattern] = func(w http.ResponseWriter, r *http.Request) {
		if protected {
			f.mu.Lock()
			ok := f.token != "" && r.Header.Get("Authorization") == "Bearer "+f.token
			f.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		h(w, r)
	}
}

func (f *fakeMiner) unlock(w http.ResponseWriter, r *http.Request) {
	if f.unlockStatus != 0 {
		w.WriteHeader(f.unlockStatus)
		io.WriteString(w, f.unlockBody)
		return
	}
	var body struct {
		Pw string `json:"pw"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Pw != f.password {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"unlock_timeout":null}`)
		return
	}
	f.mu.Lock()
	f.issued++
	f.token = "tok-" + strconv.Itoa(f.issued)
	tok := f.token
	f.mu.Unlock()
	io.WriteString(w, `{"token":"`+tok+`"}`)
}

// rotate invalidates the current token.
func (f *fakeMiner) rotate() {
	f.mu.Lock()
	f.token = "expired"
	f.mu.Unlock()
}

// seen returns the requests received, as "METHOD /path".
func (f *fakeMiner) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.requests))
	for i, r := range f.requests {
		out[i] = r.String()
	}
	return out
}

// last returns the last request to path.
func (f *fakeMiner) last(method, path string) (request, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if r := f.requests[i]; r.Method == method && r.Path == path {
			return r, true
		}
	}
	return request{}, false
}

// jsonBody answers with b as JSON.
func jsonBody(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
}

// targetOf returns a hearth target for a listener address.
func targetOf(t testing.TB, addr net.Addr) hearth.Target {
	t.Helper()
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return hearth.Target{Address: host, Port: p}
}

// ctxFor returns a context that expires after d.
func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantCode fails unless err carries the hearth code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := hearth.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// sameJSON fails unless got and want are equal JSON documents.
func sameJSON(t testing.TB, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("body = %s\nwant   %s", gb, wb)
	}
}

package epic_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
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

// serveJSON answers every request with body as application/json.
func serveJSON(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// newMiner starts an HTTP server with the given routes (path → handler);
// other paths get 404. It returns the target that reaches it.
func newMiner(t testing.TB, routes map[string]http.HandlerFunc) hearth.Target {
	t.Helper()
	mux := http.NewServeMux()
	for path, h := range routes {
		mux.HandleFunc(path, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return targetOf(t, srv.Listener.Addr())
}

// umcRoutes returns the GET routes of a UMC miner serving the asic-rs
// fixtures.
func umcRoutes(t testing.TB) map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /summary":      serveJSON(fixture(t, "asic-rs/summary.json")),
		"GET /temps":        serveJSON(fixture(t, "asic-rs/temps.json")),
		"GET /capabilities": serveJSON(fixture(t, "asic-rs/capabilities.json")),
		"GET /network":      serveJSON(fixture(t, "asic-rs/network.json")),
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

// timeoutCtx returns a context that expires after d.
func timeoutCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// near reports whether a and b agree to a relative 1e-9.
func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	scale := max(abs(a), abs(b), 1)
	return d <= 1e-9*scale
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// wantCode fails the test unless err carries the hearth code want.
func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %q", want)
	}
	if got := hearth.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (error: %v)", got, want, err)
	}
}

// recorded is one request a fake miner received.
type recorded struct {
	method, path, contentType string
	body                      string
}

// recorder is a fake UMC miner that records every request and answers
// writes with reply.
type recorder struct {
	mu    sync.Mutex
	reqs  []recorded
	reply string
}

func (rec *recorder) handler(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(b)})
	reply := rec.reply
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, reply)
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

// newRecorder starts a fake miner whose POSTs go to a recorder answering
// reply; extra routes (such as GET /summary) are served as given.
func newRecorder(t testing.TB, reply string, extra map[string]http.HandlerFunc) (*recorder, hearth.Target) {
	t.Helper()
	rec := &recorder{reply: reply}
	routes := map[string]http.HandlerFunc{"POST /": rec.handler}
	for k, v := range extra {
		routes[k] = v
	}
	return rec, newMiner(t, routes)
}

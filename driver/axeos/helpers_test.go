package axeos_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/axeos"
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
// unknown paths get 404 as from AxeOS before v2.9.0. It returns the target
// that reaches it.
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

// poll polls target with a fresh driver and a generous deadline.
func poll(t testing.TB, target hearth.Target) *hearth.Reading {
	t.Helper()
	r, err := axeos.New().Poll(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return r
}

// identify identifies target with a fresh driver and a generous deadline.
func identify(t testing.TB, target hearth.Target) *hearth.Identity {
	t.Helper()
	id, err := axeos.New().Identify(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatalf("Identify: %v", err)
	}
	return id
}

// near reports whether a and b agree to a relative 1e-7, the precision of
// the float32 values the firmware prints (power 2.65 arrives as
// 2.65000009536743).
func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	scale := max(abs(a), abs(b), 1)
	return d <= 1e-7*scale
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

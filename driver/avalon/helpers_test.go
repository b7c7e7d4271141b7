package avalon_test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/avalon"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// fixture returns testdata/name compacted, as the firmware sends it.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// fakeMiner is a fake Avalon: it answers "command" or "command|parameter"
// from its replies (the exact parameter first), records every request's
// raw bytes, and answers anything else with cgminer's invalid command.
type fakeMiner struct {
	*cgminertest.Server
	mu       sync.Mutex
	requests []string
}

// newFakeMiner starts a fake Avalon with replies; a nil reply closes the
// connection without a byte.
func newFakeMiner(tb testing.TB, replies map[string][]byte) *fakeMiner {
	tb.Helper()
	f := &fakeMiner{}
	f.Server = cgminertest.NewServer(func(conn net.Conn, req []byte) {
		f.mu.Lock()
		f.requests = append(f.requests, string(req))
		f.mu.Unlock()
		var r struct{ Command, Parameter string }
		_ = json.Unmarshal(req, &r)
		reply, ok := replies[r.Command+"|"+r.Parameter]
		if !ok {
			reply, ok = replies[r.Command]
		}
		if !ok {
			reply = cgminertest.InvalidCommand()
		}
		if reply == nil {
			return
		}
		conn.Write(append(append([]byte(nil), reply...), 0))
	})
	tb.Cleanup(f.Close)
	return f
}

// Requests returns the raw requests received so far.
func (f *fakeMiner) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// target returns the hearth target of a fake server.
func target(tb testing.TB, addr string) hearth.Target {
	tb.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return hearth.Target{Address: host, Port: p}
}

// newDriver returns a driver with a short timeout and a fixed clock.
func newDriver() *avalon.Driver {
	d := avalon.New()
	d.RPC.Timeout = 2 * time.Second
	d.Clock = func() time.Time { return time.Unix(1753434816, 0) }
	return d
}

// qReplies are the Avalon Q fixtures by command.
func qReplies(tb testing.TB) map[string][]byte {
	return map[string][]byte{
		"version": fixture(tb, "version.json"),
		"summary": fixture(tb, "summary.json"),
		"pools":   fixture(tb, "pools.json"),
		"stats":   fixture(tb, "stats.json"),
	}
}

// wantCode fails tb unless err carries the hearth code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := hearth.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

// near reports whether a and b agree to a part in a million.
func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-6*max(abs(a), abs(b), 1e-9)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// hasAll reports whether s contains every one of parts.
func hasAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

package antminer_test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// fixture returns testdata/name the way bmminer sends it: compact JSON
// and, for a stats reply, without the comma after the version block.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return wireForm(tb, b)
}

func wireForm(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		tb.Fatal(err)
	}
	c := out.Bytes()
	if bytes.HasPrefix(c, []byte(`{"STATS":[{"BMMiner"`)) {
		c = bytes.Replace(c, []byte("},{"), []byte("}{"), 1)
	}
	return c
}

// editStats returns the stats fixture name with the device block's
// members changed by edit (nil values delete a member).
func editStats(tb testing.TB, name string, edit map[string]any) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	dev := doc["STATS"].([]any)[1].(map[string]any)
	for k, v := range edit {
		if v == nil {
			delete(dev, k)
		} else {
			dev[k] = v
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return wireForm(tb, out)
}

// miner starts a fake bmminer answering replies and returns the target to
// reach it.
func miner(tb testing.TB, replies map[string][]byte) (hearth.Target, *cgminertest.Server) {
	tb.Helper()
	srv := cgminertest.NewServer(cgminertest.Replies(replies))
	tb.Cleanup(srv.Close)
	return targetOf(tb, srv.Addr), srv
}

func targetOf(tb testing.TB, addr string) hearth.Target {
	tb.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return hearth.Target{Address: host, Port: p, WebPort: closedPort(tb)}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func near(got, want float64) bool {
	if want == 0 {
		return got == 0
	}
	d := (got - want) / want
	return d < 1e-12 && d > -1e-12
}

func hasPrefixIn(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

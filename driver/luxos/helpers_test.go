package luxos_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// fixture returns testdata/name compacted to one line, as LuxOS sends it.
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

// fixtures returns the captured replies by command.
func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, cmd := range []string{"version", "summary", "pools", "stats", "power", "profiles", "config"} {
		out[cmd] = fixture(tb, cmd+".json")
	}
	return out
}

// miner starts a fake LuxOS answering replies and returns its target.
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
	return hearth.Target{Address: host, Port: p}
}

func near(got, want float64) bool {
	if want == 0 {
		return got == 0
	}
	d := (got - want) / want
	return d < 1e-9 && d > -1e-9
}

// fakeLux is a LuxOS that keeps the session rule and records every
// request as "command parameter". Privileged commands need the session;
// fail makes the named command fail with an E status.
type fakeLux struct {
	mu       sync.Mutex
	session  string
	seq      int
	requests []string
	atm      bool
	fail     map[string]bool
	pools    []string
	active   int
	replies  map[string][]byte
}

func newFakeLux(tb testing.TB) (*fakeLux, hearth.Target) {
	tb.Helper()
	f := &fakeLux{replies: fixtures(tb), fail: map[string]bool{}, pools: []string{"old0", "old1"}}
	srv := cgminertest.NewServer(f.handle)
	tb.Cleanup(srv.Close)
	return f, targetOf(tb, srv.Addr)
}

// privileged are the commands the fake refuses without the session.
var privileged = map[string]bool{
	"curtail": true, "ledset": true, "fanset": true, "rebootdevice": true, "resetminer": true,
	"profileset": true, "atmset": true, "logoff": true,
}

func (f *fakeLux) handle(conn net.Conn, request []byte) {
	var req struct{ Command, Parameter string }
	json.Unmarshal(request, &req)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, strings.TrimSpace(req.Command+" "+req.Parameter))
	status := func(letter string, code int, msg string) string {
		return fmt.Sprintf(`"STATUS":[{"STATUS":%q,"When":1,"Code":%d,"Msg":%q,"Description":"LUXminer 2025.4.8.220305-57b389c7"}]`, letter, code, msg)
	}
	reply := func(s string) { conn.Write(append([]byte(s), 0)) }
	args := strings.Split(req.Parameter, ",")
	if privileged[req.Command] && (f.session == "" || args[0] != f.session) {
		reply("{" + status("E", 401, "Invalid session id") + `,"id":1}`)
		return
	}
	if f.fail[req.Command] {
		reply("{" + status("E", 410, "failed on purpose") + `,"id":1}`)
		return
	}
	switch req.Command {
	case "logon":
		if f.session != "" {
			reply("{" + status("E", 402, "Another session is active") + `,"id":1}`)
			return
		}
		f.seq++
		f.session = fmt.Sprintf("sid%d", f.seq)
		reply("{" + status("S", 300, "Session created") + fmt.Sprintf(`,"SESSION":[{"SessionID":%q}],"id":1}`, f.session))
	case "session":
		reply("{" + status("S", 300, "Session") + fmt.Sprintf(`,"SESSION":[{"SessionID":%q}],"id":1}`, f.session))
	case "logoff":
		f.session = ""
		reply("{" + status("S", 301, "Session closed") + `,"id":1}`)
	case "atm":
		reply("{" + status("S", 339, "ATM") + fmt.Sprintf(`,"ATM":[{"Enabled":%t}],"id":1}`, f.atm))
	case "atmset":
		f.atm = args[1] == "enabled=true"
		reply("{" + status("S", 340, "ATM set") + `,"id":1}`)
	case "profileset":
		reply("{" + status("S", 324, "Profile set") + fmt.Sprintf(`,"PROFILE":[{"Profile":%q}],"id":1}`, args[1]))
	case "curtail", "ledset", "fanset", "rebootdevice", "resetminer":
		reply("{" + status("S", 350, "OK") + `,"id":1}`)
	case "pools":
		var b strings.Builder
		for i, p := range f.pools {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"POOL":%d,"URL":%q,"Stratum Active":%t}`, i, p, i == f.active)
		}
		reply("{" + status("S", 7, "Pools") + `,"POOLS":[` + b.String() + `],"id":1}`)
	case "addpool":
		f.pools = append(f.pools, args[0])
		reply("{" + status("S", 55, "Added pool") + `,"id":1}`)
	case "switchpool":
		f.active, _ = strconv.Atoi(args[0])
		reply("{" + status("S", 27, "Switching") + `,"id":1}`)
	case "removepool":
		i, _ := strconv.Atoi(args[0])
		if i == f.active {
			reply("{" + status("E", 67, "Cannot remove active pool") + `,"id":1}`)
			return
		}
		f.pools = append(f.pools[:i], f.pools[i+1:]...)
		if f.active > i {
			f.active--
		}
		reply("{" + status("S", 68, "Removed") + `,"id":1}`)
	default:
		if r, ok := f.replies[req.Command]; ok {
			reply(string(r))
			return
		}
		reply(string(cgminertest.InvalidCommand()))
	}
}

// log returns the requests so far and whether a session is open.
func (f *fakeLux) log() ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...), f.session != ""
}

package sim_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// avalonFixture reads a captured Avalon reply from the driver's testdata.
func avalonFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../driver/avalon/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// startAvalons starts one A1466 (miner 0) and one Nano 3 (miner 1).
func startAvalons(t *testing.T, clock *simtest.Clock) (*sim.Sim, sim.MinerInfo, sim.MinerInfo) {
	t.Helper()
	cfg := sim.Config{Miners: 2, Seed: 3, Models: []string{sim.ModelAvalonA1466, sim.ModelAvalonNano3}, RebootTime: time.Second}
	if clock != nil {
		cfg.Now = clock.Now
	}
	s := simtest.Start(t, cfg)
	a := findModel(t, s, sim.ModelAvalonA1466)
	n := findModel(t, s, sim.ModelAvalonNano3)
	return s, a, n
}

// keysOf returns the sorted keys of a record.
func keysOf(rec map[string]any) []string {
	out := make([]string, 0, len(rec))
	for k := range rec {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sameKeys fails unless got has exactly the keys of want (less skip).
func sameKeys(t *testing.T, what string, got, want map[string]any, skip ...string) {
	t.Helper()
	w := map[string]any{}
	for k, v := range want {
		w[k] = v
	}
	for _, k := range skip {
		delete(w, k)
	}
	if g, x := strings.Join(keysOf(got), "|"), strings.Join(keysOf(w), "|"); g != x {
		t.Errorf("%s keys\n got %s\nwant %s", what, g, x)
	}
}

// sameStatus checks a STATUS record against a captured one: the same
// keys, severity, code and Description.
func sameStatus(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	g, w := section(t, got, "STATUS", 0), section(t, want, "STATUS", 0)
	sameKeys(t, what+" STATUS", g, w)
	if g["STATUS"] != w["STATUS"] || g["Code"].(json.Number) != w["Code"].(json.Number) || g["Description"] != w["Description"] {
		t.Errorf("%s STATUS %v, want like %v", what, g, w)
	}
}

var blobToken = regexp.MustCompile(`([A-Za-z][A-Za-z0-9_ ]*?)\[`)

// blobKeys lists the Key[ tokens of a blob in order.
func blobKeys(blob string) []string {
	var out []string
	for _, m := range blobToken.FindAllStringSubmatch(blob, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// sameTokens checks that the sim's blob has every token of the captured
// one, in the captured order (the sim may add tokens, and a model with
// fewer fans or boards lacks their tokens, named in absent).
func sameTokens(t *testing.T, what, got, want string, absent ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, k := range absent {
		skip[k] = true
	}
	pos := map[string]int{}
	for i, k := range blobKeys(got) {
		if _, dup := pos[k]; !dup {
			pos[k] = i
		}
	}
	last, lastKey := -1, ""
	for _, k := range blobKeys(want) {
		if skip[k] {
			continue
		}
		i, ok := pos[k]
		if !ok {
			t.Errorf("%s: token %s[ missing", what, k)
			continue
		}
		if i < last {
			t.Errorf("%s: token %s[ comes before %s[, the capture has it after", what, k, lastKey)
		}
		last, lastKey = i, k
	}
}

func TestAvalonRepliesMatchCaptures(t *testing.T) {
	_, a1466, nano := startAvalons(t, nil)
	for _, mi := range []sim.MinerInfo{a1466, nano} {
		for _, c := range []struct{ command, fixture, section string }{
			{"version", "version.json", "VERSION"},
			{"summary", "summary.json", "SUMMARY"},
			{"devs", "devs.json", "DEVS"},
			{"pools", "pools.json", "POOLS"},
		} {
			got := rpcJSON(t, mi.Address, mi.Port, c.command)
			want := avalonFixture(t, c.fixture)
			sameKeys(t, mi.ModelShort+" "+c.command, got, want)
			sameStatus(t, mi.ModelShort+" "+c.command, got, want)
			var skip []string
			if c.command == "version" && mi.ModelShort == sim.ModelAvalonA1466 {
				skip = []string{"FANMCUVERSION", "HBMCUVERSION"} // older firmware
			}
			rec := section(t, got, c.section, 0)
			if c.command == "version" && mi.ModelShort == sim.ModelAvalonNano3 {
				delete(rec, "UPAPI") // the Nano 3s capture of the reference has it
			}
			sameKeys(t, mi.ModelShort+" "+c.section, rec, section(t, want, c.section, 0), skip...)
		}
		if v := section(t, rpcJSON(t, mi.Address, mi.Port, "version"), "VERSION", 0); !strings.Contains(strings.ToUpper(str(t, v, "PROD")), "AVALON") {
			t.Errorf("PROD %q does not name an Avalon", v["PROD"])
		}
	}

	// stats: the device entry and the pool entries.
	for _, c := range []struct {
		mi      sim.MinerInfo
		fixture string
		blobKey string
		absent  []string
	}{
		{a1466, "avalon_a_stats.json", "MM ID0", nil},
		{nano, "stats.json", "MM ID0:Summary", []string{"Fan2", "Fan3", "Fan4"}},
	} {
		got := rpcJSON(t, c.mi.Address, c.mi.Port, "stats")
		want := avalonFixture(t, c.fixture)
		sameStatus(t, c.mi.ModelShort+" stats", got, want)
		dev, wdev := section(t, got, "STATS", 0), section(t, want, "STATS", 0)
		sameKeys(t, c.mi.ModelShort+" stats device", dev, wdev)
		sameTokens(t, c.mi.ModelShort+" blob", str(t, dev, c.blobKey), str(t, wdev, c.blobKey), c.absent...)
		if hb, ok := wdev["HBinfo"].(string); ok {
			sameTokens(t, c.mi.ModelShort+" HBinfo", str(t, dev, "HBinfo"), hb, "MW0")
		}
		sameKeys(t, c.mi.ModelShort+" stats pool", section(t, got, "STATS", 1), section(t, want, "STATS", 1))
		if id := str(t, section(t, got, "STATS", 1), "ID"); id != "POOL0" {
			t.Errorf("pool entry ID %q", id)
		}
	}

	// litestats: the blob alone.
	got := rpcJSON(t, nano.Address, nano.Port, "litestats")
	want := avalonFixture(t, "litestats.json")
	sameStatus(t, "litestats", got, want)
	sameKeys(t, "litestats", section(t, got, "STATS", 0), section(t, want, "STATS", 0))
}

// ascsetReply sends one ascset and returns its STATUS record.
func ascsetReply(t *testing.T, mi sim.MinerInfo, param string) map[string]any {
	t.Helper()
	return section(t, decodeRPC(t, rpcRaw(t, mi.Address, mi.Port, `{"command":"ascset","parameter":"`+param+`"}`)), "STATUS", 0)
}

// wantStatus checks a STATUS record's letter, code and message.
func wantStatus(t *testing.T, rec map[string]any, letter string, code int, msg string) {
	t.Helper()
	if rec["STATUS"] != letter || num(t, rec, "Code") != float64(code) || !strings.HasPrefix(str(t, rec, "Msg"), msg) {
		t.Errorf("STATUS %v, want %s %d %q…", rec, letter, code, msg)
	}
}

func TestAvalonAscsetReplies(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s, a1466, nano := startAvalons(t, clock)
	when := strconv.FormatInt(clock.Now().Unix()+5, 10)

	// The captured replies, byte for byte apart from When.
	for _, c := range []struct {
		param, fixture string
	}{
		{"0,help", "ascset_help.json"},
		{"0,workmode,set,1", "ascset_workmode.json"},
	} {
		got := decodeRPC(t, rpcRaw(t, nano.Address, nano.Port, `{"command":"ascset","parameter":"`+c.param+`"}`))
		want := avalonFixture(t, c.fixture)
		sameStatus(t, c.param, got, want)
		if g, w := section(t, got, "STATUS", 0)["Msg"], section(t, want, "STATUS", 0)["Msg"]; g != w {
			t.Errorf("%s Msg %q, want %q", c.param, g, w)
		}
	}
	off := ascsetReply(t, nano, "0,softoff,1:"+when)
	wantStatus(t, off, "I", 118, "ASC 0 set info: success softoff:"+when)
	sameStatus(t, "softoff", map[string]any{"STATUS": []any{off}}, avalonFixture(t, "ascset_softoff.json"))
	if s.Settings(nano.Index).Paused {
		t.Error("paused before the softoff time")
	}
	clock.Advance(5 * time.Second)
	if !s.Settings(nano.Index).Paused {
		t.Error("not paused at the softoff time")
	}
	on := ascsetReply(t, nano, "0,softon,1:"+strconv.FormatInt(clock.Now().Unix(), 10))
	wantStatus(t, on, "I", 118, "ASC 0 set info: success softon:")
	if s.Settings(nano.Index).Paused {
		t.Error("still paused after a softon for now")
	}

	// Writes and their settings.
	wantStatus(t, ascsetReply(t, nano, "0,led,1-1"), "S", 119, "ASC 0 set OK")
	if !s.Settings(nano.Index).Locate {
		t.Error("led 1-1 did not light the LED")
	}
	wantStatus(t, ascsetReply(t, nano, "0,worklevel,set,0"), "S", 119, "ASC 0 set OK")
	if s.Settings(nano.Index).WorkLevel != 0 {
		t.Errorf("work level %d", s.Settings(nano.Index).WorkLevel)
	}
	wantStatus(t, ascsetReply(t, a1466, "0,workmode,set,0"), "S", 119, "ASC 0 set OK")
	if s.Settings(a1466.Index).WorkLevel != 0 {
		t.Errorf("A1466 work mode %d", s.Settings(a1466.Index).WorkLevel)
	}
	wantStatus(t, ascsetReply(t, a1466, "0,fan-spd,60"), "S", 119, "ASC 0 set OK")
	if st := s.Settings(a1466.Index); !st.FanManual || st.FanPercent != 60 {
		t.Errorf("fan %v %d", st.FanManual, st.FanPercent)
	}
	stats := section(t, rpcJSON(t, a1466.Address, a1466.Port, "estats"), "STATS", 0)
	if blob := str(t, stats, "MM ID0"); !strings.Contains(blob, "FanR[60%]") || !strings.Contains(blob, "WORKMODE[0]") {
		t.Errorf("fan or work mode not in the blob: %.300s", blob)
	}
	wantStatus(t, ascsetReply(t, a1466, "0,fan-spd,-1"), "S", 119, "ASC 0 set OK")
	if s.Settings(a1466.Index).FanManual {
		t.Error("fan-spd -1 left the fans manual")
	}

	// Refusals.
	for _, c := range []struct {
		mi     sim.MinerInfo
		param  string
		letter string
		code   int
		msg    string
	}{
		{nano, "", "E", 15, "Missing device id parameter"},
		{nano, "0", "E", 116, "Missing option after ASC number"},
		{nano, "0,", "E", 116, "Missing option after ASC number"},
		{nano, "1,led,1-1", "E", 107, "Invalid ASC id 1 - range is 0 - 0"},
		{nano, "0,led,2-1", "E", 120, "ASC 0 set failed: invalid led value"},
		{nano, "0,worklevel,set,3", "E", 120, "ASC 0 set failed: invalid worklevel value"},
		{nano, "0,softoff,tomorrow", "E", 120, "ASC 0 set failed: invalid softoff time"},
		{nano, "0,fan-spd,10", "E", 120, "ASC 0 set failed: invalid fan-spd value"},
		{nano, "0,reboot,301", "E", 120, "ASC 0 set failed: invalid reboot delay"},
		{nano, "0,nosuch", "E", 120, "ASC 0 set failed: unknown option"},
		{a1466, "0,worklevel,set,1", "E", 120, "ASC 0 set failed: unknown option"},
	} {
		wantStatus(t, ascsetReply(t, c.mi, c.param), c.letter, c.code, c.msg)
	}
	if st := s.Settings(nano.Index); st.WorkLevel != 0 || st.Paused || st.Reboots != 0 {
		t.Errorf("a refused write changed the settings: %+v", st)
	}

	// A delayed reboot happens at its time.
	wantStatus(t, ascsetReply(t, nano, "0,reboot,10"), "S", 119, "ASC 0 set OK")
	if s.Settings(nano.Index).Reboots != 0 {
		t.Error("rebooted before the delay")
	}
	clock.Advance(11 * time.Second)
	if st := s.Settings(nano.Index); st.Reboots != 1 || st.Locate {
		t.Errorf("after the delay: reboots %d, LED %v", st.Reboots, st.Locate)
	}
}

func TestAvalonRestart(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s, _, nano := startAvalons(t, clock)
	raw := rpcRaw(t, nano.Address, nano.Port, `{"command":"restart"}`)
	if string(raw) != "{\"STATUS\":\"RESTART\",\"id\":1}\x00" {
		t.Errorf("restart reply %q", raw)
	}
	if s.Settings(nano.Index).Reboots != 1 {
		t.Error("restart did not restart")
	}
	if _, err := rpcTry(nano.Address, nano.Port, `{"command":"version"}`); err == nil {
		if raw, _ := rpcTry(nano.Address, nano.Port, `{"command":"version"}`); len(raw) > 0 {
			t.Errorf("answered while restarting: %q", raw)
		}
	}
	clock.Advance(2 * time.Second)
	sum := section(t, rpcJSON(t, nano.Address, nano.Port, "summary"), "SUMMARY", 0)
	if up := num(t, sum, "Elapsed"); up > 1 {
		t.Errorf("uptime %v s after restart", up)
	}
}

func TestAvalonSetPool(t *testing.T) {
	clock := simtest.NewClock(testStart)
	s, _, nano := startAvalons(t, clock)
	setpool := func(param string) map[string]any {
		raw := rpcRaw(t, nano.Address, nano.Port, `{"command":"setpool","parameter":"`+param+`"}`)
		// The fork's success message holds raw newlines, which cgminer's
		// escape_string leaves unescaped: not valid JSON as sent.
		return section(t, decodeRPC(t, bytes.ReplaceAll(raw, []byte("\n"), []byte(`\n`))), "STATUS", 0)
	}
	wantStatus(t, setpool(""), "E", 132, "Pool set error: no params")
	wantStatus(t, setpool("root,root,0,stratum+tcp://a.example:3333"), "E", 132, "Pool set error: we need 5 | 6 arguments, your input is 4 arguments.")
	wantStatus(t, setpool("admin,root,0,stratum+tcp://a.example:3333,w"), "E", 132, "Pool set error: username err")
	wantStatus(t, setpool("root,guess,0,stratum+tcp://a.example:3333,w"), "E", 132, "Pool set error: userpass err")
	wantStatus(t, setpool("root,root,3,stratum+tcp://a.example:3333,w"), "E", 132, "Pool set error: pool num must between 0 and 2 , your input is 3")
	old := s.Settings(nano.Index).Pools
	wantStatus(t, setpool("root,root,0,stratum+tcp://a.example:3333,acct.w1,x"), "S", 133, "Pool set info: \npool 0 success set to stratum+tcp://a.example:3333\n")
	if st := s.Settings(nano.Index); st.Pools[0] != old[0] {
		t.Errorf("pool changed before the reboot: %+v", st.Pools[0])
	}
	wantStatus(t, ascsetReply(t, nano, "0,reboot,0"), "S", 119, "ASC 0 set OK")
	clock.Advance(2 * time.Second)
	want := sim.PoolSetting{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"}
	if st := s.Settings(nano.Index); st.Pools[0] != want || st.Pools[1] != old[1] {
		t.Errorf("pools after reboot %+v", st.Pools)
	}
	pools := section(t, rpcJSON(t, nano.Address, nano.Port, "pools"), "POOLS", 0)
	if str(t, pools, "URL") != want.URL || str(t, pools, "User") != want.User {
		t.Errorf("pools reply %v", pools)
	}
}

func TestAvalonWorkLevelLowersPowerAndRate(t *testing.T) {
	clock := simtest.NewClock(testStart)
	_, _, nano := startAvalons(t, clock)
	read := func() (ghs, watts float64) {
		dev := section(t, rpcJSON(t, nano.Address, nano.Port, "estats"), "STATS", 0)
		blob := str(t, dev, "MM ID0:Summary")
		g, err := strconv.ParseFloat(regexp.MustCompile(`GHSspd\[([0-9.]+)\]`).FindStringSubmatch(blob)[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		w, err := strconv.ParseFloat(regexp.MustCompile(`WALLPOWER\[([0-9]+)\]`).FindStringSubmatch(blob)[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return g, w
	}
	g2, w2 := read()
	if w2 < 130 || w2 > 150 || g2 < 3800 || g2 > 4200 {
		t.Fatalf("High: %v GH/s at %v W", g2, w2)
	}
	wantStatus(t, ascsetReply(t, nano, "0,workmode,set,0"), "S", 119, "ASC 0 set OK")
	g0, w0 := read()
	if w0 > w2*0.6 || g0 > g2*0.6 || w0 < 60 {
		t.Errorf("Low: %v GH/s at %v W (High %v GH/s at %v W)", g0, w0, g2, w2)
	}
}

// TestAvalonOneConnectionAtATime checks the Avalon API's single thread:
// while one client holds a connection without sending, a second client's
// request waits, and is answered once the first is done.
func TestAvalonOneConnectionAtATime(t *testing.T) {
	_, _, nano := startAvalons(t, nil)
	addr := netip.AddrPortFrom(nano.Address, uint16(nano.Port)).String()
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	time.Sleep(100 * time.Millisecond) // the first connection takes the line

	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	second.Write([]byte(`{"command":"version"}`))
	second.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _ := second.Read(make([]byte, 1)); n > 0 {
		t.Fatal("second connection answered while the first held the line")
	}

	first.Write([]byte(`{"command":"summary"}`))
	first.SetReadDeadline(time.Now().Add(3 * time.Second))
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(first); err != nil || !bytes.Contains(buf.Bytes(), []byte(`"SUMMARY"`)) {
		t.Fatalf("first reply %q: %v", buf.Bytes(), err)
	}
	second.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf.Reset()
	if _, err := buf.ReadFrom(second); err != nil || !bytes.Contains(buf.Bytes(), []byte(`"PROD"`)) {
		t.Fatalf("second reply %q: %v", buf.Bytes(), err)
	}
}

func TestAvalonJoinedCommands(t *testing.T) {
	_, _, nano := startAvalons(t, nil)
	reply := decodeRPC(t, rpcRaw(t, nano.Address, nano.Port, `{"command":"summary+devs+summary++ascset"}`))
	if len(reply) != 4 { // summary, devs, ascset, id
		t.Fatalf("joined reply keys %v", keysOf(reply))
	}
	for _, cmd := range []string{"summary", "devs"} {
		list := reply[cmd].([]any)
		inner := list[0].(map[string]any)
		wantStatus(t, section(t, inner, "STATUS", 0), "S", map[string]int{"summary": 11, "devs": 9}[cmd], "")
	}
	denied := reply["ascset"].([]any)[0].(map[string]any)
	wantStatus(t, section(t, denied, "STATUS", 0), "E", 45, "Access denied to 'ascset' command")
}

func TestAvalonModelsNotInDefaultMix(t *testing.T) {
	for _, short := range []string{sim.ModelAvalonA1466, sim.ModelAvalonNano3} {
		if _, ok := sim.DefaultMix()[short]; ok {
			t.Errorf("%s is in the default mix", short)
		}
	}
	for _, m := range sim.KnownModels() {
		if m.Family == hearth.FamilyAvalon && !strings.Contains(m.Name, "Avalon") {
			t.Errorf("model %s named %q", m.Short, m.Name)
		}
	}
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 1, Models: []string{sim.ModelAvalonNano3}})
	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultDeadBoard}); err == nil {
		t.Error("a dead board accepted on a one-board Nano 3")
	}
}

package sim_test

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

func antminerSim(t *testing.T) (*sim.Sim, sim.MinerInfo) {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 8, Seed: 7, Models: []string{sim.ModelS21}, Now: simtest.NewClock(testStart).Now})
	return s, s.Miners()[3]
}

func TestRPCRepliesEndInNULAndClose(t *testing.T) {
	_, mi := antminerSim(t)
	for _, cmd := range []string{"version", "summary", "pools", "stats", "devs", "devdetails"} {
		for _, req := range []string{`{"command":"` + cmd + `"}`, cmd, cmd + "|"} {
			raw := rpcRaw(t, mi.Address, mi.Port, req)
			if len(raw) == 0 {
				t.Fatalf("%q: empty reply", req)
			}
			if raw[len(raw)-1] != 0 || bytes.IndexByte(raw, 0) != len(raw)-1 {
				t.Errorf("%q: want exactly one NUL, at the end; got %q", req, tail(raw))
			}
			if bytes.ContainsAny(raw[:len(raw)-1], "\n\t") {
				t.Errorf("%q: wire output has whitespace", req)
			}
		}
	}
}

func TestRPCStatusBlocks(t *testing.T) {
	_, mi := antminerSim(t)
	tests := []struct {
		cmd  string
		code float64
		msg  string
	}{
		{"version", 22, "CGMiner versions"},
		{"summary", 11, "Summary"},
		{"pools", 7, "3 Pool(s)"},
		{"stats", 70, "CGMiner stats"},
		{"devs", 9, "1 ASC(s)"},
		{"devdetails", 69, "Device Details"},
	}
	for _, tt := range tests {
		reply := rpcJSON(t, mi.Address, mi.Port, tt.cmd)
		st := section(t, reply, "STATUS", 0)
		if got := str(t, st, "STATUS"); got != "S" {
			t.Errorf("%s: STATUS %q, want S", tt.cmd, got)
		}
		if got := num(t, st, "Code"); got != tt.code {
			t.Errorf("%s: Code %v, want %v", tt.cmd, got, tt.code)
		}
		if got := str(t, st, "Msg"); got != tt.msg {
			t.Errorf("%s: Msg %q, want %q", tt.cmd, got, tt.msg)
		}
		if got := str(t, st, "Description"); got != "cgminer 1.0.0" {
			t.Errorf("%s: Description %q", tt.cmd, got)
		}
		if num(t, st, "When") < 1e9 {
			t.Errorf("%s: When is not a unix time", tt.cmd)
		}
		if id := reply["id"]; id != json.Number("1") {
			t.Errorf("%s: id %v, want 1", tt.cmd, id)
		}
	}
}

func TestRPCInvalidCommands(t *testing.T) {
	_, mi := antminerSim(t)
	invalid := regexp.MustCompile(`^\{"STATUS":\[\{"STATUS":"E","When":\d+,"Code":14,"Msg":"Invalid command"\}\],"id":1\}\x00$`)
	for _, req := range []string{
		`{"command":"summary+pools"}`, // joined commands: stock S19-class bmminer refuses them
		`{"command":"summary+stats+pools"}`,
		`{"command":"frobnicate"}`,
		`{"command":"SUMMARY"}`,
		`{"command":5}`,           // command not a string
		`{"command":"summary\n"}`, // the newline is part of the name
	} {
		raw := rpcRaw(t, mi.Address, mi.Port, req)
		if !invalid.Match(raw) {
			t.Errorf("%s: got %q, want code 14 without Description", req, raw)
		}
	}
	text := regexp.MustCompile(`^STATUS=E,When=\d+,Code=14,Msg=Invalid command\|\x00$`)
	for _, req := range []string{"summary+pools", "nope|1", "summary\n"} {
		raw := rpcRaw(t, mi.Address, mi.Port, req)
		if !text.Match(raw) {
			t.Errorf("%q: got %q, want text code 14", req, raw)
		}
	}
	for req, code := range map[string]string{
		`{"command":`:           `"Code":23,"Msg":"Invalid JSON"`,
		`{"parameter":"0"}`:     `"Code":24,"Msg":"Missing JSON 'command'"`,
		`{"command":"x"} trail`: `"Code":23`,
	} {
		raw := rpcRaw(t, mi.Address, mi.Port, req)
		if !bytes.Contains(raw, []byte(code)) || !bytes.HasSuffix(raw, []byte(`,"id":1}`+"\x00")) {
			t.Errorf("%s: got %q, want %s", req, raw, code)
		}
	}
}

func TestRPCTextMode(t *testing.T) {
	_, mi := antminerSim(t)
	raw := string(rpcRaw(t, mi.Address, mi.Port, "summary|"))
	re := regexp.MustCompile(`^STATUS=S,When=\d+,Code=11,Msg=Summary,Description=cgminer 1\.0\.0\|SUMMARY,Elapsed=\d+,GHS 5s=\d+\.\d\d,GHS av=\d+\.\d\d,`)
	if !re.MatchString(raw) {
		t.Fatalf("text summary: %q", raw)
	}
	if !strings.HasSuffix(raw, "|\x00") {
		t.Errorf("text reply should end with |NUL: %q", tail([]byte(raw)))
	}
	// A parameter after '|' is accepted and ignored.
	if got := string(rpcRaw(t, mi.Address, mi.Port, "summary|0")); !strings.Contains(got, "Code=11") {
		t.Errorf("summary|0: %q", got)
	}
	// stats in text: the version block is its own record.
	stats := string(rpcRaw(t, mi.Address, mi.Port, "stats"))
	if !strings.Contains(stats, "|BMMiner=1.0.0,Miner=") || !strings.Contains(stats, "Type=Antminer S21|STATS=0,ID=BTM_SOC0,") {
		t.Errorf("text stats: %q", stats)
	}
}

func TestRPCStatsShape(t *testing.T) {
	_, mi := antminerSim(t)
	raw := rpcRaw(t, mi.Address, mi.Port, `{"command":"stats"}`)
	if !bytes.Contains(raw, []byte(`"Type":"Antminer S21"}{"STATS":0,`)) {
		t.Fatalf("stats lacks the bmminer }{ quirk: %q", raw[:300])
	}
	reply := decodeRPC(t, raw)
	v := section(t, reply, "STATS", 0)
	if str(t, v, "BMMiner") != "1.0.0" || str(t, v, "Type") != "Antminer S21" || str(t, v, "Miner") == "" {
		t.Errorf("STATS[0] version block: %v", v)
	}
	d := section(t, reply, "STATS", 1)
	if str(t, d, "ID") != "BTM_SOC0" || str(t, d, "rate_unit") != "GH" {
		t.Errorf("device block: %v", d)
	}
	ideal := num(t, d, "total_rateideal")
	if ideal != 200000 {
		t.Errorf("total_rateideal %v GH/s, want 200000 for an S21", ideal)
	}
	ghs := num(t, d, "GHS 5s")
	if ghs < 0.95*ideal || ghs > 1.05*ideal {
		t.Errorf("GHS 5s %v, want within 5 %% of %v", ghs, ideal)
	}
	var sum float64
	quadRE := regexp.MustCompile(`^\d+-\d+-\d+-\d+$`)
	for i := 1; i <= 4; i++ {
		n := string(rune('0' + i))
		rate := str(t, d, "chain_rate"+n)
		acs := str(t, d, "chain_acs"+n)
		acn := num(t, d, "chain_acn"+n)
		for _, k := range []string{"temp_chip", "temp_pcb", "temp_pic"} {
			if q := str(t, d, k+n); !quadRE.MatchString(q) {
				t.Errorf("%s%s %q is not a dash quad", k, n, q)
			}
		}
		if i == 4 {
			if rate != "" || acs != "" || acn != 0 || str(t, d, "temp_chip4") != "0-0-0-0" {
				t.Errorf("empty slot 4: rate %q acs %q acn %v", rate, acs, acn)
			}
			continue
		}
		if acn != 108 {
			t.Errorf("chain_acn%s %v, want 108", n, acn)
		}
		if chips := strings.Count(acs, "o") + strings.Count(acs, "x"); chips != 108 || acs[0] != ' ' {
			t.Errorf("chain_acs%s %q has %d chips", n, acs, chips)
		}
		if !regexp.MustCompile(`^\d+\.\d\d$`).MatchString(rate) {
			t.Errorf("chain_rate%s %q is not a %%.2f string", n, rate)
		}
		var r float64
		json.Unmarshal([]byte(rate), &r)
		sum += r
		pcb := quad(t, str(t, d, "temp_pcb"+n))
		if min(pcb[0], pcb[1]) >= max(pcb[2], pcb[3]) {
			t.Errorf("temp_pcb%s %v: the inlet edge (a,b) should be cooler than the outlet (c,d)", n, pcb)
		}
		chip := quad(t, str(t, d, "temp_chip"+n))
		if mx := max(chip[0], chip[1], chip[2], chip[3]); mx < 50 || mx > 85 {
			t.Errorf("temp_chip%s %v: hottest chip %d °C is implausible at 25 °C ambient", n, chip, mx)
		}
	}
	if sum < 0.99*ghs || sum > 1.01*ghs {
		t.Errorf("chain rates sum to %v, GHS 5s is %v", sum, ghs)
	}
	for i := 1; i <= 4; i++ {
		rpm := num(t, d, "fan"+string(rune('0'+i)))
		if rpm < 4000 || rpm > 6500 {
			t.Errorf("fan%d %v RPM outside 4000-6500", i, rpm)
		}
	}
}

func TestRPCSummaryPoolsDevs(t *testing.T) {
	_, mi := antminerSim(t)
	sum := section(t, rpcJSON(t, mi.Address, mi.Port, "summary"), "SUMMARY", 0)
	for _, k := range []string{"Elapsed", "GHS 5s", "GHS av", "Accepted", "Rejected", "Hardware Errors", "Best Share", "Pool Rejected%"} {
		num(t, sum, k)
	}
	if acc, rej := num(t, sum, "Accepted"), num(t, sum, "Rejected"); acc <= 0 || rej/acc > 0.005 {
		t.Errorf("accepted %v rejected %v: a healthy miner rejects well under 0.5 %%", acc, rej)
	}

	raw := rpcRaw(t, mi.Address, mi.Port, `{"command":"pools"}`)
	if !bytes.Contains(raw, []byte(`"Pool Stale%%":`)) {
		t.Errorf("pools lacks the Pool Stale%%%% key")
	}
	pools := decodeRPC(t, raw)
	p0 := section(t, pools, "POOLS", 0)
	if !regexp.MustCompile(`^\d+:\d\d:\d\d$`).MatchString(str(t, p0, "Last Share Time")) {
		t.Errorf("Last Share Time %q is not H:MM:SS", str(t, p0, "Last Share Time"))
	}
	if p0["Stratum Active"] != true || str(t, p0, "Status") != "Alive" || num(t, p0, "POOL") != 0 {
		t.Errorf("pool 0 should be the active, alive pool: %v", p0)
	}
	if url := str(t, p0, "URL"); !strings.HasPrefix(url, "stratum+tcp://") {
		t.Errorf("pool URL %q", url)
	}
	if num(t, p0, "Accepted") != num(t, sum, "Accepted") {
		t.Errorf("pool 0 and summary disagree on accepted shares")
	}
	p1 := section(t, pools, "POOLS", 1)
	if p1["Stratum Active"] != false || str(t, p1, "Last Share Time") != "0" {
		t.Errorf("pool 1 should be an idle backup: %v", p1)
	}

	devs := section(t, rpcJSON(t, mi.Address, mi.Port, "devs"), "DEVS", 0)
	if _, ok := devs["Tenperature"]; !ok {
		t.Errorf("devs lacks bmminer's Tenperature misspelling: %v", devs)
	}
	ver := section(t, rpcJSON(t, mi.Address, mi.Port, "version"), "VERSION", 0)
	if str(t, ver, "Type") != "Antminer S21" || str(t, ver, "API") != "3.1" {
		t.Errorf("version: %v", ver)
	}
}

func TestRPCDispatchByDestination(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 300, Seed: 3, Models: []string{sim.ModelS19jPro, sim.ModelS21XPHyd}})
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 2, 253, 254, 299} {
		mi, _ := s.Miner(i)
		if mi.Address != sim.AddressOf(i) {
			t.Fatalf("miner %d at %s, want %s", i, mi.Address, sim.AddressOf(i))
		}
		ver := section(t, rpcJSON(t, mi.Address, mi.Port, "version"), "VERSION", 0)
		if got := str(t, ver, "Type"); got != mi.Model {
			t.Errorf("miner %d (%s) answered as %q", i, mi.Model, got)
		}
		stats := section(t, rpcJSON(t, mi.Address, mi.Port, "stats"), "STATS", 1)
		id := str(t, stats, "miner_id")
		if seen[id] {
			t.Errorf("miner %d repeats miner_id %s of another miner", i, id)
		}
		seen[id] = true
	}
	// 127.1.0.1 and 127.1.0.2 are different miners on the same port.
	a, _ := s.Miner(0)
	b, _ := s.Miner(1)
	if a.Port != b.Port {
		t.Fatalf("one listener should serve both")
	}
}

func TestRPCClosesWhatItDoesNotServe(t *testing.T) {
	s := simtest.Start(t, sim.Config{Miners: 20, Seed: 1, Models: []string{sim.ModelS21, sim.ModelBitaxeGamma}})
	bitaxe := findModel(t, s, sim.ModelBitaxeGamma)
	port := s.RPCPort()
	for name, addr := range map[string]netip.Addr{
		"bitaxe on 4028":   bitaxe.Address,
		"127.0.0.1":        netip.MustParseAddr("127.0.0.1"),
		"beyond the fleet": sim.AddressOf(20),
		"host .255":        netip.MustParseAddr("127.1.0.255"),
	} {
		raw, err := rpcTry(addr, port, `{"command":"summary"}`)
		if len(raw) != 0 {
			t.Errorf("%s: got a reply %q, want the connection closed", name, raw)
		}
		_ = err // a reset or a clean EOF are both a closed connection
	}
}

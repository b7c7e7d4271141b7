package antminer

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func readTestdata(f *testing.F, name string) []byte {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzReading maps arbitrary summary, pools and stats replies to a
// reading. Whatever the miner sends, the reading must hold only finite,
// non-negative numbers (a NaN would break the JSON API and the TSDB) and
// bounded lists.
func FuzzReading(f *testing.F) {
	summary := readTestdata(f, "summary.json")
	pools := readTestdata(f, "pools.json")
	stats := readTestdata(f, "stats.json")
	hydro := readTestdata(f, "s21_xp_hydro_rpc_stats_captured.json")
	f.Add(summary, pools, stats, "")
	f.Add(summary, pools, hydro, "Antminer S21 XP Hyd.")
	f.Add([]byte(`{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"GHS 5s":" 13512.3 ","MHS av":"nan","Elapsed":-5}]}`),
		[]byte(`{"STATUS":[{"STATUS":"S"}],"POOLS":[{"POOL":-1,"Priority":1e300,"Status":"ALIVE"},"x"]}`),
		[]byte(`{"STATS":[{"Type":"Antminer S21"}{"Elapsed":1e308,"chain_acn1":-3,"chain_rate1":"1e400","temp_chip1":"9-9-9-9-9-9-9-9-9-9","fan_num":99,"fan99":1,"rate_unit":"PH","chain_acs1":"xxxx"}],"STATUS":[{"STATUS":"S"}]}`),
		"Antminer S21")
	f.Add([]byte(`{}`), []byte(`[]`), []byte(`{"STATS":[{"ID":"x","chain_acn11":160,"chain_rate11":"1","total_rateideal":"inf"}]}`), "Antminer S21 XP")
	f.Fuzz(func(t *testing.T, summary, pools, stats []byte, model string) {
		doc := func(b []byte) *cgminer.Document {
			d, err := cgminer.Decode(b)
			if err != nil {
				return nil
			}
			return d
		}
		r := newReading(model, doc(summary), doc(pools), doc(stats))
		checkReading(t, r)
	})
}

func checkReading(t *testing.T, r *hearth.Reading) {
	t.Helper()
	finite := func(name string, f float64) {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			t.Fatalf("%s = %v", name, f)
		}
	}
	finite("HashRate", r.HashRate)
	finite("HashRateAvg", r.HashRateAvg)
	finite("IdealHashRate", r.IdealHashRate)
	finite("Power", r.Power)
	if r.Uptime < 0 {
		t.Fatalf("Uptime = %v", r.Uptime)
	}
	if len(r.Boards) > maxChains || len(r.Fans) > maxFans || len(r.Pools) > cgminer.MaxPools {
		t.Fatalf("%d boards, %d fans, %d pools", len(r.Boards), len(r.Fans), len(r.Pools))
	}
	for i, b := range r.Boards {
		if b.Index != i || b.Chips < 0 || b.FailedChips < 0 {
			t.Fatalf("board %d = %+v", i, b)
		}
		for _, f := range []float64{b.HashRate, b.IdealHashRate, b.ChipTemp, b.BoardTemp, b.InletTemp, b.OutletTemp, b.FrequencyMHz} {
			finite("board value", f)
		}
		if b.InletTemp > b.BoardTemp || b.OutletTemp > b.BoardTemp {
			t.Fatalf("board %d edges outside the PCB range: %+v", i, b)
		}
	}
	for i, f := range r.Fans {
		if f.Index != i {
			t.Fatalf("fan %d = %+v", i, f)
		}
		finite("fan RPM", f.RPM)
	}
	for _, p := range r.Pools {
		if p.Status == "" || p.Priority < 0 || p.Index < 0 {
			t.Fatalf("pool = %+v", p)
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("reading does not encode: %v", err)
	}
}

// FuzzSystemInfo feeds get_system_info.cgi bodies to its parser: the
// strings it keeps must be short and printable.
func FuzzSystemInfo(f *testing.F) {
	f.Add(readTestdata(f, "system_info.json"))
	f.Add([]byte(`{"hostname":"\u001b[2Jx","macaddr":"aa:bb","serinum":` + string(bytes.Repeat([]byte(`"`), 1)) + `y"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := parseSystemInfo(body)
		if err != nil {
			return
		}
		for _, s := range []string{info.Hostname, info.MAC, info.Serial, info.MinerType} {
			if len([]rune(s)) > 64 || hasControl(s) {
				t.Fatalf("kept %q", s)
			}
		}
	})
}

// FuzzMinerConf feeds arbitrary bytes to the get_miner_conf reader and the
// edits of the control verbs: a configuration accepted must come back as
// one JSON object holding every member it had, with the mode set and three
// pool slots.
func FuzzMinerConf(f *testing.F) {
	conf, err := os.ReadFile("testdata/get_miner_conf.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(conf)
	f.Add([]byte(`{"pools":[],"bitmain-work-mode":1,"miner-mode":"3"}`))
	f.Add([]byte(`{"pools":null}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseMinerConf(b)
		if err != nil {
			return
		}
		before := len(c)
		c.withMode(modeSleep)
		if err := c.withPools([]hearth.PoolConfig{{URL: "stratum+tcp://a:1", User: "u"}}); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back map[string]json.RawMessage
		if err := json.Unmarshal(out, &back); err != nil || len(back) < before {
			t.Fatalf("round trip lost members: %s", out)
		}
		var pools []confPool
		if err := json.Unmarshal(back["pools"], &pools); err != nil || len(pools) != poolSlots {
			t.Fatalf("pools %s", back["pools"])
		}
		if string(back["miner-mode"]) != "1" {
			t.Fatalf("miner-mode %s", back["miner-mode"])
		}
	})
}

// FuzzBlinkReplies feeds arbitrary bytes to the readers of blink.cgi's and
// get_blink_status.cgi's replies; they may refuse, never panic.
func FuzzBlinkReplies(f *testing.F) {
	for _, s := range []string{`{"blink":true}`, `{"blink":"false"}`, `{"code":"B000"}`, `{"stats":"success","code":"M000","msg":"OK!"}`, `{"stats":"error","msg":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		parseBlinkStatus(b)
		checkCGIResult(cgiBlink, b)
	})
}

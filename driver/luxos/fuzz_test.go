package luxos

import (
	"math"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// seeds adds the captured fixtures to f's corpus.
func seeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"STATUS":[{"STATUS":"S"}],"STATS":[{},{"ID":"x","chain_acn1":-5,"chain_rate1":"1e400","temp_pcb1":"1-2-3","fan_num":99999,"fan1":"NaN"}]}`))
	f.Add([]byte(`{"POOLS":[{"POOL":-1,"Priority":1e30,"Status":"\u0000"}],"POWER":[{"Watts":-3}],"PROFILES":[{"Profile Name":"a,b","Watts":5}]}`))
	f.Add([]byte(``))
}

// FuzzReading feeds one reply as every command of a poll: the mapping
// must never panic and must keep every value within what a miner can be.
func FuzzReading(f *testing.F) {
	seeds(f, "summary.json", "pools.json", "stats.json", "power.json")
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := cgminer.Decode(raw)
		if err != nil {
			return
		}
		r := newReading(doc, doc, doc, doc)
		for _, v := range []float64{r.HashRate, r.HashRateAvg, r.IdealHashRate, r.Power} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("bad value %v in %+v", v, r)
			}
		}
		if len(r.Boards) > maxBoards || len(r.Fans) > maxFans || len(r.Pools) > maxPools {
			t.Fatalf("%d boards, %d fans, %d pools", len(r.Boards), len(r.Fans), len(r.Pools))
		}
		for _, b := range r.Boards {
			if b.Chips < 0 || b.ChipTemp < 0 || b.ChipTemp > 250 || b.HashRate < 0 {
				t.Fatalf("board %+v", b)
			}
		}
		if idx := poolIndexes(doc); len(idx) > maxPools {
			t.Fatalf("%d pool indexes", len(idx))
		}
	})
}

// FuzzProfiles feeds profiles replies to the parser and the chooser: every
// profile taken must be usable in a profileset parameter, and the choice
// must follow the rule.
func FuzzProfiles(f *testing.F) {
	seeds(f, "profiles.json")
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := cgminer.Decode(raw)
		if err != nil {
			return
		}
		profiles := parseProfiles(doc)
		for _, p := range profiles {
			if p.Name == "" || containsSeparator(p.Name) || p.Watts <= 0 || p.Watts > maxPower {
				t.Fatalf("profile %+v", p)
			}
		}
		for _, target := range []float64{1, 1000, 1e6} {
			p, ok := chooseProfile(profiles, target)
			if ok != (len(profiles) > 0) {
				t.Fatalf("ok %v with %d profiles", ok, len(profiles))
			}
			for _, q := range profiles {
				if ok && p.Watts <= target && q.Watts <= target && q.Watts > p.Watts {
					t.Fatalf("chose %+v for %v W, %+v is higher", p, target, q)
				}
				if ok && p.Watts > target && q.Watts <= target {
					t.Fatalf("chose %+v above %v W, %+v fits", p, target, q)
				}
			}
		}
	})
}

// FuzzSessionID feeds logon replies to the session id reader: an id it
// accepts must be safe as the first element of a parameter.
func FuzzSessionID(f *testing.F) {
	f.Add([]byte(`{"STATUS":[{"STATUS":"S","Code":300}],"SESSION":[{"SessionID":"0a1b2c3d"}],"id":1}`))
	f.Add([]byte(`{"STATUS":[{"STATUS":"E","Code":402,"Msg":"Another session is active"}],"id":1}`))
	f.Add([]byte(`{"SESSION":[{"SessionID":"a,b"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := cgminer.Decode(raw)
		if err != nil {
			return
		}
		id, err := sessionID(doc)
		if err != nil {
			return
		}
		if id == "" || len(id) > maxSessionID || containsSeparator(id) || cleanText(id, maxSessionID) != id {
			t.Fatalf("unsafe session id %q", id)
		}
	})
}

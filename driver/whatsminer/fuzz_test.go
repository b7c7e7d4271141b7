package whatsminer

import (
	"math"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// seeds adds the captured fixtures and some broken shapes to f's corpus.
func seeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"MHS av":-1,"Power":1e400,"Elapsed":1e300,"Fan Speed In":"NaN",}],"DEVS":[{"Effective Chips":-5,"Chip Temp Max":1e9}],"POOLS":[{"Priority":9e18,"Status":"\u0000"}]}`))
	f.Add([]byte(`{"code":0,"msg":{"summary":{"hash-realtime":"1e30","board-temperature":[1,"x",null]},"edevs":[{},{"id":-1}],"pools":[null,{"pool-priority":-3}]}}`))
	f.Add([]byte(`{"STATUS":"S","Msg":{"time":1,"salt":"","newsalt":"x"},"enc":"AAAA"}`))
	f.Add([]byte(``))
}

// sane reports whether every number of r is finite and non-negative.
func sane(r *hearth.Reading) bool {
	vals := []float64{r.HashRate, r.HashRateAvg, r.IdealHashRate, r.Power, r.PowerLimit, float64(r.Uptime)}
	for _, b := range r.Boards {
		vals = append(vals, b.HashRate, b.IdealHashRate, b.FrequencyMHz, float64(b.Chips))
	}
	for _, fan := range r.Fans {
		vals = append(vals, fan.RPM)
	}
	for _, p := range r.Pools {
		vals = append(vals, float64(p.Priority))
	}
	for _, v := range vals {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// FuzzV2Reading feeds one reply as summary, devs and pools of an API v2
// poll: the mapping must never panic and must keep values plausible.
func FuzzV2Reading(f *testing.F) {
	seeds(f, "v2/summary.json", "v2/devs.json", "v2/pools.json", "v2/status.json")
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := cgminer.Decode(raw)
		if err != nil {
			return
		}
		if r := v2Reading(doc, doc, doc); !sane(r) {
			t.Fatalf("implausible reading %+v", r)
		}
	})
}

// FuzzV3Reading does the same for API v3 get.miner.status replies.
func FuzzV3Reading(f *testing.F) {
	seeds(f, "v3/get_miner_status_summary.json", "v3/get_miner_status_edevs.json", "v3/get_miner_status_pools.json", "v3/get_device_info.json")
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := cgminer.Decode(raw)
		if err != nil {
			return
		}
		if r := v3Reading(doc, doc, doc); !sane(r) {
			t.Fatalf("implausible reading %+v", r)
		}
	})
}

// FuzzV2Reply feeds an encrypted write's reply and a get_token reply: no
// panic, and errors carry a hearth code.
func FuzzV2Reply(f *testing.F) {
	seeds(f, "v2/get_version.json", "v2/get_miner_info.json")
	key := aesKey("x/LfL.qU1wBJhndXCyVkC/")
	ok, _ := encryptECB(key, []byte(`{"STATUS":"S","Code":131,"Msg":"ok"}`))
	f.Add([]byte(`{"enc":"` + ok + `"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		doc, err := openV2Reply("127.0.0.1:4028", "reboot", key, raw)
		if err != nil {
			if hearth.ErrorCode(err) == hearth.EINTERNAL {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		_ = checkV2("127.0.0.1:4028", "reboot", doc)
		if tok, err := parseToken("127.0.0.1:4028", doc); err == nil && (tok.Salt == "" || tok.NewSalt == "" || tok.Time == "") {
			t.Fatalf("token without salts accepted: %+v", tok)
		}
	})
}

// FuzzMD5Crypt checks md5crypt's output shape for any password and salt.
func FuzzMD5Crypt(f *testing.F) {
	f.Add("admin", "D6w5gVOb")
	f.Add("", "")
	f.Add("\x00\xff", "$1$$$")
	f.Fuzz(func(t *testing.T, password, salt string) {
		h := md5cryptHash(password, salt)
		if len(h) != 22 {
			t.Fatalf("hash %q of length %d", h, len(h))
		}
	})
}

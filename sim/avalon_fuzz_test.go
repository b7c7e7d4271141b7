package sim

import (
	"strconv"
	"strings"
	"testing"
)

// avalonAscsetSeeds are the ascset parameters of the reference (§5.4 and
// the A.4 captures) and the driver, with a few broken ones.
var avalonAscsetSeeds = []string{
	"0,help", "0,led,1-1", "0,led,1-0", "0,softoff,1:1753434821", "0,softon,1:1753434757",
	"0,worklevel,set,2", "0,workmode,set,1", "0,fan-spd,-1", "0,fan-spd,80", "0,reboot,0",
	"0,reboot,300", "0,target-temp,75", "0,voltage", "1,led,1-1", "0", "0,", "", " -0,LED,1-1",
	"abc,softoff,1:", "0,softoff,:99", "0,worklevel,set,", "99999999999999999999,help",
}

// FuzzAvalonAscset feeds ascset parameters to the simulator's parser and
// the option parsers: none may panic, a refusal carries one of api.c's
// codes, an accepted request is for ASC 0 with a lower-case option (empty
// for "0,,x", as api.c passes it on), and
// every value an option parser accepts is within the firmware's range.
func FuzzAvalonAscset(f *testing.F) {
	for _, seed := range avalonAscsetSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, param string) {
		req := parseAscset(param)
		switch req.code {
		case avCodeMissingID, avCodeMissingOpt:
			return
		case avCodeInvalidASC:
			if req.device == 0 {
				t.Fatalf("%q refused as an invalid ASC 0", param)
			}
			return
		case 0:
		default:
			t.Fatalf("%q: code %d", param, req.code)
		}
		if req.device != 0 || req.option != strings.ToLower(req.option) || strings.Contains(req.option, ",") {
			t.Fatalf("%q parsed as %+v", param, req)
		}
		if unix, ok := parseSoftTime(req.value); ok {
			_, ts, _ := strings.Cut(req.value, ":")
			if n, err := strconv.ParseInt(ts, 10, 64); unix < 0 || err != nil || n != unix {
				t.Fatalf("soft time %q read as %d", req.value, unix)
			}
		}
		if on, ok := parseLED(req.value); ok && req.value != map[bool]string{true: "1-1", false: "1-0"}[on] {
			t.Fatalf("led %q read as %v", req.value, on)
		}
		if n, ok := parseLevel(req.value, 3); ok && (n < 0 || n > 2) {
			t.Fatalf("level %q read as %d", req.value, n)
		}
		if auto, pct, ok := parseFanSpeed(req.value); ok && !auto && (pct < 25 || pct > 100) {
			t.Fatalf("fan %q read as %d %%", req.value, pct)
		}
		if d, ok := parseRebootDelay(req.value); ok && (d < 0 || d > avalonMaxRebootDelay) {
			t.Fatalf("reboot delay %q read as %d", req.value, d)
		}
		// Splitting is stable: the parts put back together parse the same.
		if req.option == "" {
			return
		}
		again := "0," + req.option
		if strings.Contains(param[strings.IndexByte(param, ',')+1:], ",") {
			again += "," + req.value
		}
		if back := parseAscset(again); back != req {
			t.Fatalf("%q parsed as %+v, rebuilt %q as %+v", param, req, again, back)
		}
	})
}

// FuzzAvalonSetPool feeds setpool parameters to the parser: it must not
// panic, must count at most six fields, and a five- or six-field request
// must give back the fields it was built from.
func FuzzAvalonSetPool(f *testing.F) {
	for _, seed := range []string{
		"root,root,0,stratum+tcp://a.example:3333,acct.w1,x", "root,root,2,stratum+tcp://a.example:3333,w",
		"admin,admin,1,url,user", "root,root,x,url,user,pass", ",,,", "", "a,b,-1,c,d,e,f,g",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, param string) {
		r := parseSetPool(param)
		if r.fields < 0 || r.fields > 6 {
			t.Fatalf("%q: %d fields", param, r.fields)
		}
		if r.fields < 5 {
			return
		}
		parts := strings.SplitN(param, ",", 6)
		if r.user != parts[0] || r.password != parts[1] || r.pool.URL != parts[3] || r.pool.User != parts[4] {
			t.Fatalf("%q read as %+v", param, r)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(parts[2])); err != nil || n != r.slot {
			t.Fatalf("%q: slot %d from %q", param, r.slot, parts[2])
		}
	})
}

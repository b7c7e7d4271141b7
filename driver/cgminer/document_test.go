package cgminer_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func decode(t *testing.T, s string) *cgminer.Document {
	t.Helper()
	d, err := cgminer.Decode([]byte(s))
	if err != nil {
		t.Fatalf("Decode(%q): %v", s, err)
	}
	return d
}

func TestDecodeStatsFixture(t *testing.T) {
	d, err := cgminer.Decode(wire(t, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	stats := d.Section("STATS")
	if got := stats.Len(); got != 2 {
		t.Fatalf("STATS has %d objects, want 2 (version block and device)", got)
	}
	if got := stats.Object(0).String("Type"); got != "Antminer S19 Pro" {
		t.Errorf("STATS[0].Type = %q", got)
	}
	dev := stats.Object(1)
	for key, want := range map[string]float64{
		"GHS 5s":          110566.89,
		"chain_rate1":     37603.30, // a numeric string
		"chain_acn3":      114,
		"total_rateideal": 110000,
		"fan2":            5880,
		"Elapsed":         50474,
	} {
		if got := dev.Float(key); got != want {
			t.Errorf("Float(%q) = %v, want %v", key, got, want)
		}
	}
	if got := dev.Float("chain_rate4"); got != 0 {
		t.Errorf(`Float("chain_rate4") of "" = %v, want 0`, got)
	}
	if v, ok := dev.Get("chain_rate4"); !ok || v.Kind() != cgminer.KindString {
		t.Errorf("chain_rate4 = %v %v, want an empty string", v.Kind(), ok)
	}
	if got := dev.String("temp_chip1"); got != "78-50-69-70" {
		t.Errorf("temp_chip1 = %q", got)
	}
	if got := dev.Uint("chain_hw2"); got != 195 {
		t.Errorf("chain_hw2 = %d", got)
	}
	if dev.Has("nope") || dev.Float("nope") != 0 {
		t.Error("missing member must be absent and read as 0")
	}
	if err := d.Check("stats"); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestDecodePoolsFixture(t *testing.T) {
	d, err := cgminer.Decode(wire(t, "pools.json"))
	if err != nil {
		t.Fatal(err)
	}
	pools := d.Section("POOLS")
	if pools.Len() != 3 {
		t.Fatalf("POOLS has %d entries", pools.Len())
	}
	p := pools.Object(0)
	if p.String("URL") != "stratum+tcp://btc.global.luxor.tech:700" || p.String("User") != "satokierepair.H04YK" {
		t.Errorf("pool 0 = %q %q", p.String("URL"), p.String("User"))
	}
	if p.Uint("Accepted") != 4057 || p.Uint("Rejected") != 11 || !p.Bool("Stratum Active") {
		t.Errorf("pool 0 counters %d/%d active %v", p.Uint("Accepted"), p.Uint("Rejected"), p.Bool("Stratum Active"))
	}
	if got := p.String("Last Share Time"); got != "0:00:03" {
		t.Errorf("Last Share Time = %q", got)
	}
	if !p.Has("Pool Stale%%") {
		t.Error(`S19 key "Pool Stale%%" lost`)
	}
	if pools.Object(2).Int("POOL") != 2 || pools.Object(1).Bool("Stratum Active") {
		t.Error("pools 1 and 2 misread")
	}
	if pools.Object(3).Exists() || pools.At(-1).Exists() {
		t.Error("out-of-range elements must not exist")
	}
}

func TestValueNumbers(t *testing.T) {
	d := decode(t, `{"a":" 13512.3 ","b":"","c":-4.5e2,"d":"inf","e":"nan","f":"x","g":18446744073709551615,
		"h":"42","i":true,"j":null,"k":"Y","l":"N","m":1e400,"n":"\u0031\u0032","o":12.9,"p":-3,"q":"0x10"}`)
	o := d.Root().Object()
	floats := map[string]float64{"a": 13512.3, "b": 0, "c": -450, "d": 0, "e": 0, "f": 0, "h": 42, "m": 0, "n": 12, "o": 12.9, "p": -3}
	for k, want := range floats {
		if got := o.Float(k); got != want {
			t.Errorf("Float(%q) = %v, want %v", k, got, want)
		}
	}
	for _, k := range []string{"b", "f", "j", "m", "missing"} {
		v, _ := o.Get(k)
		if f, ok := v.Float(); ok {
			t.Errorf("Float of %q = %v, ok; want not ok", k, f)
		}
	}
	if got := o.Uint("g"); got != math.MaxUint64 {
		t.Errorf("Uint(g) = %d", got)
	}
	if got := o.Uint("o"); got != 12 {
		t.Errorf("Uint(o) = %d, want 12 (truncated)", got)
	}
	if v, _ := o.Get("p"); func() bool { _, ok := v.Uint(); return ok }() {
		t.Error("Uint of a negative number must fail")
	}
	if got := o.Int("p"); got != -3 {
		t.Errorf("Int(p) = %d", got)
	}
	if got := o.Int("a"); got != 13512 {
		t.Errorf("Int(a) = %d", got)
	}
	if !o.Bool("i") || !o.Bool("k") || o.Bool("l") || o.Bool("j") {
		t.Error("Bool misread")
	}
	if got := o.String("n"); got != "12" {
		t.Errorf("escaped string = %q", got)
	}
	if got := o.String("c"); got != "-4.5e2" {
		t.Errorf("String of a number = %q, want its text", got)
	}
	if got := o.String("j"); got != "" {
		t.Errorf("String of null = %q", got)
	}
}

func TestDecodeFloatsExactly(t *testing.T) {
	// The fast path must agree with strconv to the last bit.
	for _, s := range []string{"0.1", "110566.89", "37603.30", "999999999999999", "0.000000000000001", "1234567.891", "-0.3", "9007199254740993"} {
		d := decode(t, `{"v":`+s+`,"s":"`+s+`"}`)
		o := d.Root().Object()
		want := mustParse(t, s)
		if got := o.Float("v"); got != want {
			t.Errorf("number %s = %v, want %v", s, got, want)
		}
		if got := o.Float("s"); got != want {
			t.Errorf("string %s = %v, want %v", s, got, want)
		}
	}
}

func TestObjectEscapedKeysAndIteration(t *testing.T) {
	d := decode(t, `{"a\"b":1,"plain":2,"a\"b":3,"nested":{"x":[1,2,{"y":"z"}]}}`)
	o := d.Root().Object()
	if got := o.Float(`a"b`); got != 1 {
		t.Errorf("escaped key = %v, want the first of two", got)
	}
	var keys []string
	for k := range o.All() {
		keys = append(keys, string(k))
	}
	if len(keys) != 4 || keys[0] != `a"b` || keys[3] != "nested" {
		t.Errorf("keys = %q", keys)
	}
	if o.Len() != 4 {
		t.Errorf("Len = %d", o.Len())
	}
	nested, _ := o.Get("nested")
	x, _ := nested.Object().Get("x")
	if x.Array().Len() != 3 || x.Array().Object(2).String("y") != "z" {
		t.Error("nested values misread")
	}
	if x.Array().Object(0).Exists() {
		t.Error("a number is not an object")
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		reply string
		code  string
	}{
		"garbage":         {"HTTP/1.1 400 Bad Request\r\n\r\n", hearth.EPROTOCOL},
		"empty":           {"", hearth.EPROTOCOL},
		"only NUL":        {"\x00", hearth.EPROTOCOL},
		"binary":          {"\xff\xfe\x00\x01", hearth.EPROTOCOL},
		"unterminated":    {`{"Msg":"abc`, hearth.EPROTOCOL},
		"two objects":     {`{"a":1} {"b":2}`, hearth.EPROTOCOL},
		"too deep":        {string(repeat('[', 100)) + string(repeat(']', 100)), hearth.EPROTOCOL},
		"proxy down":      {"Socket connect failed: Connection refused\n", hearth.EUNAVAILABLE},
		"bad escape":      {`{"a":"\q"}`, hearth.EPROTOCOL},
		"bad number":      {`{"a":01}`, hearth.EPROTOCOL},
		"bare word":       {`{"a":inf}`, hearth.EPROTOCOL},
		"missing colon":   {`{"a" 1}`, hearth.EPROTOCOL},
		"unquoted key":    {`{a:1}`, hearth.EPROTOCOL},
		"leading garbage": {`xx{"a":1}`, hearth.EPROTOCOL},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cgminer.Decode([]byte(tc.reply))
			if got := hearth.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
			}
			if msg := hearth.ErrorMessage(err); len(msg) > 200 {
				t.Errorf("message too long for a user: %q", msg)
			}
		})
	}
}

func TestDecodeErrorExcerptIsSafe(t *testing.T) {
	reply := "\x1b[31mhello\x07" + string(repeat('A', 5000))
	_, err := cgminer.Decode([]byte(reply))
	msg := hearth.ErrorMessage(err)
	for _, c := range []byte(msg) {
		if c < 0x20 || c == 0x7f {
			t.Fatalf("control byte %#x in message %q", c, msg)
		}
	}
	if len(msg) > 160 {
		t.Errorf("message %d bytes long: %q", len(msg), msg)
	}
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

// TestDecodeAllocations guards the cost of decoding: a reply bmminer sends
// (its stats quirk included) is parsed in place, with one allocation for
// the Document and one for its nodes, and no repaired copy.
func TestDecodeAllocations(t *testing.T) {
	for _, name := range []string{"stats.json", "pools.json", "summary.json", "version.json"} {
		raw := wire(t, name)
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := cgminer.Decode(raw); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 2 {
			t.Errorf("%s: %v allocations per Decode, want 2", name, allocs)
		}
	}
}

func mustParse(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

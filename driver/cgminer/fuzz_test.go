package cgminer

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzSeeds are the reference's sample payloads and the §1.8 quirks.
func fuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		var c bytes.Buffer
		if json.Compact(&c, b) == nil {
			f.Add(append(c.Bytes(), 0))
			f.Add(bytes.Replace(c.Bytes(), []byte("},{"), []byte("}{"), 1))
		}
	}
	for _, s := range []string{
		"{\"a\":1}\x00",
		`{"STATUS":"S","Msg":{"a":1,},}`,
		"{\"Msg\":{\"fw_ver\":\"2022\n-01\"},\n\"id\":1}",
		`{"STATS":[{"Type":"Antminer S19"}{"Elapsed":5}],"id":1}`,
		`{"DEVS":[,{"ASC":0}],"id":1}`,
		`{"SUMMARY":[{"Factory GHS":"100""temp0":55}]}`,
		`{"STATS":[{"MGHS":"inf","Temp":"nan"}]}`,
		`,"id":1}`,
		`{"STATUS":"E","Msg":{"error_code":{"1":"a","2":"b","3":"c`,
		`{"STATUS":"S","Msg":{"error_code":["329":"2024-01-01","111":"x"]},"id":1}`,
		"Socket connect failed: Connection refused\n",
		`{"STATUS":"RESTART","id":1}`,
		`{"code":0,"msg":{"a":"\u00e9\ud83d\ude00"}}`,
		`{"a":"\\\"}{,}"}`,
		`{"a":[1,-0.5e-3,true,false,null,{}]}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecode runs the repair and parse path on arbitrary bytes. It must
// never panic or return a Document whose accessors fail, and, where the
// repaired bytes are valid JSON, it must read exactly what encoding/json
// reads.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Decode(raw)
		if err != nil {
			return
		}
		walk(d.Root(), 0)
		d.Status()
		d.Check("fuzz")

		repaired := Repair(raw)
		if !json.Valid(repaired) {
			return
		}
		var p Document
		if _, err := p.parse(repaired); err != nil {
			t.Fatalf("valid JSON %q rejected: %v", repaired, err)
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(repaired))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		same(t, p.Root(), want)
	})
}

// walk reads every value with every accessor.
func walk(v Value, depth int) {
	if depth > maxDepth+1 {
		panic("deeper than maxDepth")
	}
	v.Float()
	v.Uint()
	v.Int()
	v.Bool()
	v.Text()
	v.Raw()
	for k, m := range v.Object().All() {
		v.Object().Get(string(k))
		walk(m, depth+1)
	}
	for _, e := range v.Array().All() {
		walk(e, depth+1)
	}
}

// same compares a parsed value with what encoding/json decoded.
func same(t *testing.T, v Value, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if v.Kind() != KindNull {
			t.Fatalf("want null, got %v", v.Kind())
		}
	case bool:
		if b, ok := v.Bool(); !ok || b != w || v.Kind() != KindBool {
			t.Fatalf("want %v, got %v %q", w, v.Kind(), v.Raw())
		}
	case json.Number:
		if v.Kind() != KindNumber || string(v.Raw()) != w.String() {
			t.Fatalf("want number %s, got %v %q", w, v.Kind(), v.Raw())
		}
		wf, err := strconv.ParseFloat(w.String(), 64)
		got, ok := v.Float()
		switch {
		case err != nil || math.IsInf(wf, 0):
			if ok {
				t.Fatalf("number %s out of range read as %v", w, got)
			}
		case !ok || got != wf:
			t.Fatalf("number %s read as %v %v, want %v", w, got, ok, wf)
		}
	case string:
		if v.Kind() != KindString || v.Text() != w {
			t.Fatalf("want string %q, got %v %q", w, v.Kind(), v.Text())
		}
	case []any:
		a := v.Array()
		if v.Kind() != KindArray || a.Len() != len(w) {
			t.Fatalf("want array of %d, got %v of %d", len(w), v.Kind(), a.Len())
		}
		for i, e := range a.All() {
			same(t, e, w[i])
		}
	case map[string]any:
		o := v.Object()
		if v.Kind() != KindObject {
			t.Fatalf("want object, got %v", v.Kind())
		}
		// encoding/json keeps the last of repeated keys; compare the
		// set of names and the values of names that do not repeat.
		seen := map[string]int{}
		for k := range o.All() {
			seen[string(k)]++
		}
		if len(seen) != len(w) {
			t.Fatalf("want %d members, got %d", len(w), len(seen))
		}
		for k, n := range seen {
			wv, ok := w[k]
			if !ok {
				t.Fatalf("member %q not in encoding/json's result", k)
			}
			if n == 1 {
				got, _ := o.Get(k)
				same(t, got, wv)
			}
		}
	default:
		t.Fatalf("unexpected %T", want)
	}
}

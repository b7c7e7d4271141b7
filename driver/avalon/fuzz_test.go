package avalon_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/driver/avalon"
)

// statsSeeds returns the stats blobs of the fixtures.
func statsSeeds(tb testing.TB) []string {
	var seeds []string
	for _, name := range []string{"stats.json", "litestats.json", "avalon_a_stats.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		var doc struct{ STATS []map[string]any }
		if err := json.Unmarshal(b, &doc); err != nil {
			tb.Fatal(err)
		}
		for _, key := range []string{"MM ID0", "MM ID0:Summary", "HBinfo"} {
			if s, ok := doc.STATS[0][key].(string); ok {
				seeds = append(seeds, s)
			}
		}
	}
	return seeds
}

func FuzzParseStats(f *testing.F) {
	for _, s := range statsSeeds(f) {
		f.Add(s)
	}
	f.Add("A[x[1] y] B[[[ C[inf] D[nan 1%] E[")
	f.Add("]]]][[[[")
	f.Fuzz(func(t *testing.T, s string) {
		st := avalon.ParseStats(s)
		if len(st) > 1024 {
			t.Fatalf("%d keys", len(st))
		}
		for k, v := range st {
			if k == "" || len(k) > 32 || strings.TrimSpace(k) != k {
				t.Fatalf("bad key %q", k)
			}
			if !strings.Contains(s, k) {
				t.Fatalf("key %q not in the input", k)
			}
			if len(v) > len(s) {
				t.Fatalf("value longer than the input")
			}
			for i := range 4 {
				if x, ok := st.FloatAt(k, i); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
					t.Fatalf("%s[%d] = %g", k, i, x)
				}
			}
			for _, x := range st.Floats(k) {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%s has %g", k, x)
				}
			}
		}
	})
}

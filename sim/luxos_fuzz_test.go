package sim

import (
	"strings"
	"testing"
)

// FuzzSplitParam feeds LuxOS parameters to the splitter: it must never
// panic, never produce more elements than the parameter has separators
// plus one, and round-trip values escaped the way drivers escape them.
func FuzzSplitParam(f *testing.F) {
	for _, seed := range []string{
		"0a1b2c3d,profileset,290MHz", "sid,enabled=false", "sid,red,blink",
		`stratum+tcp://pool.invalid:3333,worker\,1,x`, `a\\,b`, `\`, ",,", "",
	} {
		f.Add(seed)
	}
	escape := strings.NewReplacer(`\`, `\\`, `,`, `\,`)
	f.Fuzz(func(t *testing.T, p string) {
		parts := splitParam(p)
		if len(parts) > strings.Count(p, ",")+1 {
			t.Fatalf("%q split into %d parts", p, len(parts))
		}
		if p == "" {
			return
		}
		got := splitParam(escape.Replace(p) + ",x")
		if len(got) != 2 || got[0] != p || got[1] != "x" {
			t.Fatalf("escaped %q split into %q", p, got)
		}
	})
}

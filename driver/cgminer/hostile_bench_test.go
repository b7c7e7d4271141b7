package cgminer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// BenchmarkDecodeHostile decodes 1 MiB replies shaped to stress each repair
// and the parser: the cap on a reply is only a defence if the work per byte
// stays constant, so these should all cost tens of milliseconds, not
// seconds.
func BenchmarkDecodeHostile(b *testing.B) {
	const n = 1 << 20
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"ManyMembers", []byte(`{"A":[{` + strings.Repeat(`"k":1,`, n/6) + `"z":1}]}`)},
		{"DeepArrays", append(bytes.Repeat([]byte("["), n/2), bytes.Repeat([]byte("]"), n/2)...)},
		{"ObjectsWithoutCommas", []byte(`{"STATS":[` + strings.Repeat(`{"a":1}`, n/7) + `]}`)},
		{"CutShort", []byte(`{"a":[` + strings.Repeat(`1,`, n/2))},
		{"InfNaN", []byte(`{"a":[` + strings.Repeat(`"inf","nan",`, n/12) + `1]}`)},
		{"Newlines", []byte(`{"a":[` + strings.Repeat("1,\n", n/3) + `1]}`)},
		{"ErrorCodeList", []byte(`{"error_code":[` + strings.Repeat(`"a":"b",`, n/8) + `"z":"y"]}`)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.in)))
			for b.Loop() {
				cgminer.Decode(tc.in)
			}
		})
	}
}

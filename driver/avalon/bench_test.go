package avalon_test

import (
	"testing"

	"github.com/hearth-fleet/hearth/driver/avalon"
)

// BenchmarkParseStats parses the A1246 blob (three boards, 360 chips), the
// largest fixture.
func BenchmarkParseStats(b *testing.B) {
	seeds := statsSeeds(b)
	blob := seeds[len(seeds)-1]
	b.SetBytes(int64(len(blob)))
	b.ReportAllocs()
	for b.Loop() {
		avalon.ParseStats(blob)
	}
}

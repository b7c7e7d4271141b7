package antminer

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// wire returns a testdata reply as bmminer sends it: compact, the stats
// version block without its comma, NUL-terminated.
func wire(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		tb.Fatal(err)
	}
	c := out.Bytes()
	if bytes.HasPrefix(c, []byte(`{"STATS":[{"BMMiner"`)) {
		c = bytes.Replace(c, []byte("},{"), []byte("}{"), 1)
	}
	return append(c, 0)
}

func benchmarkDecode(b *testing.B, name string, read func(*hearth.Reading, *cgminer.Document)) {
	raw := wire(b, name)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := cgminer.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Check(name); err != nil {
			b.Fatal(err)
		}
		var r hearth.Reading
		read(&r, d)
	}
}

// BenchmarkDecodeStats decodes the S19 Pro stats reply (Appendix A.1) and
// maps it to boards and fans.
func BenchmarkDecodeStats(b *testing.B) {
	m, _ := lookupModel("Antminer S19j Pro")
	benchmarkDecode(b, "stats.json", func(r *hearth.Reading, d *cgminer.Document) {
		st := readStats(d)
		r.Boards = boards(&st, m, true)
		r.Fans = fans(&st, false)
	})
}

// BenchmarkDecodePools decodes the S19 Pro pools reply (Appendix A.2).
func BenchmarkDecodePools(b *testing.B) {
	benchmarkDecode(b, "pools.json", func(r *hearth.Reading, d *cgminer.Document) { r.Pools = cgminer.Pools(d) })
}

// BenchmarkDecodeSummary decodes the S19 Pro summary reply.
func BenchmarkDecodeSummary(b *testing.B) {
	benchmarkDecode(b, "summary.json", readSummary)
}

// BenchmarkPoll polls a fake S19 Pro on loopback: three connections, three
// decodes, one reading. The fake server's work is included.
func BenchmarkPoll(b *testing.B) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"summary": wire(b, "summary.json"),
		"pools":   wire(b, "pools.json"),
		"stats":   wire(b, "stats.json"),
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	target := hearth.Target{Address: host, Port: p, Model: "Antminer S19j Pro"}
	d := New()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := d.Poll(ctx, target)
		if err != nil || len(r.PollErrors) > 0 {
			b.Fatal(err, r.PollErrors)
		}
	}
}

package cgminer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth/driver/cgminer"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// wire returns a testdata fixture the way a miner sends it: compact, with
// the NUL terminator, and for stats with bmminer's missing comma after the
// version block.
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
	if name == "stats.json" {
		c = bytes.Replace(c, []byte("},{"), []byte("}{"), 1)
	}
	return append(c, 0)
}

func benchmarkDecode(b *testing.B, name, section string, read func(cgminer.Object) float64) {
	raw := wire(b, name)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var sink float64
	for b.Loop() {
		d, err := cgminer.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Check(section); err != nil {
			b.Fatal(err)
		}
		for _, v := range d.Section(section).All() {
			sink += read(v.Object())
		}
	}
	_ = sink
}

// BenchmarkDecodeStats decodes the S19 Pro stats reply (Appendix A.1) and
// reads every member of the device block, as a driver's single pass does.
func BenchmarkDecodeStats(b *testing.B) {
	benchmarkDecode(b, "stats.json", "STATS", func(o cgminer.Object) float64 {
		var s float64
		for _, v := range o.All() {
			f, _ := v.Float()
			s += f
		}
		return s
	})
}

// BenchmarkDecodePools decodes the S19 Pro pools reply (Appendix A.2) and
// reads the fields a driver maps.
func BenchmarkDecodePools(b *testing.B) {
	benchmarkDecode(b, "pools.json", "POOLS", func(o cgminer.Object) float64 {
		n := len(o.String("URL")) + len(o.String("User")) + len(o.String("Status"))
		if o.Bool("Stratum Active") {
			n++
		}
		return float64(n) + float64(o.Uint("POOL")+o.Uint("Priority")+o.Uint("Accepted")+o.Uint("Rejected"))
	})
}

// BenchmarkDecodeSummary decodes the S19 Pro summary reply and reads the
// fields a driver maps.
func BenchmarkDecodeSummary(b *testing.B) {
	benchmarkDecode(b, "summary.json", "SUMMARY", func(o cgminer.Object) float64 {
		return o.Float("GHS 5s") + o.Float("GHS av") + o.Float("Elapsed") +
			float64(o.Uint("Accepted")+o.Uint("Rejected")+o.Uint("Hardware Errors"))
	})
}

// BenchmarkDecodeStatsStdlib is the yardstick: encoding/json into
// map[string]any, after the same repair.
func BenchmarkDecodeStatsStdlib(b *testing.B) {
	raw := wire(b, "stats.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(cgminer.Repair(raw), &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTCPFloor is the yardstick of the transport: a bare loopback
// exchange of the stats reply (dial, write, read to EOF, close) with the
// same fake server and no deadline, cap or decoding.
func BenchmarkTCPFloor(b *testing.B) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{"stats": wire(b, "stats.json")}))
	defer srv.Close()
	req := []byte(`{"command":"stats"}`)
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		conn, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			b.Fatal(err)
		}
		conn.Write(req)
		for n := 0; ; {
			m, err := conn.Read(buf[n:])
			n += m
			if err != nil {
				break
			}
		}
		conn.Close()
	}
}

// BenchmarkSend is Client.Send on the stats reply: the transport with its
// deadline, cap and time to first byte, without decoding.
func BenchmarkSend(b *testing.B) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{"stats": wire(b, "stats.json")}))
	defer srv.Close()
	var c cgminer.Client
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Send(ctx, srv.Addr, "stats", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommand is Client.Command on the stats reply: transport,
// decoding and status check.
func BenchmarkCommand(b *testing.B) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{"stats": wire(b, "stats.json")}))
	defer srv.Close()
	var c cgminer.Client
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Command(ctx, srv.Addr, "stats", ""); err != nil {
			b.Fatal(err)
		}
	}
}

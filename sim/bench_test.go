package sim_test

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// BenchmarkServeStats measures one CGMiner RPC round trip, client included:
// dial a miner's address, send stats, read the reply to EOF.
func BenchmarkServeStats(b *testing.B) {
	s := simtest.Start(b, sim.Config{Miners: 2000, Seed: 1, Models: []string{sim.ModelS21XPHyd}})
	miners := s.Miners()
	buf := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mi := miners[i%len(miners)]
		c, err := net.Dial("tcp", netip.AddrPortFrom(mi.Address, uint16(mi.Port)).String())
		if err != nil {
			b.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte(`{"command":"stats"}`))
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := c.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
		if len(buf) < 1000 || buf[len(buf)-1] != 0 {
			b.Fatalf("short reply %q", buf)
		}
	}
}

// BenchmarkServeAxeOSInfo measures one AxeOS /api/system/info request on a
// fresh connection, client included.
func BenchmarkServeAxeOSInfo(b *testing.B) {
	s := simtest.Start(b, sim.Config{Miners: 2000, Seed: 1, Models: []string{sim.ModelBitaxeGamma}})
	miners := s.Miners()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, body, err := httpTry(miners[i%len(miners)], "/api/system/info", nil)
		if err != nil || resp.StatusCode != 200 || len(body) < 1000 {
			b.Fatalf("%v %v", err, len(body))
		}
	}
}

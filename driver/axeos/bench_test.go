package axeos

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// BenchmarkDecodeSystemInfo measures what a sweep spends per reply once the
// bytes are in: decoding /api/system/info and mapping it to a Reading.
func BenchmarkDecodeSystemInfo(b *testing.B) {
	for _, name := range []string{"head_v2_15_0_system_info.json", "reference_v2_0_0_system_info.json"} {
		body := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				info, err := decodeSystemInfo(body)
				if err != nil {
					b.Fatal(err)
				}
				_ = info.reading("Bitaxe Gamma")
			}
		})
	}
}

// BenchmarkSweep polls a fleet of loopback miners once each per iteration,
// as the poller does once per interval, with the shipped transport (no
// keep-alive: a fresh connection per poll) and with a keep-alive transport
// holding one idle connection per miner. ns/op is per sweep of the fleet.
func BenchmarkSweep(b *testing.B) {
	const fleet = 64
	body := readFixture(b, "head_v2_15_0_system_info.json")
	targets := make([]hearth.Target, fleet)
	for i := range targets {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		}))
		b.Cleanup(srv.Close)
		host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		targets[i] = hearth.Target{Address: host, Port: p}
	}

	keepAlive := newTransport()
	keepAlive.DisableKeepAlives = false
	keepAlive.MaxIdleConns = fleet
	keepAlive.MaxIdleConnsPerHost = 1

	for _, tc := range []struct {
		name string
		rt   *http.Transport
	}{
		{"no-keepalive", newTransport()},
		{"keepalive", keepAlive},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d := &Driver{client: web.NewClient(tc.rt)}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range targets {
					if _, err := d.Poll(ctx, t); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*fleet), "ns/poll")
			tc.rt.CloseIdleConnections()
		})
	}
}

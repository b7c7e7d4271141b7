package antminer_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/antminer"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// TestPollHostileMiners points Poll at machines that answer garbage, send
// 100 MB, trickle a byte every 200 ms, or never answer. Each must end
// within the poll's deadline with the right code, reading at most the
// reply cap.
func TestPollHostileMiners(t *testing.T) {
	const deadline = 1500 * time.Millisecond
	for name, tc := range map[string]struct {
		handler cgminertest.Handler
		code    string
	}{
		"garbage":          {cgminertest.Static([]byte("\xffnot json at all{{{\x00")), hearth.EPROTOCOL},
		"100 MB":           {cgminertest.Flood(100 << 20), hearth.ETOOLARGE},
		"trickle":          {cgminertest.Trickle(200 * time.Millisecond), hearth.ETIMEOUT},
		"accepts, silent":  {cgminertest.Silent(), hearth.ETIMEOUT},
		"closes at once":   {func(net.Conn, []byte) {}, hearth.EUNAVAILABLE},
		"HTTP server":      {cgminertest.Static([]byte("HTTP/1.0 400 Bad Request\r\n\r\n")), hearth.EPROTOCOL},
		"proxy, miner off": {cgminertest.Static([]byte("Socket connect failed: Connection refused\n")), hearth.EUNAVAILABLE},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := cgminertest.NewServer(tc.handler)
			defer srv.Close()
			target := targetOf(t, srv.Addr)

			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			r, err := antminer.New().Poll(ctx, target)
			took := time.Since(start)
			runtime.ReadMemStats(&after)

			if got := hearth.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q; reading %+v", got, err, tc.code, r)
			}
			if took > deadline+time.Second {
				t.Errorf("took %v, deadline %v", took, deadline)
			}
			// Three replies of at most 1 MiB each, plus slack for
			// the test's own goroutines.
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("allocated %d MiB", grew>>20)
			}
		})
	}
}

package luxos_test

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
	"github.com/hearth-fleet/hearth/driver/luxos"
)

// TestHostileMiners points Poll, Identify and a write verb at machines
// that answer garbage, send 100 MB, trickle a byte every 200 ms, or never
// answer. Each must end within the deadline with the right code, reading
// at most the reply cap.
func TestHostileMiners(t *testing.T) {
	const deadline = 1500 * time.Millisecond
	for name, tc := range map[string]struct {
		handler cgminertest.Handler
		code    string
	}{
		"garbage":         {cgminertest.Static([]byte("\xffnot json at all{{{\x00")), hearth.EPROTOCOL},
		"100 MB":          {cgminertest.Flood(100 << 20), hearth.ETOOLARGE},
		"trickle":         {cgminertest.Trickle(200 * time.Millisecond), hearth.ETIMEOUT},
		"accepts, silent": {cgminertest.Silent(), hearth.ETIMEOUT},
		"closes at once":  {func(net.Conn, []byte) {}, hearth.EUNAVAILABLE},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := cgminertest.NewServer(tc.handler)
			defer srv.Close()
			target := targetOf(t, srv.Addr)
			for verb, run := range map[string]func(ctx context.Context) error{
				"poll":  func(ctx context.Context) error { _, err := luxos.New().Poll(ctx, target); return err },
				"pause": func(ctx context.Context) error { return luxos.New().Pause(ctx, target) },
			} {
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				err := run(ctx)
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				cancel()
				if got := hearth.ErrorCode(err); got != tc.code {
					t.Errorf("%s: code %q (%v), want %q", verb, got, err, tc.code)
				}
				if took > deadline+time.Second {
					t.Errorf("%s took %v, deadline %v", verb, took, deadline)
				}
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
					t.Errorf("%s allocated %d MiB", verb, grew>>20)
				}
			}
		})
	}
}

// TestHostileSessionIDs: a logon reply whose session id could not be
// sent back safely is refused before any write.
func TestHostileSessionIDs(t *testing.T) {
	for _, sid := range []string{"", "a,b", `a\\b`, "a|b", strings.Repeat("s", 500)} {
		reply := []byte(`{"STATUS":[{"STATUS":"S","When":1,"Code":300,"Msg":"Session"}],"SESSION":[{"SessionID":"` + sid + `"}],"id":1}`)
		target, srv := miner(t, map[string][]byte{"logon": reply})
		err := luxos.New().Reboot(context.Background(), target)
		if hearth.ErrorCode(err) != hearth.EPROTOCOL {
			t.Errorf("session id %.20q: err %v, want EPROTOCOL", sid, err)
		}
		if cmds := srv.Commands(); len(cmds) != 1 {
			t.Errorf("session id %.20q: sent %v after a bad logon", sid, cmds)
		}
	}
}

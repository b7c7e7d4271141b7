package braiins_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// A reply beyond 1 MiB is refused with ETOOLARGE, not read.
func TestHostileOversizedReply(t *testing.T) {
	bos := newFakeBOS(t)
	huge := make([]byte, 2<<20)
	huge[0], huge[1], huge[2], huge[3] = 0x32, 0xff, 0xff, 0x7f // hostname of ~2 MiB
	bos.Reply(svc+"MinerService/GetMinerStats", huge)
	err := newDriver(t).Reboot(context.Background(), bos.target(t, "")) // a healthy call first
	if err != nil {
		t.Fatal(err)
	}
	_, err = newDriver(t).SetPowerTarget(context.Background(), bos.target(t, ""), 3000)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 1 || r.HashRate != 0 {
		t.Fatalf("poll errors %q", r.PollErrors)
	}
	bos.Reply(svc+"ActionsService/Reboot", huge)
	wantCode(t, newDriver(t).Reboot(context.Background(), bos.target(t, "")), hearth.ETOOLARGE)
}

// Bytes that are not protobuf give EPROTOCOL.
func TestHostileGarbageReply(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Reply(svc+"PerformanceService/SetPowerTarget", []byte("<html>oops</html>"))
	_, err := newDriver(t).SetPowerTarget(context.Background(), bos.target(t, ""), 3000)
	wantCode(t, err, hearth.EPROTOCOL)

	for _, m := range []string{"MinerStats", "MinerDetails", "Hashboards"} {
		bos.Reply(svc+"MinerService/Get"+m, []byte{0xff, 0xff, 0xff})
	}
	bos.Reply(svc+"CoolingService/GetCoolingState", []byte{0x0a, 0x7f})
	bos.Reply(svc+"PoolService/GetPoolGroups", []byte{0x0b})
	bos.Reply(svc+"PerformanceService/GetTunerState", []byte{0x12, 0x01})
	_, err = newDriver(t).Poll(context.Background(), bos.target(t, ""))
	wantCode(t, err, hearth.EPROTOCOL)
}

// A miner that never answers gives ETIMEOUT within the deadline.
func TestHostileSlowReply(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"ActionsService/Reboot", func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	d := newDriver(t)
	d.Timeout = 300 * time.Millisecond
	start := time.Now()
	wantCode(t, d.Reboot(context.Background(), bos.target(t, "")), hearth.ETIMEOUT)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	// The caller's own deadline applies too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	d.Timeout = time.Minute
	wantCode(t, d.Reboot(ctx, bos.target(t, "")), hearth.ETIMEOUT)
}

// Something that is not a gRPC server on the API port (a web page, a
// cgminer RPC) gives a clear error, quickly.
func TestHostileNotGRPC(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
				buf := make([]byte, 4096)
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	host, port := split(t, lis.Addr().String())
	d := newDriver(t)
	d.Timeout = time.Second
	err = d.Reboot(context.Background(), hearth.Target{Address: host, APIPort: port})
	wantCode(t, err, hearth.EPROTOCOL)
}

// A port that accepts and then says nothing (no HTTP/2 preface) gives
// ETIMEOUT at the deadline.
func TestHostileSilentPort(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				c.Close()
			}()
		}
	}()
	host, port := split(t, lis.Addr().String())
	d := newDriver(t)
	d.Timeout = 300 * time.Millisecond
	start := time.Now()
	wantCode(t, d.Reboot(context.Background(), hearth.Target{Address: host, APIPort: port}), hearth.ETIMEOUT)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}

// A closed port is EUNAVAILABLE.
func TestRefused(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port := split(t, lis.Addr().String())
	lis.Close()
	wantCode(t, newDriver(t).Reboot(context.Background(), hearth.Target{Address: host, APIPort: port}), hearth.EUNAVAILABLE)
}

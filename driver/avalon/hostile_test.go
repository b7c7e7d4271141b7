package avalon_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

func TestHostileReplies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler cgminertest.Handler
		code    string
	}{
		{"garbage", cgminertest.Static([]byte("\x00\xffHTTP/1.1 400 Bad Request\r\n\r\n")), hearth.EPROTOCOL},
		{"flood", cgminertest.Flood(4 << 20), hearth.ETOOLARGE},
		{"silence", cgminertest.Silent(), hearth.ETIMEOUT},
		{"trickle", cgminertest.Trickle(50 * time.Millisecond), hearth.ETIMEOUT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cgminertest.NewServer(tc.handler)
			defer s.Close()
			d := newDriver()
			d.RPC.Timeout = 300 * time.Millisecond
			start := time.Now()
			_, err := d.Poll(context.Background(), target(t, s.Addr))
			wantCode(t, err, tc.code)
			if time.Since(start) > 3*time.Second {
				t.Errorf("poll took %v", time.Since(start))
			}
			_, err = d.Identify(context.Background(), target(t, s.Addr))
			if err == nil {
				t.Error("Identify accepted a hostile miner")
			}
		})
	}
}

func TestPollRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = newDriver().Poll(context.Background(), target(t, addr))
	wantCode(t, err, hearth.EUNAVAILABLE)
}

func TestPollInfNaNAndLeadingComma(t *testing.T) {
	// Avalons send "inf"/"nan" strings and sometimes a reply starting with
	// a comma (§1.8); the blob may hold inf too.
	replies := qReplies(t)
	replies["summary"] = bytes.Replace(fixture(t, "summary.json"), []byte(`"MHS av":44539601.86`), []byte(`"MHS av":"nan"`), 1)
	stats := fixture(t, "avalon_a_stats.json")
	stats = bytes.Replace(stats, []byte("MTmax[77 77 76]"), []byte("MTmax[inf 77 nan]"), 1)
	stats = bytes.Replace(stats, []byte("GHSmm[83923.04]"), []byte("GHSmm[inf]"), 1)
	replies["stats"] = append([]byte(","), stats[1:]...)
	m := newFakeMiner(t, replies)
	r, err := newDriver().Poll(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 0 {
		t.Errorf("PollErrors = %v", r.PollErrors)
	}
	if r.HashRateAvg != 0 || r.IdealHashRate != 0 {
		t.Errorf("avg %g ideal %g, want 0 for nan/inf", r.HashRateAvg, r.IdealHashRate)
	}
	if len(r.Boards) != 3 || r.Boards[0].ChipTemp != 77 || r.Boards[1].ChipTemp != 77 || r.Boards[2].ChipTemp != 76 {
		t.Errorf("boards = %+v; a non-finite MTmax must fall back to the chip temperatures", r.Boards)
	}
}

func TestPollCutShortStats(t *testing.T) {
	replies := qReplies(t)
	full := fixture(t, "stats.json")
	replies["stats"] = full[:len(full)/2]
	m := newFakeMiner(t, replies)
	r, err := newDriver().Poll(context.Background(), target(t, m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 1 || !hasAll(r.PollErrors[0], "stats: ") {
		t.Errorf("PollErrors = %v", r.PollErrors)
	}
	if len(r.Boards) != 0 {
		t.Errorf("boards from a cut-short reply: %+v", r.Boards)
	}
}

func TestPollsAndCommandsToOneMinerAreSerialised(t *testing.T) {
	var open, most atomic.Int32
	replies := qReplies(t)
	s := cgminertest.NewServer(func(conn net.Conn, req []byte) {
		n := open.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		// The miner is done with a request once its reply is on the way;
		// the client may connect again as soon as it has read it.
		open.Add(-1)
		cgminertest.Replies(replies)(conn, req)
	})
	defer s.Close()
	d := newDriver()
	tg := target(t, s.Addr)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := d.Poll(context.Background(), tg); err != nil {
				t.Error(err)
			}
		})
	}
	// A control command from the reconciler waits for the polls as well:
	// the rule is per miner, whoever calls.
	wg.Go(func() { _, _ = d.Identify(context.Background(), tg) })
	wg.Go(func() { _ = d.SetLocate(context.Background(), tg, true, 0) })
	wg.Go(func() { _ = d.Pause(context.Background(), tg) })
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d connections to one miner at once, want 1", most.Load())
	}
}

func TestWaitingForTheQueueHonoursContext(t *testing.T) {
	s := cgminertest.NewServer(cgminertest.Silent())
	defer s.Close()
	d := newDriver()
	d.RPC.Timeout = 2 * time.Second
	tg := target(t, s.Addr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = d.Poll(context.Background(), tg) // holds the queue for 2 s per command
	}()
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := d.SetLocate(ctx, tg, true, 0)
	wantCode(t, err, hearth.ETIMEOUT)
	if time.Since(start) > time.Second {
		t.Errorf("waited %v for the queue", time.Since(start))
	}
	s.Close()
	<-done
}

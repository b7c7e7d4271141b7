package braiins_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hearth-fleet/hearth"
)

// A poll of the real BOS 25.07 replies gives the reading a user expects.
func TestPoll(t *testing.T) {
	bos := newFakeBOS(t)
	r, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 0 {
		t.Fatalf("poll errors %q", r.PollErrors)
	}
	if !near(r.HashRate, 142400.81429465002e9) || !near(r.IdealHashRate, 142876.598290866e9) || !near(r.HashRateAvg, 138207.05294534727e9) {
		t.Errorf("hash rates %v %v %v", r.HashRate, r.IdealHashRate, r.HashRateAvg)
	}
	if r.Power != 3137 || r.PowerEstimated || r.PowerLimit != 3031 {
		t.Errorf("power %v estimated %v limit %v", r.Power, r.PowerEstimated, r.PowerLimit)
	}
	if r.Accepted != 10464 || r.Rejected != 18 || r.Uptime != 69685*time.Second || r.Paused {
		t.Errorf("accepted %d rejected %d uptime %v paused %v", r.Accepted, r.Rejected, r.Uptime, r.Paused)
	}
	if r.Latency <= 0 {
		t.Errorf("latency %v", r.Latency)
	}
	if len(r.Boards) != 3 {
		t.Fatalf("%d boards", len(r.Boards))
	}
	b := r.Boards[0]
	if b.Index != 0 || b.Chips != 110 || b.ChipTemp != 70.5 || b.BoardTemp != 55.5 || b.InletTemp != 41 || b.OutletTemp != 55.5 ||
		!near(b.HashRate, 48097.065811210654e9) || !near(b.IdealHashRate, 47980.850153652005e9) || !near(b.FrequencyMHz, 486.704545) {
		t.Errorf("board 0 %+v", b)
	}
	if r.Boards[2].Index != 2 {
		t.Errorf("board 2 index %d", r.Boards[2].Index)
	}
	if len(r.Fans) != 4 || r.Fans[0].RPM != 5904 || r.Fans[1].RPM != 5874 || r.Fans[3].Index != 3 || r.Fans[0].Percent != 100 {
		t.Errorf("fans %+v", r.Fans)
	}
	if len(r.Pools) != 2 {
		t.Fatalf("pools %+v", r.Pools)
	}
	p := r.Pools[0]
	if p.URL != "stratum+tcp://example.pool.com:3333" || p.User != "asic_rs.test" || p.Status != "alive" || !p.Active ||
		p.Priority != 0 || p.Accepted != 10460 || p.Rejected != 18 {
		t.Errorf("pool 0 %+v", p)
	}
	if r.Pools[1].Active || r.Pools[1].Priority != 1 {
		t.Errorf("pool 1 %+v", r.Pools[1])
	}
	if r.HottestChip() != 70.5 || r.Efficiency() <= 0 {
		t.Errorf("hottest %v efficiency %v", r.HottestChip(), r.Efficiency())
	}
}

// Every poll call is authenticated with the token of one login, sent as
// raw "authorization" metadata, and the content-type is plain gRPC.
func TestPollAuthenticatesOnce(t *testing.T) {
	bos := newFakeBOS(t)
	d := newDriver(t)
	for range 2 {
		if _, err := d.Poll(context.Background(), bos.target(t, "")); err != nil {
			t.Fatal(err)
		}
	}
	logins := bos.Calls(svc + "AuthenticationService/Login")
	if len(logins) != 1 {
		t.Fatalf("%d logins", len(logins))
	}
	if string(logins[0].Body) != "\x0a\x04root\x12\x04root" || logins[0].Token != "" {
		t.Errorf("login request % x, token %q", logins[0].Body, logins[0].Token)
	}
	reqs := bos.Requests()
	if len(reqs) != 13 {
		t.Errorf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.ContentType != "application/grpc" {
			t.Errorf("%s: content-type %q", r.Method, r.ContentType)
		}
		if r.Method == svc+"AuthenticationService/Login" {
			continue
		}
		if r.Token != "tok1" || len(r.Body) != 0 {
			t.Errorf("%s: token %q body % x", r.Method, r.Token, r.Body)
		}
	}
}

// A miner without GetTunerState polls cleanly, without a power limit.
func TestPollWithoutTuner(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"PerformanceService/GetTunerState", func(context.Context, []byte) ([]byte, error) {
		return nil, status.Error(codes.Unimplemented, "unknown method")
	})
	r, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 0 || r.PowerLimit != 0 || r.Power != 3137 {
		t.Errorf("poll errors %q limit %v power %v", r.PollErrors, r.PowerLimit, r.Power)
	}
}

func TestPollPaused(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Reply(svc+"MinerService/GetMinerDetails", []byte{0x60, 0x03}) // status = MINER_STATUS_PAUSED
	r, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Paused || r.Uptime != 0 {
		t.Errorf("paused %v uptime %v", r.Paused, r.Uptime)
	}
	// With nominal_hashrate in the stats, the sticker rate is not used.
	if !near(r.IdealHashRate, 142876.598290866e9) {
		t.Errorf("ideal %v", r.IdealHashRate)
	}
}

// One failed call leaves the rest of the reading and says what failed.
func TestPollPartialFailure(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"MinerService/GetHashboards", func(context.Context, []byte) ([]byte, error) {
		return nil, status.Error(codes.Unimplemented, "no hashboards here")
	})
	bos.Reply(svc+"CoolingService/GetCoolingState", []byte{0x0a, 0x05, 0x01})
	r, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 2 || !strings.Contains(r.PollErrors[0], "GetHashboards") || !strings.Contains(r.PollErrors[1], "GetCoolingState") {
		t.Errorf("poll errors %q", r.PollErrors)
	}
	if r.Boards != nil || r.Fans != nil || r.HashRate == 0 || len(r.Pools) != 2 {
		t.Errorf("reading %+v", r)
	}
}

func TestPollNothingAnswers(t *testing.T) {
	bos := newFakeBOS(t)
	target := bos.target(t, "")
	bos.srv.Stop()
	_, err := newDriver(t).Poll(context.Background(), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
}

package braiins_test

import (
	"context"
	"math"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/braiins"
)

func TestCapabilities(t *testing.T) {
	got := map[hearth.Capability]bool{}
	for _, c := range braiins.New().Capabilities() {
		got[c] = true
	}
	for _, c := range []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause,
		hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs, hearth.CapStratumV2,
	} {
		if !got[c] {
			t.Errorf("missing %s", c)
		}
	}
}

// Each verb sends exactly one call: the method and request bytes the
// braiins.bos.v1 protos define, authenticated.
func TestVerbs(t *testing.T) {
	fan40 := protowire.AppendTag(nil, 1, protowire.Fixed64Type)
	fan40 = protowire.AppendFixed64(fan40, math.Float64bits(0.4))
	pool := func(url, user, password string) []byte {
		b := protowire.AppendTag(nil, 2, protowire.BytesType)
		b = protowire.AppendString(b, url)
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendString(b, user)
		if password != "" {
			b = protowire.AppendTag(b, 4, protowire.BytesType)
			b = protowire.AppendString(b, password)
		}
		b = protowire.AppendTag(b, 5, protowire.VarintType)
		return protowire.AppendVarint(b, 1)
	}
	group := protowire.AppendTag(nil, 2, protowire.BytesType)
	group = protowire.AppendString(group, "hearth")
	group = protowire.AppendTag(group, 3, protowire.BytesType)
	group = protowire.AppendBytes(group, []byte{0x08, 0x01})
	for _, p := range [][]byte{pool("stratum+tcp://a:3333", "w.1", "x"), pool("stratum+tcp://b:3333", "w.2", "")} {
		group = protowire.AppendTag(group, 5, protowire.BytesType)
		group = protowire.AppendBytes(group, p)
	}
	pools := protowire.AppendTag(nil, 1, protowire.VarintType)
	pools = protowire.AppendVarint(pools, 2)
	pools = protowire.AppendTag(pools, 2, protowire.BytesType)
	pools = protowire.AppendBytes(pools, group)

	for _, c := range []struct {
		name   string
		do     func(d *braiins.Driver, target hearth.Target) error
		method string
		body   []byte
	}{
		{"reboot", func(d *braiins.Driver, tg hearth.Target) error { return d.Reboot(context.Background(), tg) },
			"ActionsService/Reboot", nil},
		{"restart", func(d *braiins.Driver, tg hearth.Target) error { return d.RestartMining(context.Background(), tg) },
			"ActionsService/Restart", nil},
		{"pause", func(d *braiins.Driver, tg hearth.Target) error { return d.Pause(context.Background(), tg) },
			"ActionsService/PauseMining", nil},
		{"resume", func(d *braiins.Driver, tg hearth.Target) error { return d.Resume(context.Background(), tg) },
			"ActionsService/ResumeMining", nil},
		{"locate on", func(d *braiins.Driver, tg hearth.Target) error {
			return d.SetLocate(context.Background(), tg, true, 10*time.Minute)
		}, "ActionsService/SetLocateDeviceStatus", []byte{0x08, 0x01}},
		{"locate off", func(d *braiins.Driver, tg hearth.Target) error {
			return d.SetLocate(context.Background(), tg, false, 0)
		},
			"ActionsService/SetLocateDeviceStatus", nil},
		{"fan auto", func(d *braiins.Driver, tg hearth.Target) error {
			return d.SetFanMode(context.Background(), tg, hearth.FanMode{Auto: true})
		}, "CoolingService/SetCoolingMode", []byte{0x08, 0x02, 0x12, 0x00}},
		{"fan 40%", func(d *braiins.Driver, tg hearth.Target) error {
			return d.SetFanMode(context.Background(), tg, hearth.FanMode{Percent: 40})
		}, "CoolingService/SetCoolingMode", append([]byte{0x08, 0x02, 0x1a, byte(len(fan40))}, fan40...)},
		{"pools", func(d *braiins.Driver, tg hearth.Target) error {
			return d.SetPools(context.Background(), tg, []hearth.PoolConfig{
				{URL: "stratum+tcp://a:3333", User: "w.1", Password: "x"},
				{URL: "stratum+tcp://b:3333", User: "w.2"},
			})
		}, "PoolService/SetPoolGroups", pools},
	} {
		t.Run(c.name, func(t *testing.T) {
			bos := newFakeBOS(t)
			if err := c.do(newDriver(t), bos.target(t, "")); err != nil {
				t.Fatal(err)
			}
			reqs := bos.Requests()
			if len(reqs) != 2 || reqs[0].Method != loginMethod {
				t.Fatalf("requests %+v", reqs)
			}
			r := reqs[1]
			if r.Method != svc+c.method || string(r.Body) != string(c.body) || r.Token != "tok1" {
				t.Errorf("sent %s % x (token %q), want %s % x", r.Method, r.Body, r.Token, svc+c.method, c.body)
			}
		})
	}
}

// SetPowerTarget sends SAVE_AND_FORCE_APPLY with the watts and reports
// what the miner's reply says was applied.
func TestSetPowerTarget(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"PerformanceService/SetPowerTarget", func(context.Context, []byte) ([]byte, error) {
		return []byte{0x0a, 0x03, 0x08, 0x80, 0x19}, nil // the miner clamps to 3200 W
	})
	ps, err := newDriver(t).SetPowerTarget(context.Background(), bos.target(t, ""), 3250)
	if err != nil {
		t.Fatal(err)
	}
	if ps.RequestedWatts != 3250 || ps.Watts != 3200 || ps.Mechanism != "watts" || ps.Value != "3200" {
		t.Errorf("setting %+v", ps)
	}
	r := bos.Calls(svc + "PerformanceService/SetPowerTarget")
	if len(r) != 1 || string(r[0].Body) != "\x08\x03\x12\x03\x08\xb2\x19" {
		t.Errorf("requests %+v", r)
	}
}

func TestSetPowerTargetRefused(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"PerformanceService/SetPowerTarget", func(context.Context, []byte) ([]byte, error) {
		return nil, status.Error(codes.InvalidArgument, "power target out of range 2000-3600")
	})
	_, err := newDriver(t).SetPowerTarget(context.Background(), bos.target(t, ""), 100)
	wantCode(t, err, hearth.EINVALID)

	_, err = newDriver(t).SetPowerTarget(context.Background(), bos.target(t, ""), -5)
	wantCode(t, err, hearth.EINVALID)
}

func TestSetLocateReadBackMismatch(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Reply(svc+"ActionsService/SetLocateDeviceStatus", nil) // enabled = false
	err := newDriver(t).SetLocate(context.Background(), bos.target(t, ""), true, 0)
	wantCode(t, err, hearth.EUNAVAILABLE)
}

func TestVerbsValidate(t *testing.T) {
	bos := newFakeBOS(t)
	d := newDriver(t)
	wantCode(t, d.SetPools(context.Background(), bos.target(t, ""), nil), hearth.EINVALID)
	wantCode(t, d.SetPools(context.Background(), bos.target(t, ""), []hearth.PoolConfig{{URL: "x"}}), hearth.EINVALID)
	wantCode(t, d.SetFanMode(context.Background(), bos.target(t, ""), hearth.FanMode{Percent: 101}), hearth.EINVALID)
	if n := len(bos.Requests()); n != 0 {
		t.Errorf("%d calls for invalid arguments", n)
	}
}

// A BOS version without a method says so with EUNSUPPORTED.
func TestVerbUnimplemented(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"CoolingService/SetCoolingMode", func(context.Context, []byte) ([]byte, error) {
		return nil, status.Error(codes.Unimplemented, "unknown method")
	})
	err := newDriver(t).SetFanMode(context.Background(), bos.target(t, ""), hearth.FanMode{Auto: true})
	wantCode(t, err, hearth.EUNSUPPORTED)
}

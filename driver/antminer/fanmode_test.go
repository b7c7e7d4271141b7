package antminer_test

import (
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/antminer"
)

func TestSetFanMode(t *testing.T) {
	web, target := newStockWeb(t)
	d := antminer.New()
	if err := d.SetFanMode(ctx5s(t), target, hearth.FanMode{Percent: 70}); err != nil {
		t.Fatalf("fixed speed: %v", err)
	}
	sent := web.posts["/cgi-bin/set_miner_conf.cgi"][0]
	if sent["bitmain-fan-ctrl"] != true || sent["bitmain-fan-pwm"] != "70" {
		t.Errorf("fixed speed sent fan-ctrl %v, fan-pwm %v", sent["bitmain-fan-ctrl"], sent["bitmain-fan-pwm"])
	}
	if _, ok := sent["pools"]; !ok {
		t.Error("the rest of the configuration was not sent back")
	}
	if err := d.SetFanMode(ctx5s(t), target, hearth.FanMode{Auto: true}); err != nil {
		t.Fatalf("auto: %v", err)
	}
	if sent := web.posts["/cgi-bin/set_miner_conf.cgi"][1]; sent["bitmain-fan-ctrl"] != false {
		t.Errorf("auto sent fan-ctrl %v", sent["bitmain-fan-ctrl"])
	}
	wantCode(t, d.SetFanMode(ctx5s(t), target, hearth.FanMode{Percent: 140}), hearth.EINVALID)
}

package whatsminer

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// write sends one control verb to t in the API it speaks: v2Cmd with
// v2Params as an encrypted API v2 write, or v3Cmd with v3Param as a
// signed API v3 write.
func (d *Driver) write(ctx context.Context, t hearth.Target, v2Cmd string, v2Params []param, v3Cmd string, v3Param any) error {
	v, err := d.detect(ctx, t)
	if err != nil {
		return fmt.Errorf("%s %s: %w", v2Cmd, t.Address, err)
	}
	if v.API == apiV3 {
		if err := d.v3Write(ctx, t, v3Cmd, v3Param); err != nil {
			return fmt.Errorf("%s %s: %w", v3Cmd, t.Address, err)
		}
		return nil
	}
	if _, err := d.v2Write(ctx, t, v2Cmd, v2Params...); err != nil {
		return fmt.Errorf("%s %s: %w", v2Cmd, t.Address, err)
	}
	return nil
}

// Reboot restarts the machine: API v2 reboot, API v3 set.system.reboot.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.write(ctx, t, "reboot", nil, "set.system.reboot", nil)
}

// RestartMining restarts btminer: API v2 restart_btminer, API v3
// set.miner.service "restart".
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return d.write(ctx, t, "restart_btminer", nil, "set.miner.service", "restart")
}

// Pause stops mining: API v2 power_off (answering before it powers the
// boards off, respbefore "true"), API v3 set.miner.service "stop".
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.write(ctx, t, "power_off", []param{{"respbefore", "true"}}, "set.miner.service", "stop")
}

// Resume starts mining again: API v2 power_on, API v3 set.miner.service
// "start".
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.write(ctx, t, "power_on", nil, "set.miner.service", "start")
}

// ledBlink is the red blink pyasic and asic-rs use as the fault light:
// 200 ms period, 100 ms on, from the start.
type ledBlink struct {
	Color    string `json:"color"`
	Period   int    `json:"period"`
	Duration int    `json:"duration"`
	Start    int    `json:"start"`
}

var locateBlink = ledBlink{Color: "red", Period: 200, Duration: 100, Start: 0}

// SetLocate blinks the red LED (on) or gives the LEDs back to the
// firmware ("auto", off): API v2 set_led, API v3 set.system.led. btminer
// cannot switch the light off by itself, so d is ignored.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	if !on {
		return d.write(ctx, t, "set_led", []param{{"param", "auto"}}, "set.system.led", "auto")
	}
	b := locateBlink
	return d.write(ctx, t, "set_led",
		[]param{{"color", b.Color}, {"period", b.Period}, {"duration", b.Duration}, {"start", b.Start}},
		"set.system.led", []ledBlink{b})
}

// maxPowerLimit is the largest power limit hearth sends: above any
// Whatsminer's rating (the biggest hydro models draw about 12 kW).
const maxPowerLimit = 20000

// SetPowerTarget sets btminer's power limit to watts, rounded to whole
// watts: API v2 adjust_power_limit (API ≥ 2.0.5), API v3
// set.miner.power_limit. btminer applies the limit in watts as given.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	w := math.Round(watts)
	if math.IsNaN(watts) || w < 1 || w > maxPowerLimit {
		return nil, hearth.Errorf(hearth.EINVALID, "Power target must be between 1 and %d W.", maxPowerLimit)
	}
	limit := strconv.Itoa(int(w))
	if err := d.write(ctx, t, "adjust_power_limit", []param{{"power_limit", limit}}, "set.miner.power_limit", int(w)); err != nil {
		return nil, err
	}
	return &hearth.PowerSetting{RequestedWatts: watts, Watts: w, Mechanism: "watts", Value: limit}, nil
}

// v3Pool is one pool of set.miner.pools.
type v3Pool struct {
	Pool   string `json:"pool"`
	Worker string `json:"worker"`
	Passwd string `json:"passwd"`
}

// SetPools replaces the pools (one to three, in priority order): API v2
// update_pools with pool1..3, worker1..3, passwd1..3 (unused slots empty),
// API v3 set.miner.pools with the list, encrypted.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	if len(pools) == 0 || len(pools) > 3 {
		return hearth.Errorf(hearth.EINVALID, "A Whatsminer takes one to three pools, not %d.", len(pools))
	}
	var v2 []param
	var v3 []v3Pool
	for i := range 3 {
		var p hearth.PoolConfig
		if i < len(pools) {
			p = pools[i]
			if p.URL == "" || p.User == "" {
				return hearth.Errorf(hearth.EINVALID, "Pool %d needs a URL and a user.", i+1)
			}
			v3 = append(v3, v3Pool{Pool: p.URL, Worker: p.User, Passwd: p.Password})
		}
		n := strconv.Itoa(i + 1)
		v2 = append(v2, param{"pool" + n, p.URL}, param{"worker" + n, p.User}, param{"passwd" + n, p.Password})
	}
	return d.write(ctx, t, "update_pools", v2, "set.miner.pools", v3)
}

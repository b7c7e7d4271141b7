package antminer

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearth-fleet/hearth"
)

// SetFanMode sets "bitmain-fan-ctrl" (true for a fixed speed) and
// "bitmain-fan-pwm" (the duty as a string, as the firmware's web UI sends
// it) in the miner configuration, keeping the rest. Stock firmware keeps
// a manual duty through reboots, and its own overheat protection still
// applies.
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	return d.editMinerConf(ctx, t, "fan mode", func(c minerConf) error {
		c.withFanMode(mode)
		return nil
	})
}

// withFanMode sets the fan members; the duty is left as it was when the
// fans go back to automatic control.
func (c minerConf) withFanMode(mode hearth.FanMode) {
	c["bitmain-fan-ctrl"] = json.RawMessage(fmt.Sprint(!mode.Auto))
	if !mode.Auto {
		c["bitmain-fan-pwm"] = json.RawMessage(fmt.Sprintf("%q", fmt.Sprint(mode.Percent)))
	}
}

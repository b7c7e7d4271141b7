package luxos

import (
	"context"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// SetFanMode sets the fans with fanset (a privileged command, so within a
// session): speed=-1 hands them to LuxOS's temperature control, speed=N
// fixes them at N %.
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	speed := -1
	if !mode.Auto {
		speed = mode.Percent
	}
	return d.simple(ctx, t, false, "fan mode", "fanset", "speed="+strconv.Itoa(speed))
}

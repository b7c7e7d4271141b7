package avalon

import (
	"context"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// fanMinPercent is the lowest fixed fan duty Avalon firmware takes:
// fan-spd accepts 25-100 % (AvalonMinerTools §6, third-party; the Avalon
// Q's "ascset|0,help" capture lists the fan-spd option).
const fanMinPercent = 25

// SetFanMode hands the fans to the firmware's temperature control with
// "ascset|0,fan-spd,-1", or fixes their duty with "ascset|0,fan-spd,<n>".
// A fixed duty under 25 % is refused with EINVALID rather than raised
// silently: the firmware would not run the fans that slowly.
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	value := "-1"
	if !mode.Auto {
		if mode.Percent < fanMinPercent {
			return hearth.Errorf(hearth.EINVALID, "Avalon fans run at %d-100 %% when fixed, not %d %%.", fanMinPercent, mode.Percent)
		}
		value = strconv.Itoa(mode.Percent)
	}
	return d.ascset(ctx, t, "fan-spd,"+value, false)
}

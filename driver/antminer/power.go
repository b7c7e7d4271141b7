package antminer

import (
	"context"
	"fmt"
	"math"

	"github.com/hearth-fleet/hearth"
)

// powerMode is a work mode as a power setting.
type powerMode struct {
	mode int
	name string
	// share is the approximate fraction of nameplate power drawn in the
	// mode: low-power mode runs the boards at about 60 %, sleep leaves
	// only the controller and fans idling.
	share float64
	// from is the lowest fraction of nameplate power asked for that
	// selects the mode.
	from float64
}

// powerModes are the stock firmware's work modes, highest first.
var powerModes = []powerMode{
	{mode: modeNormal, name: "normal", share: 1, from: 0.85},
	{mode: modeLowPower, name: "low-power", share: 0.6, from: 0.20},
	{mode: modeSleep, name: "sleep", share: 0.01, from: 0},
}

// chooseMode picks the work mode for watts on a miner of nameplate watts.
func chooseMode(watts, nameplate float64) powerMode {
	for _, m := range powerModes {
		if watts >= m.from*nameplate {
			return m
		}
	}
	return powerModes[len(powerModes)-1]
}

// SetPowerTarget approximates watts with one of the stock firmware's work
// modes, since it offers no power limit: at least 85 % of the model's
// nameplate power selects normal mode, at least 20 % low-power mode, less
// sleep. The mode is applied like Pause, through get_miner_conf and
// set_miner_conf with the whole configuration and "miner-mode" 0, 3 or 1.
//
// The reported PowerSetting has Mechanism "mode", Value "normal",
// "low-power" or "sleep", and Watts the nameplate power times the mode's
// approximate share (1, 0.6, 0.01) — an estimate, not a measurement.
// Models hearth has no nameplate power for give EUNSUPPORTED. The model is
// t.Model, or else the minertype of get_system_info.cgi.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	if math.IsNaN(watts) || math.IsInf(watts, 0) || watts <= 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "Power target must be a positive number of watts, not %g.", watts)
	}
	ctx, cancel := d.controlContext(ctx)
	defer cancel()
	name := modelName(t.Model)
	if name == "" {
		info, err := d.systemInfo(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("antminer power target %s: model unknown and %w", t.Address, err)
		}
		name = modelName(info.MinerType)
	}
	m, ok := lookupModel(name)
	if !ok || m.nameplateWatts <= 0 {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "antminer power target %s: hearth knows no nameplate power for model %q, so it cannot map watts to a work mode.", t.Address, name)
	}
	mode := chooseMode(watts, m.nameplateWatts)
	if err := d.setMode(ctx, t, "power target", mode.mode); err != nil {
		return nil, err
	}
	return &hearth.PowerSetting{
		RequestedWatts: watts,
		Watts:          math.Round(m.nameplateWatts * mode.share),
		Mechanism:      "mode",
		Value:          mode.name,
	}, nil
}

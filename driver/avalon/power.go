package avalon

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// workLevels describes the work levels of one model: level n is chosen for
// a power target above aboveWatts[n] (and at most aboveWatts[n+1]).
type workLevels struct {
	aboveWatts []float64
}

// level returns the work level for a target of watts.
func (w workLevels) level(watts float64) int {
	n := 0
	for i, above := range w.aboveWatts {
		if watts > above {
			n = i
		}
	}
	return n
}

// modelLevels holds the work levels hearth can source, by model key (see
// modelKey). Nano 3 and Nano 3s have three levels (Low, Medium, High);
// the watt thresholds are pyasic's set_power_limit (level 2 above 100 W,
// 1 above 80 W, else 0). Other models' levels (Avalon Q, Mini 3, A-series)
// are not published in a source hearth could check, so their power target
// is refused rather than guessed.
var modelLevels = map[string]workLevels{
	"AVALONNANO3":  {aboveWatts: []float64{0, 80, 100}},
	"AVALONNANO3S": {aboveWatts: []float64{0, 80, 100}},
}

// modelKey normalises a model name for modelLevels: upper case, without
// spaces or dashes ("Avalon Nano3s", "AvalonNano 3S" → "AVALONNANO3S").
func modelKey(model string) string {
	return strings.ToUpper(modelSeparators.Replace(model))
}

// modelSeparators drops the spaces and dashes modelKey ignores; built once.
var modelSeparators = strings.NewReplacer(" ", "", "-", "")

// SetPowerTarget sets the work level nearest watts with
// "ascset|0,worklevel,set,<n>" and reports it as PowerSetting{Mechanism:
// "work_level", Value: n}; the firmware cannot say what a level draws, so
// Watts stays 0. The model comes from t.Model or, when unknown, from the
// miner's version reply. Models whose levels hearth does not know give
// EUNSUPPORTED.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	if math.IsNaN(watts) || math.IsInf(watts, 0) || watts <= 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "Power target must be a positive number of watts, not %g.", watts)
	}
	model := t.Model
	if model == "" {
		id, err := d.Identify(ctx, t)
		if err != nil {
			return nil, err
		}
		model = id.Model
	}
	levels, ok := modelLevels[modelKey(model)]
	if !ok {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED,
			"hearth does not know the work levels of the %s, so it cannot pick one for %g W.", model, watts)
	}
	n := levels.level(watts)
	if err := d.ascset(ctx, t, "worklevel,set,"+strconv.Itoa(n), false); err != nil {
		return nil, err
	}
	return &hearth.PowerSetting{RequestedWatts: watts, Mechanism: "work_level", Value: strconv.Itoa(n)}, nil
}

package vnish

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// preset is one autotune preset (spec AutotunePresetsItem). On Antminers
// its name is the power in watts ("3495"), its pretty name a description
// ("3495 watt ~ 132 TH"); other names ("disabled") are not power targets.
type preset struct {
	Name   string `json:"name"`
	Pretty string `json:"pretty"`
	Status string `json:"status"`
}

// watts returns the preset's power, or false when its name is no number.
func (p preset) watts() (int, bool) {
	w, err := strconv.Atoi(strings.TrimSpace(p.Name))
	return w, err == nil && w > 0
}

// decodePresets parses GET /autotune/presets: an array per the spec, or
// {"presets": [...]} as pyasic reads it.
func decodePresets(b []byte) ([]preset, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var wrapped struct {
			Presets []preset `json:"presets"`
		}
		if err := decode(pathAutotunePres, b, &wrapped); err != nil {
			return nil, err
		}
		return wrapped.Presets, nil
	}
	var list []preset
	if err := decode(pathAutotunePres, b, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// choosePreset returns the preset with the highest power not above watts,
// the way pyasic and asic-rs do: a power target is a ceiling. It returns
// EINVALID naming the lowest preset when every preset is above watts, and
// EUNSUPPORTED when the miner has no power presets at all.
func choosePreset(presets []preset, watts float64) (preset, int, error) {
	var best preset
	bestW, lowW := 0, 0
	for _, p := range presets {
		w, ok := p.watts()
		if !ok {
			continue
		}
		if lowW == 0 || w < lowW {
			lowW = w
		}
		if float64(w) <= watts && w > bestW {
			best, bestW = p, w
		}
	}
	switch {
	case lowW == 0:
		return preset{}, 0, hearth.Errorf(hearth.EUNSUPPORTED, "Miner offers no power presets, so VNish cannot take a power target.")
	case bestW == 0:
		return preset{}, 0, hearth.Errorf(hearth.EINVALID, "The lowest power preset of this miner is %d W, above the %g W asked for.", lowW, watts)
	}
	return best, bestW, nil
}

// SetPowerTarget applies the highest autotune preset at or below watts:
// VNish limits power only through presets named by their wattage. It reads
// GET /autotune/presets, reads GET /settings, posts the overclock section
// back with the preset changed (POST /settings {"miner":{"overclock":…}}),
// and reads the settings again to check, since VNish answers the save the
// same way whether or not it took the preset. It reports the preset
// applied (Mechanism "profile", Value the preset name, Watts its power).
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	ep, err := endpointOf(t)
	if err != nil {
		return nil, err
	}
	if !(watts > 0) {
		return nil, hearth.Errorf(hearth.EINVALID, "A power target must be a positive number of watts.")
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	r, err := d.send(ctx, ep, http.MethodGet, pathAutotunePres, nil, true)
	if err != nil {
		return nil, wrap("power target", ep, err)
	}
	presets, err := decodePresets(r.body)
	if err != nil {
		return nil, wrap("power target", ep, err)
	}
	chosen, chosenW, err := choosePreset(presets, watts)
	if err != nil {
		return nil, wrap("power target", ep, err)
	}

	cur, err := d.readSettings(ctx, ep)
	if err != nil {
		return nil, wrap("power target", ep, err)
	}
	overclock := cur.Miner.Overclock
	if overclock == nil {
		overclock = map[string]json.RawMessage{}
	}
	name, _ := json.Marshal(chosen.Name)
	overclock["preset"] = name
	if err := d.saveSettings(ctx, ep, map[string]any{"miner": map[string]any{"overclock": overclock}}); err != nil {
		return nil, wrap("power target", ep, err)
	}

	after, err := d.readSettings(ctx, ep)
	if err != nil {
		return nil, wrap("power target", ep, err)
	}
	if got := after.preset(); got != chosen.Name {
		return nil, wrap("power target", ep, hearth.Errorf(hearth.EPROTOCOL, "Miner did not apply power preset %q (it reports %q).", chosen.Name, web.Excerpt([]byte(got))))
	}
	return &hearth.PowerSetting{RequestedWatts: watts, Watts: float64(chosenW), Mechanism: "profile", Value: chosen.Name}, nil
}

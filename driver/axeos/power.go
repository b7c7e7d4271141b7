package axeos

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// SetPowerTarget approximates a power target by the ASIC frequency, since
// AxeOS has no power limit. It reads the measured power and the configured
// frequency from /api/system/info and the frequencies the firmware offers
// from /api/system/asic (v2.9.0+), picks the offered frequency nearest to
//
//	frequency × watts / power
//
// and applies it with PATCH /api/system {"frequency": f}, which AxeOS
// answers with HTTP 200 and an empty body.
//
// The approximation is that power is proportional to frequency at a fixed
// core voltage. It ignores the ESP32's, the fan's and the regulator's share
// of the measured power, so the estimate runs a little high on big cuts;
// the reported PowerSetting.Watts is that estimate, not a measurement.
// Without /api/system/asic (firmware before v2.9.0) the frequency is
// rounded to whole MHz and kept between a quarter of the current frequency
// and the current frequency: hearth never raises the clock of a device
// whose safe range it cannot see.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	if math.IsNaN(watts) || math.IsInf(watts, 0) || watts <= 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "Power target must be a positive number of watts, not %g.", watts)
	}
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	info, _, err := d.systemInfo(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("axeos power target %s: %w", hostport, err)
	}
	power, freq := info.Power.positive(), info.Frequency.positive()
	if power == 0 || freq == 0 {
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "axeos power target %s: the miner reports no power or frequency to scale from (power %g W, frequency %g MHz).", hostport, power, freq)
	}
	options, err := d.frequencyOptions(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("axeos power target %s: %w", hostport, err)
	}

	f := chooseFrequency(freq*watts/power, freq, options)
	if f <= 0 {
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "axeos power target %s: no usable frequency for %g W.", hostport, watts)
	}
	body := []byte(`{"frequency":` + strconv.Itoa(f) + `}`)
	if _, err := d.send(ctx, t, http.MethodPatch, pathSettings, body, "power target", ""); err != nil {
		return nil, err
	}
	return &hearth.PowerSetting{
		RequestedWatts: watts,
		Watts:          math.Round(power*float64(f)/freq*10) / 10,
		Mechanism:      "frequency",
		Value:          strconv.Itoa(f),
	}, nil
}

// frequencyOptions returns the frequencies (MHz) /api/system/asic offers, or
// none when the firmware predates that endpoint (404 and its kin).
func (d *Driver) frequencyOptions(ctx context.Context, base string) ([]float64, error) {
	rep, err := d.get(ctx, base, pathSystemASIC)
	if err != nil {
		if hearth.ErrorCode(controlError(err, http.MethodGet, pathSystemASIC, "")) == hearth.EUNSUPPORTED {
			return nil, nil
		}
		return nil, err
	}
	defer rep.release()
	return parseFrequencyOptions(rep.body())
}

// parseFrequencyOptions reads frequencyOptions from an /api/system/asic
// reply, keeping only positive, finite values.
func parseFrequencyOptions(body []byte) ([]float64, error) {
	var asic struct {
		FrequencyOptions []flexFloat `json:"frequencyOptions"`
	}
	if err := json.Unmarshal(body, &asic); err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s has no usable frequencyOptions: %q.", pathSystemASIC, web.Excerpt(body))
	}
	var out []float64
	for _, f := range asic.FrequencyOptions {
		if v := f.positive(); v > 0 && v < 1e6 {
			out = append(out, v)
		}
	}
	return out, nil
}

// chooseFrequency picks the offered frequency nearest to want (the lower on
// a tie). With no options it rounds want to whole MHz within [current/4,
// current].
func chooseFrequency(want, current float64, options []float64) int {
	if len(options) == 0 {
		return int(math.Round(min(max(want, current/4), current)))
	}
	best := options[0]
	for _, o := range options[1:] {
		if d, bd := math.Abs(o-want), math.Abs(best-want); d < bd || d == bd && o < best {
			best = o
		}
	}
	return int(math.Round(best))
}

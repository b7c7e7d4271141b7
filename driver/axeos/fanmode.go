package axeos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// fanSettings is the PATCH /api/system body that sets the fan: autofanspeed
// 1 lets the firmware follow its temperature target; 0 with fanspeed holds a
// fixed duty in percent.
type fanSettings struct {
	AutoFanSpeed int  `json:"autofanspeed"`
	FanSpeed     *int `json:"fanspeed,omitempty"`
}

// SetFanMode puts the fan under AxeOS's automatic control or at a fixed
// speed, with one PATCH /api/system (every release has both settings).
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	s := fanSettings{AutoFanSpeed: 1}
	if !mode.Auto {
		s.AutoFanSpeed = 0
		s.FanSpeed = &mode.Percent
	}
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("axeos fan mode: %w", err)
	}
	_, err = d.send(ctx, t, http.MethodPatch, pathSettings, body, "fan mode", "")
	return err
}

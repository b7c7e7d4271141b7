package driver

import (
	"context"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Unsupported implements every control verb as EUNSUPPORTED. A driver
// embeds it and overrides the verbs its firmware has, so that a verb it
// lacks is refused with a clear error rather than silently ignored.
type Unsupported struct {
	// Family names the family in the errors.
	Family hearth.Family
}

// Reboot is unsupported.
func (u Unsupported) Reboot(context.Context, hearth.Target) error {
	return hearth.Unsupported(u.Family, hearth.CapReboot)
}

// RestartMining is unsupported.
func (u Unsupported) RestartMining(context.Context, hearth.Target) error {
	return hearth.Unsupported(u.Family, hearth.CapRestart)
}

// SetLocate is unsupported.
func (u Unsupported) SetLocate(context.Context, hearth.Target, bool, time.Duration) error {
	return hearth.Unsupported(u.Family, hearth.CapLocate)
}

// Pause is unsupported.
func (u Unsupported) Pause(context.Context, hearth.Target) error {
	return hearth.Unsupported(u.Family, hearth.CapPause)
}

// Resume is unsupported.
func (u Unsupported) Resume(context.Context, hearth.Target) error {
	return hearth.Unsupported(u.Family, hearth.CapPause)
}

// SetPowerTarget is unsupported.
func (u Unsupported) SetPowerTarget(context.Context, hearth.Target, float64) (*hearth.PowerSetting, error) {
	return nil, hearth.Unsupported(u.Family, hearth.CapPowerTarget)
}

// SetFanMode is unsupported.
func (u Unsupported) SetFanMode(context.Context, hearth.Target, hearth.FanMode) error {
	return hearth.Unsupported(u.Family, hearth.CapFanMode)
}

// SetPools is unsupported.
func (u Unsupported) SetPools(context.Context, hearth.Target, []hearth.PoolConfig) error {
	return hearth.Unsupported(u.Family, hearth.CapSetPools)
}

// FetchLogs is unsupported.
func (u Unsupported) FetchLogs(context.Context, hearth.Target) (*hearth.MinerLog, error) {
	return nil, hearth.Unsupported(u.Family, hearth.CapLogs)
}

package hearth

import (
	"context"
	"time"
)

// Control capabilities: the uniform verbs a driver may support. A driver
// lists the ones it implements in Capabilities; the others answer
// EUNSUPPORTED, never a silent no-op.
const (
	// CapReboot: reboot the whole machine.
	CapReboot Capability = "reboot"
	// CapRestart: restart the mining process only.
	CapRestart Capability = "restart"
	// CapLocate: switch the fault light (or display) on and off.
	CapLocate Capability = "locate"
	// CapPause: pause (sleep) and resume mining.
	CapPause Capability = "pause"
	// CapPowerTarget: set a power target in watts.
	CapPowerTarget Capability = "power_target"
	// CapSetPools: replace the configured pools.
	CapSetPools Capability = "set_pools"
	// CapFanMode: fans under the firmware's automatic control, or at a
	// fixed speed.
	CapFanMode Capability = "fan_mode"
	// CapLogs: the firmware's own log can be fetched, for diagnosis
	// without logging in to the miner.
	CapLogs Capability = "logs"
)

// FanMode is how a miner's fans are driven: by the firmware's temperature
// control (Auto), or at a fixed duty of Percent (0-100).
type FanMode struct {
	Auto    bool `json:"auto"`
	Percent int  `json:"percent,omitempty"`
}

// Validate reports an EINVALID error for a fixed speed outside 0-100.
func (f FanMode) Validate() error {
	if !f.Auto && (f.Percent < 0 || f.Percent > 100) {
		return Errorf(EINVALID, "Fan speed must be between 0 and 100 %%, not %d.", f.Percent)
	}
	return nil
}

// Credentials authenticate hearth to a miner's management interface. A
// zero value means the family's documented default.
type Credentials struct {
	User     string
	Password string
}

// PoolConfig is one pool to configure on a miner, in priority order.
type PoolConfig struct {
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
}

// PowerSetting says what a power target became on a miner: firmwares
// offer watts, presets, work levels or frequencies, so the applied value
// may differ from the one asked for.
type PowerSetting struct {
	// RequestedWatts is what was asked for.
	RequestedWatts float64 `json:"requested_w"`
	// Watts is the nearest the firmware could do, or 0 when it cannot say
	// in watts.
	Watts float64 `json:"applied_w,omitempty"`
	// Mechanism names what was changed: "watts", "mode", "frequency",
	// "profile" or "work_level".
	Mechanism string `json:"mechanism"`
	// Value is the setting that was applied, as the firmware names it
	// (a mode, a frequency in MHz, a profile name).
	Value string `json:"value"`
}

// Controller is the uniform set of control verbs. Every driver implements
// it; a verb its firmware lacks returns an EUNSUPPORTED error naming the
// verb and the family.
type Controller interface {
	// Reboot restarts the whole machine.
	Reboot(ctx context.Context, t Target) error
	// RestartMining restarts the mining process without a reboot.
	RestartMining(ctx context.Context, t Target) error
	// SetLocate switches the fault light on or off. A duration above zero
	// asks the firmware to switch it off by itself afterwards where it can.
	SetLocate(ctx context.Context, t Target, on bool, d time.Duration) error
	// Pause stops mining (sleep, or the lowest power the firmware has);
	// Resume starts it again.
	Pause(ctx context.Context, t Target) error
	Resume(ctx context.Context, t Target) error
	// SetPowerTarget applies the family's nearest mechanism to watts and
	// reports what was applied.
	SetPowerTarget(ctx context.Context, t Target, watts float64) (*PowerSetting, error)
	// SetPools replaces the miner's pools (at most 3) in priority order.
	SetPools(ctx context.Context, t Target, pools []PoolConfig) error
	// SetFanMode puts the fans under automatic control or at a fixed
	// speed.
	SetFanMode(ctx context.Context, t Target, mode FanMode) error
	// FetchLogs returns the firmware's log as the miner serves it, cut at
	// MaxLogSize. It changes nothing on the miner.
	FetchLogs(ctx context.Context, t Target) (*MinerLog, error)
}

// MaxLogSize caps what FetchLogs reads from a miner, so that a miner with
// a runaway log (or a hostile one) cannot exhaust hearth. Firmware logs
// are RAM-backed and far smaller on real hardware.
const MaxLogSize = 4 << 20

// MinerLog is a miner's own log, fetched on demand for diagnosis.
type MinerLog struct {
	// Source says where on the miner the log came from (a CGI script, an
	// API path or command), so a user can fetch it again by hand.
	Source string `json:"source"`
	// Text is the log as the firmware wrote it, oldest line first.
	Text string `json:"text"`
	// Truncated is true when the log was longer than MaxLogSize and only
	// its first MaxLogSize bytes are in Text.
	Truncated bool `json:"truncated,omitempty"`
	// FetchedAt is when hearth read the log.
	FetchedAt time.Time `json:"fetched_at"`
}

// Unsupported returns the EUNSUPPORTED error for verb on family, so that
// every driver words it the same way.
func Unsupported(family Family, verb Capability) error {
	return Errorf(EUNSUPPORTED, "%s miners do not support %s.", family, verb)
}

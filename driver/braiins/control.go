package braiins

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Reboot reboots the whole machine (ActionsService/Reboot).
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.action(ctx, t, "reboot", methodReboot, nil)
}

// RestartMining restarts bosminer, the mining process
// (ActionsService/Restart).
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return d.action(ctx, t, "restart", methodRestart, nil)
}

// Pause pauses mining (ActionsService/PauseMining): the hash boards stop,
// the API stays up. Pausing a paused miner succeeds.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.action(ctx, t, "pause", methodPause, nil)
}

// Resume resumes paused mining (ActionsService/ResumeMining).
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.action(ctx, t, "resume", methodResume, nil)
}

// SetLocate switches the locate (fault light) blinking with
// ActionsService/SetLocateDeviceStatus{enable}, and fails with
// EUNAVAILABLE when the reply's enabled differs from what was asked.
//
// BOS has no timer for it: a light switched on blinks until switched
// off. A duration above zero is therefore not honoured by the miner; the
// caller (the reconciler) switches the light off itself when d has
// passed, as for the other families.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	raw, _, err := d.call(ctx, t, methodSetLocate, locateRequest(on))
	if err != nil {
		return fmt.Errorf("braiins locate %s: %w", t.Address, err)
	}
	enabled, err := decodeFlag(raw)
	if err != nil {
		return fmt.Errorf("braiins locate %s: %w", t.Address, decodeError(apiAddr(t), methodSetLocate, err))
	}
	if enabled != on {
		return hearth.Errorf(hearth.EUNAVAILABLE, "braiins locate %s: the miner accepted the request but reports locate %v.", t.Address, enabled)
	}
	return nil
}

// SetPowerTarget sets the autotuner's power target in watts
// (PerformanceService/SetPowerTarget, SAVE_AND_FORCE_APPLY) and reports
// the target the reply carries, which BOS may have clamped to what the
// model allows. A target BOS refuses outright fails with EINVALID.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	if !(watts >= 1) || watts > math.MaxUint32 {
		return nil, hearth.Errorf(hearth.EINVALID, "A power target must be a positive number of watts, not %v.", watts)
	}
	raw, _, err := d.call(ctx, t, methodSetPowerTarget, powerTargetRequest(uint64(math.Round(watts))))
	if err != nil {
		return nil, fmt.Errorf("braiins power target %s: %w", t.Address, err)
	}
	applied, ok, err := decodePowerTarget(raw)
	if err != nil {
		return nil, fmt.Errorf("braiins power target %s: %w", t.Address, decodeError(apiAddr(t), methodSetPowerTarget, err))
	}
	if !ok {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "braiins power target %s: the reply carries no power target.", t.Address)
	}
	return &hearth.PowerSetting{
		RequestedWatts: watts,
		Watts:          applied,
		Mechanism:      "watts",
		Value:          strconv.FormatFloat(applied, 'f', -1, 64),
	}, nil
}

// SetPools replaces every pool group with one group, "hearth", holding
// pools in priority order (PoolService/SetPoolGroups, SAVE_AND_APPLY,
// which restarts mining on the new pools). Stratum V2 pools
// (stratum2+tcp://host:port/AUTHORITY_PUBKEY) go through unchanged:
// bosminer speaks V2 itself and checks the URL, answering a malformed one
// with InvalidArgument, which becomes EINVALID.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	if len(pools) == 0 || len(pools) > 3 {
		return hearth.Errorf(hearth.EINVALID, "set-pools needs one to three pools.")
	}
	for i, p := range pools {
		if p.URL == "" || p.User == "" {
			return hearth.Errorf(hearth.EINVALID, "Pool %d needs a URL and a user.", i+1)
		}
	}
	if _, _, err := d.call(ctx, t, methodSetPoolGroups, poolGroupsRequest(pools)); err != nil {
		return fmt.Errorf("braiins set pools %s: %w", t.Address, err)
	}
	return nil
}

// SetFanMode puts the fans under BOS's automatic temperature control
// (CoolingService/SetCoolingMode with auto, the firmware's own target
// temperatures) or at a fixed speed (manual with fan_speed_ratio =
// percent/100), SAVE_AND_APPLY.
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	if _, _, err := d.call(ctx, t, methodSetCoolingMode, coolingModeRequest(mode)); err != nil {
		return fmt.Errorf("braiins fan mode %s: %w", t.Address, err)
	}
	return nil
}

// action makes a call whose reply only says whether the state changed
// (already_paused, already_running, …); any well-formed reply is
// success.
func (d *Driver) action(ctx context.Context, t hearth.Target, verb, method string, req []byte) error {
	raw, _, err := d.call(ctx, t, method, req)
	if err != nil {
		return fmt.Errorf("braiins %s %s: %w", verb, t.Address, err)
	}
	if _, err := decodeFlag(raw); err != nil {
		return fmt.Errorf("braiins %s %s: %w", verb, t.Address, decodeError(apiAddr(t), method, err))
	}
	return nil
}

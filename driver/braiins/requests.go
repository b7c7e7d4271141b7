package braiins

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// The requests the driver sends, encoded by hand (field numbers from the
// braiins.bos.v1 .proto files). Requests without fields (GetMinerStats,
// Reboot, PauseMining, …) are the empty message: no bytes.

// SaveAction values (common.proto).
const (
	saveAndApply      = 2 // SAVE_ACTION_SAVE_AND_APPLY
	saveAndForceApply = 3 // SAVE_ACTION_SAVE_AND_FORCE_APPLY
)

// poolGroupName names the one pool group SetPools writes.
const poolGroupName = "hearth"

// loginRequest encodes LoginRequest{username = 1, password = 2}.
func loginRequest(user, password string) []byte {
	b := appendString(nil, 1, user)
	return appendString(b, 2, password)
}

// locateRequest encodes SetLocateDeviceStatusRequest{enable = 1}.
func locateRequest(on bool) []byte {
	return appendBool(nil, 1, on)
}

// powerTargetRequest encodes SetPowerTargetRequest{save_action = 1
// (SAVE_AND_FORCE_APPLY, as pyasic does, so the tuner applies it at
// once), power_target = 2 (Power{watt = 1})}.
func powerTargetRequest(watts uint64) []byte {
	b := appendUint(nil, 1, saveAndForceApply)
	return appendMessage(b, 2, appendUint(nil, 1, watts))
}

// poolGroupsRequest encodes SetPoolGroupsRequest{save_action = 1
// (SAVE_AND_APPLY), pool_groups = 2}: one PoolGroupConfiguration{name =
// 2 "hearth", quota = 3 (Quota{value = 1 = 1}), pools = 5}, each
// PoolConfiguration{url = 2, user = 3, password = 4 (only when set),
// enabled = 5 (true, explicitly present)}. Within a group BOS fails over
// in list order, which is hearth's priority order.
func poolGroupsRequest(pools []hearth.PoolConfig) []byte {
	group := appendString(nil, 2, poolGroupName)
	group = appendMessage(group, 3, appendUint(nil, 1, 1))
	for _, p := range pools {
		pc := appendString(nil, 2, p.URL)
		pc = appendString(pc, 3, p.User)
		pc = appendString(pc, 4, p.Password)
		pc = appendPresentBool(pc, 5, true)
		group = appendMessage(group, 5, pc)
	}
	b := appendUint(nil, 1, saveAndApply)
	return appendMessage(b, 2, group)
}

// coolingModeRequest encodes SetCoolingModeRequest{save_action = 1
// (SAVE_AND_APPLY), oneof mode: auto = 2 (CoolingAutoMode{}, the
// firmware's own temperature settings) | manual = 3 (CoolingManualMode
// {fan_speed_ratio = 1, percent/100})}.
func coolingModeRequest(mode hearth.FanMode) []byte {
	b := appendUint(nil, 1, saveAndApply)
	if mode.Auto {
		return appendMessage(b, 2, nil)
	}
	ratio := math.Round(float64(mode.Percent)) / 100
	return appendMessage(b, 3, appendDouble(nil, 1, ratio))
}

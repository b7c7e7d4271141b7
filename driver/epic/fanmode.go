package epic

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/hearth-fleet/hearth"
)

// Automatic fan control needs a target temperature and an idle speed,
// both required by UMC. hearth keeps the miner's current ones and falls
// back to these, the spec's example target and asic-rs's default idle.
const (
	defaultTargetTemp = 60
	defaultIdleSpeed  = 20
)

// autoFan is the "Auto" variant of UMC's fan mode.
type autoFan struct {
	TargetTemp int `json:"Target Temperature"`
	IdleSpeed  int `json:"Idle Speed"`
}

// SetFanMode drives the fans with POST /fanspeed: {"Manual":percent} for a
// fixed speed, or {"Auto":{"Target Temperature":t,"Idle Speed":i}} for
// automatic control, where t and i are the miner's current automatic
// settings read from /summary (Fans."Fan Mode".Auto), or 60 °C and 20 %
// when it has none.
func (d *Driver) SetFanMode(ctx context.Context, t hearth.Target, mode hearth.FanMode) error {
	if err := mode.Validate(); err != nil {
		return err
	}
	if !mode.Auto {
		return d.post(ctx, t, "fan-mode", pathFanSpeed, map[string]int{"Manual": mode.Percent})
	}
	auto := autoFan{TargetTemp: defaultTargetTemp, IdleSpeed: defaultIdleSpeed}
	if cur, ok := d.currentAutoFan(ctx, t); ok {
		auto = cur
	}
	return d.post(ctx, t, "fan-mode", pathFanSpeed, map[string]autoFan{"Auto": auto})
}

// currentAutoFan reads the automatic fan settings the miner has now; ok is
// false when it runs manual fans or the read fails.
func (d *Driver) currentAutoFan(ctx context.Context, t hearth.Target) (autoFan, bool) {
	base, _, err := baseURL(t)
	if err != nil {
		return autoFan{}, false
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	body, _, err := d.exchange(ctx, base, pathSummary, nil)
	if err != nil {
		return autoFan{}, false
	}
	s, err := decodeSummary(body)
	if err != nil {
		return autoFan{}, false
	}
	return s.autoFan()
}

// autoFan returns Fans."Fan Mode".Auto when present with plausible
// values.
func (s *summary) autoFan() (autoFan, bool) {
	var mode struct {
		Auto *autoFan `json:"Auto"`
	}
	if json.Unmarshal(bytes.TrimSpace(s.Fans.FanMode), &mode) != nil || mode.Auto == nil {
		return autoFan{}, false
	}
	a := *mode.Auto
	if a.TargetTemp <= 0 || a.TargetTemp > 120 || a.IdleSpeed < 0 || a.IdleSpeed > 100 {
		return autoFan{}, false
	}
	return a, true
}

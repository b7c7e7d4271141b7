package epic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// The paths of the control verbs (UMC API spec 1.30.0, tag v1-POST).
const (
	pathReboot     = "/reboot"     // param: delay in seconds (u64)
	pathSoftReboot = "/softreboot" // param: null
	pathIdentify   = "/identify"   // param: bool
	pathMiner      = "/miner"      // param: "Stop" | "Autostart"
	pathCoin       = "/coin"       // param: {coin, stratum_configs, unique_id}
	pathFanSpeed   = "/fanspeed"   // param: {"Auto":{…}} | {"Manual":n}
)

// Reboot restarts the whole machine at once with POST /reboot and the
// delay 0 ("Provide 0 to reboot instantly").
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "reboot", pathReboot, 0)
}

// RestartMining restarts the mining program without a power cycle with
// POST /softreboot (param null), pyasic's restart_epic.
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "restart", pathSoftReboot, nil)
}

// SetLocate switches the locate LED with POST /identify true or false. UMC
// has no timer for it, so a duration is not honoured: the light stays on
// until locate-off (Reading shows nothing of it; /summary's
// Misc."Locate Miner State" does).
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	return d.post(ctx, t, "locate", pathIdentify, on)
}

// Pause stops the mining program with POST /miner "Stop"; the miner then
// reports the operating state "Idling".
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "pause", pathMiner, "Stop")
}

// Resume starts the mining program again with POST /miner "Autostart".
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "resume", pathMiner, "Autostart")
}

// SetPowerTarget is unsupported. UMC tunes toward a hash rate, not a power
// draw: /perpetualtune/algo takes a target in TH/s for the VoltageOptimizer,
// ChipTune and BoardTune algorithms its /capabilities lists. The spec's
// enum also names a "Power" algorithm, but no source documents its unit or
// which machines offer it (asic-rs sends it as "PowerTune" and declares no
// power limit; pyasic has none for ePIC), so hearth does not guess a watts
// mapping that could overload a circuit.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	return nil, hearth.Errorf(hearth.EUNSUPPORTED,
		"%s miners do not support %s: UMC tunes toward a hash rate in TH/s (/perpetualtune/algo), and no documented mapping to watts exists.",
		hearth.FamilyEPIC, hearth.CapPowerTarget)
}

// request is the body of every UMC write.
type request struct {
	Param    any    `json:"param"`
	Password string `json:"password"`
}

// response is UMC's answer to a write. Error is null, a string naming an
// ApiError variant ("BadPassword", "MissingParam" …) or an object for the
// variants that carry a detail ({"InvalidPoolAddr":"…"}).
type response struct {
	Result *bool           `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// post sends {"param":param,"password":…} to path on t and checks UMC's
// {"result":…} answer. verb names the operation in errors. The password is
// never part of an error.
func (d *Driver) post(ctx context.Context, t hearth.Target, verb, path string, param any) error {
	base, hostport, err := baseURL(t)
	if err != nil {
		return err
	}
	body, err := json.Marshal(request{Param: param, Password: password(t)})
	if err != nil {
		return hearth.WrapError(hearth.EINTERNAL, err, "Cannot encode the %s request.", verb)
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	reply, _, err := d.exchange(ctx, base, path, body)
	if err == nil {
		err = checkResponse(path, reply)
	}
	if err != nil {
		return fmt.Errorf("epic %s %s: %w", verb, hostport, controlError(err, path))
	}
	return nil
}

// checkResponse decodes a write's answer: {"result":true} is success,
// {"result":false,"error":…} a refusal mapped to a hearth code, anything
// else EPROTOCOL.
func checkResponse(path string, b []byte) error {
	var r response
	if err := json.Unmarshal(bytes.TrimSpace(b), &r); err != nil || r.Result == nil {
		return hearth.WrapError(hearth.EPROTOCOL, err, "Miner's answer to POST %s is not a UMC result: %q.", path, web.Excerpt(b))
	}
	if *r.Result {
		return nil
	}
	reason := lastError(r.Error)
	if reason == "" {
		reason = "no reason given"
	}
	var name string
	if json.Unmarshal(r.Error, &name) != nil {
		var variant map[string]json.RawMessage
		if json.Unmarshal(r.Error, &variant) == nil {
			for k := range variant {
				name = k
			}
		}
	}
	switch name {
	case "BadPassword":
		return hearth.Errorf(hearth.EAUTH, "Miner rejected the password for POST %s (BadPassword): set the epic credential.", path)
	case "MissingParam", "InvalidPoolConfig", "InvalidPoolAddr", "InvalidUrl", "InvalidBoardId", "UniqueIdParseError":
		return hearth.Errorf(hearth.EINVALID, "Miner rejected the values sent to POST %s: %s.", path, reason)
	default:
		return hearth.Errorf(hearth.EUNAVAILABLE, "Miner refused POST %s: %s.", path, reason)
	}
}

// controlError refines a failed write: a 404 or 405 means the firmware has
// no such endpoint (EUNSUPPORTED), a 401 or 403 that it refused the
// password (EAUTH).
func controlError(err error, path string) error {
	var status *statusError
	if !errors.As(err, &status) {
		return err
	}
	switch status.code {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner has no POST %s (answered %s): its UMC release lacks it.", path, status)
	case http.StatusUnauthorized, http.StatusForbidden:
		return hearth.WrapError(hearth.EAUTH, err, "Miner refused POST %s with %s: check the epic credential.", path, status)
	}
	return err
}

package vnish

import (
	"context"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
)

// The control endpoints (OpenAPI spec xminer-api v1.2.6–v1.3.4). All need
// the bearer token.
const (
	pathReboot       = apiPrefix + "/system/reboot"
	pathRestart      = apiPrefix + "/mining/restart"
	pathPause        = apiPrefix + "/mining/pause"
	pathResume       = apiPrefix + "/mining/resume"
	pathStop         = apiPrefix + "/mining/stop"
	pathStart        = apiPrefix + "/mining/start"
	pathFindMiner    = apiPrefix + "/find-miner"
	pathStatus       = apiPrefix + "/status"
	pathSettings     = apiPrefix + "/settings"
	pathAutotunePres = apiPrefix + "/autotune/presets"
)

// Reboot restarts the whole machine with POST /system/reboot; VNish
// answers {"after": 3}, the seconds before it goes down.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "reboot", pathReboot)
}

// RestartMining restarts the miner process with POST /mining/restart.
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return d.post(ctx, t, "restart", pathRestart)
}

// Pause stops hashing with POST /mining/pause. A release without it (HTTP
// 404 or 405) gets POST /mining/stop, which asic-rs uses, instead.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.postOr(ctx, t, "pause", pathPause, pathStop)
}

// Resume starts hashing again with POST /mining/resume, or /mining/start on
// a release without it.
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.postOr(ctx, t, "resume", pathResume, pathStart)
}

// post sends a bodiless authorised POST to path.
func (d *Driver) post(ctx context.Context, t hearth.Target, verb, path string) error {
	ep, err := endpointOf(t)
	if err != nil {
		return err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	if _, err := d.send(ctx, ep, http.MethodPost, path, nil, true); err != nil {
		return wrap(verb, ep, err)
	}
	return nil
}

// postOr posts to path, and to fallback when the miner has no path.
func (d *Driver) postOr(ctx context.Context, t hearth.Target, verb, path, fallback string) error {
	err := d.post(ctx, t, verb, path)
	if hearth.ErrorCode(err) == hearth.EUNSUPPORTED {
		return d.post(ctx, t, verb, fallback)
	}
	return err
}

// findMinerState is the reply of POST /find-miner ({"on": bool}, or null
// on some releases) and the find_miner flag of GET /status.
type findMinerState struct {
	On        *bool `json:"on"`
	FindMiner *bool `json:"find_miner"`
}

// decodeFindMiner parses a /find-miner or /status body; a null body gives
// an empty state.
func decodeFindMiner(path string, b []byte) (*findMinerState, error) {
	var s *findMinerState
	if err := decode(path, b, &s); err != nil {
		return nil, err
	}
	if s == nil {
		s = &findMinerState{}
	}
	return s, nil
}

// SetLocate switches the locate light (the fault LED blinking) on or off.
// VNish's POST /find-miner toggles it and answers the new state {"on": b};
// when that is not the state asked for, the driver toggles once more, the
// way pyasic does. A reply without the state is checked against GET
// /status's find_miner. VNish cannot switch the light off by itself, so d
// is ignored: the light stays until switched off.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	ep, err := endpointOf(t)
	if err != nil {
		return err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	for attempt := 0; attempt < 2; attempt++ {
		r, err := d.send(ctx, ep, http.MethodPost, pathFindMiner, nil, true)
		if err != nil {
			return wrap("locate", ep, err)
		}
		st, err := decodeFindMiner(pathFindMiner, r.body)
		if err != nil {
			return wrap("locate", ep, err)
		}
		state := st.On
		if state == nil {
			sr, err := d.send(ctx, ep, http.MethodGet, pathStatus, nil, false)
			if err != nil {
				return wrap("locate", ep, err)
			}
			if st, err = decodeFindMiner(pathStatus, sr.body); err != nil {
				return wrap("locate", ep, err)
			}
			if state = st.FindMiner; state == nil {
				return wrap("locate", ep, hearth.Errorf(hearth.EPROTOCOL, "Miner does not say whether its locate light is on (%s has no find_miner).", pathStatus))
			}
		}
		if *state == on {
			return nil
		}
	}
	return wrap("locate", ep, hearth.Errorf(hearth.EPROTOCOL, "Miner's locate light did not switch %s after two toggles.", onOff(on)))
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

package axeos

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// The API paths the control verbs use (see ESP-Miner's
// main/http_server/http_server.c route table).
const (
	pathRestart  = "/api/system/restart"  // POST, every release
	pathIdentify = "/api/system/identify" // POST, v2.12.0+
	pathPause    = "/api/system/pause"    // POST, v2.14.0+
	pathResume   = "/api/system/resume"   // POST, v2.14.0+
	pathSettings = "/api/system"          // PATCH, every release
)

// Reboot restarts the device with POST /api/system/restart. Firmware up to
// v2.12 answers the plain text "System will restart shortly.", v2.13.0 and
// later the same sentence as {"message": …}; any 200 answer is success,
// since the ESP32 restarts about a second after replying.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	_, err := d.post(ctx, t, pathRestart, "reboot", "")
	return err
}

// RestartMining is unsupported: AxeOS has no mining process apart from the
// firmware itself, so the only restart it offers is the reboot of the whole
// device, which Reboot already sends. Answering RestartMining with a reboot
// would do more than asked, so it is refused with EUNSUPPORTED.
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return hearth.Errorf(hearth.EUNSUPPORTED, "%s miners do not support %s: AxeOS can only reboot the whole device (use reboot).", hearth.FamilyAxeOS, hearth.CapRestart)
}

// Pause stops hashing with POST /api/system/pause (AxeOS v2.14.0 and later;
// the reply is {"message":"Mining paused"}). Older firmware has no such
// endpoint and gets EUNSUPPORTED.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	_, err := d.post(ctx, t, pathPause, "pause", "v2.14.0")
	return err
}

// Resume starts hashing again with POST /api/system/resume (v2.14.0+;
// reply {"message":"Mining resumed"}).
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	_, err := d.post(ctx, t, pathResume, "resume", "v2.14.0")
	return err
}

// post sends a bodiless POST to path on t and returns the reply body (at
// most MaxReplyBytes). verb names the operation in errors; since, when not
// empty, is the first AxeOS release with the endpoint, named in the
// EUNSUPPORTED error that a missing endpoint gives.
func (d *Driver) post(ctx context.Context, t hearth.Target, path, verb, since string) ([]byte, error) {
	return d.send(ctx, t, http.MethodPost, path, nil, verb, since)
}

// send is post with any method and an optional JSON body.
func (d *Driver) send(ctx context.Context, t hearth.Target, method, path string, body []byte, verb, since string) ([]byte, error) {
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	rep, err := d.request(ctx, method, base, path, body)
	if err != nil {
		return nil, fmt.Errorf("axeos %s %s: %w", verb, hostport, controlError(err, method, path, since))
	}
	defer rep.release()
	return append([]byte(nil), rep.body()...), nil
}

// controlError refines a failed control request. ESP-Miner answers a path
// it does not route with 404 (under /api/), 405 (a GET-only wildcard route
// matched) or a 302 to its captive portal, depending on the release; all
// three mean the firmware is too old for the verb. HTTP 400 is the
// firmware refusing the values ("Wrong API input", "Invalid JSON").
func controlError(err error, method, path, since string) error {
	var status *statusError
	if !errors.As(err, &status) {
		return err
	}
	switch {
	case status.code == http.StatusNotFound || status.code == http.StatusMethodNotAllowed ||
		status.code >= 300 && status.code < 400:
		if since == "" {
			return hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner has no %s %s (answered %s).", method, path, status)
		}
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner has no %s %s (answered %s): it needs AxeOS %s or later.", method, path, status, since)
	case status.code == http.StatusBadRequest:
		return hearth.WrapError(hearth.EINVALID, err, "Miner rejected the values sent to %s %s (HTTP 400).", method, path)
	}
	return err
}

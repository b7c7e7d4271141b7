package axeos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// Identify recognises AxeOS by its /api/system/info reply (a JSON object
// with ASICModel and hashRate, which every release sends) and names the
// device from /api/system/asic (v2.9.0+), falling back to the board
// version and then the ASIC for older firmware.
//
// The web root is not fetched: pyasic and asic-rs look for "AxeOS" in the
// HTML of "/", but the info reply identifies the firmware as surely and is
// needed anyway, so a scan of thousands of addresses saves one request per
// host.
//
// Anything that answers HTTP but not like AxeOS (a 404, a redirect, an
// Antminer's Digest challenge, HTML, other JSON) is EUNSUPPORTED. HTTP 401
// without a challenge is AxeOS's network check and stays EAUTH, so that the
// user learns why a Bitaxe was not recognised.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	info, _, err := d.systemInfo(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("axeos identify %s: %w", hostport, notAxeOS(err))
	}
	if !info.looksLikeAxeOS() {
		return nil, fmt.Errorf("axeos identify %s: %w", hostport,
			hearth.Errorf(hearth.EUNSUPPORTED, "Not AxeOS: %s answers JSON without ASICModel and hashRate.", pathSystemInfo))
	}

	// /api/system/asic is optional: firmware before v2.9.0 answers 404,
	// and any failure leaves the older naming to do its best.
	deviceModel := ""
	if asic, err := d.systemASIC(ctx, base); err == nil {
		deviceModel = asic.DeviceModel
	}
	id := info.identity(modelName(deviceModel, info.BoardVersion, info.ASICModel))
	id.Address = t.Address
	id.Port = t.Port
	if id.Port == 0 {
		id.Port = defaultPort
	}
	return id, nil
}

// notAxeOS turns errors that show the answering server is something other
// than AxeOS into EUNSUPPORTED, and leaves timeouts, refusals, oversized
// replies and AxeOS's own 401 as they are.
func notAxeOS(err error) error {
	var status *statusError
	if errors.As(err, &status) {
		if status.code == http.StatusUnauthorized && status.challenge == "" {
			return err
		}
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Not AxeOS: %s answers %s.", pathSystemInfo, status)
	}
	if isNotJSON(err) || hearth.ErrorCode(err) == hearth.EPROTOCOL {
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Not AxeOS: %s", hearth.ErrorMessage(err))
	}
	return err
}

// systemASIC is the part of GET /api/system/asic that hearth reads.
type systemASIC struct {
	// DeviceModel is the family name: "Gamma", "Supra", "Hex" ...
	DeviceModel string `json:"deviceModel"`
}

func (d *Driver) systemASIC(ctx context.Context, base string) (*systemASIC, error) {
	rep, err := d.get(ctx, base, pathSystemASIC)
	if err != nil {
		return nil, err
	}
	defer rep.release()
	var asic systemASIC
	if err := json.Unmarshal(rep.body(), &asic); err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not JSON: %q.", pathSystemASIC, web.Excerpt(rep.body()))
	}
	return &asic, nil
}

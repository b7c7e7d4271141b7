package epic

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// Paths of the reads.
const (
	pathSummary      = "/summary"
	pathTemps        = "/temps"
	pathCapabilities = "/capabilities"
	pathNetwork      = "/network"
)

// Identify recognises UMC by GET /capabilities on its API port answering
// JSON with a Model (pyasic's and asic-rs's way of naming an ePIC
// machine), then reads /summary for the firmware release, hostname and
// hash rate, and /network for the MAC address; those two are optional.
//
// The web root on port 80 ("Miner Web Dashboard") is not fetched: the
// capabilities reply identifies the firmware as surely, on the port the
// driver talks to anyway. Only HTTP is sent to port 4028, never CGMiner
// bytes. Anything there that is not UMC — a CGMiner socket (whose answer
// is not HTTP), a 404, HTML, other JSON — is EUNSUPPORTED; timeouts and
// refusals keep their codes.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	base, hostport, err := baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	body, _, err := d.exchange(ctx, base, pathCapabilities, nil)
	if err != nil {
		return nil, fmt.Errorf("epic identify %s: %w", hostport, notUMC(err))
	}
	caps, err := decodeCapabilities(body)
	if err != nil {
		return nil, fmt.Errorf("epic identify %s: %w", hostport,
			hearth.WrapError(hearth.EUNSUPPORTED, err, "Not ePIC UMC: %s answers %q.", pathCapabilities, web.Excerpt(body)))
	}
	id := &hearth.Identity{
		Address: t.Address,
		Port:    t.Port,
		Family:  hearth.FamilyEPIC,
		Model:   caps.model(),
		Serial:  caps.MinerSerialNumber,
	}
	if id.Port == 0 {
		id.Port = defaultPort
	}
	if body, _, err := d.exchange(ctx, base, pathSummary, nil); err == nil {
		if s, err := decodeSummary(body); err == nil {
			id.Firmware = s.Software
			id.Hostname = s.Hostname
			id.HashRate = s.reading(nil, 0).HashRate
		}
	}
	if id.Firmware == "" {
		id.Firmware = "UMC"
	}
	if body, _, err := d.exchange(ctx, base, pathNetwork, nil); err == nil {
		id.MAC = strings.ToUpper(decodeMAC(body))
	}
	return id, nil
}

// notUMC turns errors that show the server is something other than UMC
// (an HTTP status, bytes that are not HTTP) into EUNSUPPORTED, and leaves
// timeouts, refusals and oversized replies as they are.
func notUMC(err error) error {
	var status *statusError
	if errors.As(err, &status) || hearth.ErrorCode(err) == hearth.EPROTOCOL {
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Not ePIC UMC: %s", hearth.ErrorMessage(err))
	}
	return err
}

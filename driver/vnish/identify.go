package vnish

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// webMarker is what the VNish web interface's page carries (asic-rs and
// pyasic identify the firmware by it).
var webMarker = []byte("AnthillOS")

// Identify recognises VNish by GET /api/v1/info, which needs no credential
// and names the firmware (fw_name, fw_version) and the machine (miner,
// serial, network_status). When fw_name does not itself say VNish or
// AnthillOS, the web root must contain "AnthillOS", so that another
// firmware's /api/v1 cannot be mistaken for VNish.
//
// It never unlocks: a scan must not spend password attempts on thousands of
// hosts. The hash rate is taken from /summary when that answers without a
// token. Anything that answers HTTP but not like VNish is EUNSUPPORTED;
// timeouts and refusals keep their codes.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	ep, err := endpointOf(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	r, err := d.client.do(ctx, http.MethodGet, ep.base, pathInfo, nil, "")
	if err != nil {
		return nil, wrap("identify", ep, notVNish(err))
	}
	if r.status != http.StatusOK {
		return nil, wrap("identify", ep, hearth.WrapError(hearth.EUNSUPPORTED, &statusError{code: r.status}, "Not VNish: %s answers HTTP %d.", pathInfo, r.status))
	}
	in, err := decodeInfo(r.body)
	if err != nil || !in.looksLikeVNish() {
		return nil, wrap("identify", ep, hearth.Errorf(hearth.EUNSUPPORTED, "Not VNish: %s is not VNish's info.", pathInfo))
	}
	if !in.namesVNish() {
		root, err := d.client.do(ctx, http.MethodGet, ep.base, "/", nil, "")
		if err != nil {
			return nil, wrap("identify", ep, notVNish(err))
		}
		if root.status != http.StatusOK || !bytes.Contains(root.body, webMarker) {
			return nil, wrap("identify", ep, hearth.Errorf(hearth.EUNSUPPORTED, "Not VNish: %s answers, but the web page does not name AnthillOS.", pathInfo))
		}
	}
	s := d.session(ep)
	d.mu.Lock()
	s.hashUnit = in.hashUnit()
	d.mu.Unlock()

	id := &hearth.Identity{
		Address:  t.Address,
		Port:     t.Port,
		Family:   hearth.FamilyVNish,
		Firmware: in.firmware(),
		Model:    in.model(),
		Serial:   in.Serial,
		MAC:      in.System.NetworkStatus.MAC,
		Hostname: in.System.NetworkStatus.Hostname,
	}
	if id.Port == 0 {
		id.Port = defaultPort
	}
	if sr, err := d.client.do(ctx, http.MethodGet, ep.base, pathSummary, nil, ""); err == nil && sr.status == http.StatusOK {
		if sum, err := decodeSummary(sr.body); err == nil && sum.Miner != nil {
			id.HashRate = nonNegative(sum.Miner.HrRealtime) * in.hashUnit()
		}
	}
	return id, nil
}

// notVNish turns bytes that are not HTTP into EUNSUPPORTED and leaves
// timeouts, refusals and oversized replies as they are.
func notVNish(err error) error {
	var he *hearth.Error
	if errors.As(err, &he) && he.Code == hearth.EPROTOCOL {
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Not VNish: %s", he.Message)
	}
	return err
}

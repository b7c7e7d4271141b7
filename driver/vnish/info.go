package vnish

import (
	"context"
	"net/http"
	"strings"

	"github.com/hearth-fleet/hearth"
)

const pathInfo = apiPrefix + "/info"

// info is the part of GET /api/v1/info (spec schema InfoJson) hearth reads.
// The endpoint needs no credential.
type info struct {
	FwName    string `json:"fw_name"`
	FwVersion string `json:"fw_version"`
	// Miner is the pretty model name, "Antminer S19j Pro"; Model the
	// vendor's model code.
	Miner  string `json:"miner"`
	Model  string `json:"model"`
	Serial string `json:"serial"`
	// HrMeasure is the unit of every hash rate in /summary: "GH/s" on
	// SHA-256 Antminers, "MH/s" on scrypt ones.
	HrMeasure string `json:"hr_measure"`
	System    struct {
		NetworkStatus struct {
			MAC      string `json:"mac"`
			Hostname string `json:"hostname"`
		} `json:"network_status"`
	} `json:"system"`
}

// decodeInfo parses an /info body.
func decodeInfo(b []byte) (*info, error) {
	var in info
	if err := decode(pathInfo, b, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// looksLikeVNish reports whether in has what every VNish /info carries: a
// firmware version and a miner name.
func (in *info) looksLikeVNish() bool {
	return in.FwVersion != "" && in.Miner != ""
}

// namesVNish reports whether the firmware names itself VNish or AnthillOS.
func (in *info) namesVNish() bool {
	n := strings.ToLower(in.FwName)
	return strings.Contains(n, "vnish") || strings.Contains(n, "anthill")
}

// hashUnit returns hashes per second per unit of /summary's hash rates.
// VNish reports gigahashes on SHA-256 machines (asic-rs reads hr_realtime
// as GH/s), so anything but an explicit "MH/s" means 1e9.
func (in *info) hashUnit() float64 {
	return hashUnitOf(in.HrMeasure)
}

func hashUnitOf(measure string) float64 {
	switch strings.ToUpper(strings.TrimSpace(measure)) {
	case "MH/S":
		return 1e6
	case "TH/S":
		return 1e12
	default:
		return 1e9
	}
}

// firmware returns the hearth firmware string, "VNish 1.2.6" or as the
// firmware names itself.
func (in *info) firmware() string {
	name := strings.TrimSpace(in.FwName)
	if name == "" {
		name = "VNish"
	}
	return name + " " + strings.TrimSpace(in.FwVersion)
}

// model returns the model name with any parenthesised suffix cut, as hearth
// names Antminers ("Antminer S19j Pro (Vnish)" → "Antminer S19j Pro").
func (in *info) model() string {
	m := in.Miner
	if i := strings.Index(m, " ("); i >= 0 {
		m = m[:i]
	}
	return strings.TrimSpace(m)
}

// fetchInfo reads /info and remembers the hash-rate unit for ep.
func (d *Driver) fetchInfo(ctx context.Context, ep endpoint) (*info, error) {
	r, err := d.send(ctx, ep, http.MethodGet, pathInfo, nil, false)
	if err != nil {
		return nil, err
	}
	in, err := decodeInfo(r.body)
	if err != nil {
		return nil, err
	}
	if in.looksLikeVNish() {
		s := d.session(ep)
		d.mu.Lock()
		s.hashUnit = in.hashUnit()
		d.mu.Unlock()
	}
	return in, nil
}

// hashUnit returns the remembered hash-rate unit of ep, reading /info when
// it is not known yet. A failure is returned with the GH/s default, so
// that a poll can go on and record it.
func (d *Driver) hashUnit(ctx context.Context, ep endpoint) (float64, error) {
	s := d.session(ep)
	d.mu.Lock()
	u := s.hashUnit
	d.mu.Unlock()
	if u > 0 {
		return u, nil
	}
	in, err := d.fetchInfo(ctx, ep)
	if err != nil {
		return 1e9, err
	}
	if !in.looksLikeVNish() {
		return 1e9, hearth.Errorf(hearth.EPROTOCOL, "Miner's reply to %s is not VNish's info (no fw_version and miner).", pathInfo)
	}
	return in.hashUnit(), nil
}

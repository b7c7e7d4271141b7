package luxos

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// marker is what every LuxOS version reply carries: the LUXminer field of
// VERSION and the "LUXminer …" Description of its STATUS.
var marker = []byte("LUXMINER")

// Identify asks t for its version and claims it when the reply names
// LUXminer. The model is VERSION[0].Type ("Antminer S19k Pro"), the
// firmware "LuxOS " and the LUXminer version; the hash rate comes from
// summary, best effort.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	addr := rpcAddr(t)
	ver, err := d.RPC.Command(ctx, addr, "version", "")
	if err != nil {
		switch hearth.ErrorCode(err) {
		case hearth.EPROTOCOL, hearth.EUNSUPPORTED, hearth.EAUTH:
			return nil, hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner at %s does not speak LuxOS's API.", addr)
		}
		return nil, fmt.Errorf("identify %s: %w", addr, err)
	}
	if !bytes.Contains(bytes.ToUpper(ver.Raw), marker) {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s does not run LuxOS.", addr)
	}
	v := ver.First("VERSION")
	id := &hearth.Identity{
		Address:  t.Address,
		Port:     port(t),
		Family:   hearth.FamilyLuxOS,
		Firmware: firmware(v),
		Model:    modelName(v.String("Type")),
	}
	if s, err := d.RPC.Command(ctx, addr, "summary", ""); err == nil {
		id.HashRate = hashes(s.First("SUMMARY").Float("GHS 5s"), gigahash)
	}
	return id, nil
}

// firmware names the firmware as hearth shows it: "LuxOS " and the
// LUXminer version ("2025.4.8.220305-57b389c7"), or the Miner field when
// LUXminer is missing.
func firmware(v cgminer.Object) string {
	version := cleanText(v.String("LUXminer"), 64)
	if version == "" {
		version = cleanText(v.String("Miner"), 64)
	}
	return strings.TrimSpace("LuxOS " + version)
}

// modelName returns the Type without any parenthesised suffix.
func modelName(typ string) string {
	typ, _, _ = strings.Cut(typ, " (")
	return cleanText(typ, 64)
}

// cleanText keeps s printable and at most n bytes long, so that a hostile
// miner cannot put control characters or megabytes into an identity.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

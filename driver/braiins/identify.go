package braiins

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// markers are what a BOS cgminer-compatible version reply carries, upper
// cased: "BOSer" (the VERSION field and STATUS Description of BOS 22.08
// and later) or "BOSminer" (older builds). LuxOS (LUXminer), stock
// bmminer and the other cgminer forks carry neither.
var markers = [][]byte{[]byte("BOSER"), []byte("BOSMINER")}

// Identify asks t's cgminer-compatible RPC for its version and claims the
// machine when the reply names BOSer or BOSminer; any other machine gets
// EUNSUPPORTED so that another driver can claim it. It then reads
// MinerService/GetMinerDetails over gRPC for the model, the firmware
// ("Braiins OS " and bos_version.current), hostname, MAC and serial, and
// GetMinerStats for the hash rate (best effort).
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	addr := rpcAddr(t)
	ver, err := d.RPC.Command(ctx, addr, "version", "")
	if err != nil {
		switch hearth.ErrorCode(err) {
		case hearth.EPROTOCOL, hearth.EUNSUPPORTED, hearth.EAUTH, hearth.EINVALID:
			return nil, hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner at %s does not speak Braiins OS's RPC.", addr)
		}
		return nil, fmt.Errorf("identify %s: %w", addr, err)
	}
	if !isBOS(ver.Raw) {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s does not run Braiins OS.", addr)
	}
	raw, _, err := d.call(ctx, t, methodMinerDetails, nil)
	if err != nil {
		return nil, fmt.Errorf("identify %s: %w", t.Address, err)
	}
	det, err := decodeMinerDetails(raw)
	if err != nil {
		return nil, fmt.Errorf("identify %s: %w", t.Address, decodeError(apiAddr(t), methodMinerDetails, err))
	}
	id := &hearth.Identity{
		Address:  t.Address,
		Port:     t.Port,
		APIPort:  t.APIPort,
		Family:   hearth.FamilyBraiins,
		Firmware: firmware(det.Version),
		Model:    modelName(det),
		Serial:   det.Serial,
		MAC:      macAddress(det.MAC),
		Hostname: det.Hostname,
	}
	if id.Port == 0 {
		id.Port = d.DefaultPort()
	}
	if raw, _, err := d.call(ctx, t, methodMinerStats, nil); err == nil {
		if s, err := decodeMinerStats(raw); err == nil {
			id.HashRate = s.Work.current() * 1e9
		}
	}
	return id, nil
}

// isBOS reports whether a version reply names BOSer or BOSminer.
func isBOS(raw []byte) bool {
	up := bytes.ToUpper(raw)
	for _, m := range markers {
		if bytes.Contains(up, m) {
			return true
		}
	}
	return false
}

// macAddress writes a MAC as hearth's other drivers do: upper-case hex
// separated by colons ("02:EE:DA:A9:B6:4A"); anything that is not a
// 6-byte MAC is kept as the miner sent it.
func macAddress(s string) string {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return s
	}
	return strings.ToUpper(hw.String())
}

// firmware names the firmware as hearth shows it: "Braiins OS " and
// bos_version.current ("2025-08-06-0-3881c51d-25.07-plus").
func firmware(version string) string {
	return strings.TrimSpace("Braiins OS " + version)
}

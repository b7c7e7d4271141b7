package antminer

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// customFirmwareMarkers are names that custom firmwares for Antminer
// hardware put in their version replies (pyasic's and asic-rs's socket
// probes). Such a miner belongs to its firmware's driver, not to this one,
// even though its Type still says "Antminer".
var customFirmwareMarkers = []string{
	"BOSMINER", "BOSER", "BRAIINS", // Braiins OS
	"LUXMINER", "LUXOS", // LuxOS
	"BTMINER", "BITMICRO", "WHATSMINER", // Whatsminer
	"VNISH", "ANTHILL", // VNish / AnthillOS
	"HIVEON",           // Hiveon
	"KAONSU", "MARAFW", // Marathon
	"RWGLR", // MSKminer
}

// Identify asks t for its version over RPC and claims it when it is
// bmminer: VERSION has a BMMiner field or a Type naming an Antminer. A
// custom firmware on Antminer hardware (Braiins OS, LuxOS, VNish …) gives
// EUNSUPPORTED so that its own driver can claim it.
//
// The hash rate comes from summary, and hostname, MAC address and serial
// number from the web CGI (get_system_info, HTTP Digest with the factory
// credentials unless configured); both are best effort and bounded by a
// short timeout, so a locked-down web interface costs a field, not the
// identification.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	addr := d.rpcAddr(t)
	ver, err := d.RPC.Command(ctx, addr, "version", "")
	if err != nil {
		switch hearth.ErrorCode(err) {
		case hearth.EPROTOCOL, hearth.EUNSUPPORTED, hearth.EAUTH:
			return nil, hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner at %s does not speak bmminer's API.", addr)
		}
		return nil, fmt.Errorf("identify %s: %w", addr, err)
	}
	upper := bytes.ToUpper(ver.Raw)
	for _, marker := range customFirmwareMarkers {
		if bytes.Contains(upper, []byte(marker)) {
			return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s runs custom firmware (%s), not stock bmminer.", addr, marker)
		}
	}
	v := ver.First("VERSION")
	typ := v.String("Type")
	if !v.Has("BMMiner") && !strings.Contains(strings.ToUpper(typ), "ANTMINER") && !bytes.Contains(upper, []byte("ANTMINER")) {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s is not an Antminer on stock firmware.", addr)
	}

	port := t.Port
	if port == 0 {
		port = cgminer.DefaultPort
	}
	id := &hearth.Identity{
		Address:  t.Address,
		Port:     port,
		Family:   hearth.FamilyAntminer,
		Firmware: firmware(v),
		Model:    modelName(typ),
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		if s, err := d.RPC.Command(ctx, addr, "summary", ""); err == nil {
			id.HashRate = hashRate(s.First("SUMMARY"), "GHS 5s", "MHS 5s")
		}
	})
	info, err := d.systemInfo(ctx, t)
	wg.Wait()
	if err == nil {
		id.Hostname, id.MAC, id.Serial = info.Hostname, info.MAC, info.Serial
		if id.Model == "" {
			id.Model = modelName(info.MinerType)
		}
	}
	return id, nil
}

// firmware names the firmware as hearth shows it: "bmminer " and the
// VERSION Miner field (Bitmain's firmware version, e.g. "49.0.1.3").
func firmware(v cgminer.Object) string {
	version := strings.TrimSpace(v.String("Miner"))
	if version == "" {
		version = strings.TrimSpace(v.String("BMMiner"))
	}
	return strings.TrimSpace("bmminer " + cleanText(version, 64))
}

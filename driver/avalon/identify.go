package avalon

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Identify asks t for its version and claims it when the reply names an
// Avalon (the marker asic-rs and pyasic look for). The model comes from
// PROD ("Avalon Q", "Avalon Nano3s"), the firmware from LVERSION, the
// serial number from DNA. The hash rate comes from summary, best effort.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	addr := d.rpcAddr(t)
	ver, err := d.command(ctx, addr, "version", "")
	if err != nil {
		switch hearth.ErrorCode(err) {
		case hearth.EPROTOCOL, hearth.EUNSUPPORTED, hearth.EAUTH:
			return nil, hearth.WrapError(hearth.EUNSUPPORTED, err, "Miner at %s does not speak Avalon's API.", addr)
		}
		return nil, fmt.Errorf("identify %s: %w", addr, err)
	}
	if !bytes.Contains(bytes.ToUpper(ver.Raw), []byte("AVALON")) {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s is not an Avalon.", addr)
	}
	v := ver.First("VERSION")
	port := t.Port
	if port == 0 {
		port = cgminer.DefaultPort
	}
	id := &hearth.Identity{
		Address:  t.Address,
		Port:     port,
		Family:   hearth.FamilyAvalon,
		Firmware: firmware(v),
		Model:    modelName(v.String("PROD"), v.String("MODEL")),
		Serial:   v.String("DNA"),
		MAC:      macAddress(v.String("MAC")),
	}
	if s, err := d.command(ctx, addr, "summary", ""); err == nil {
		id.HashRate = summaryHashRate(s.First("SUMMARY"))
	}
	return id, nil
}

// firmware names the firmware as "Avalon <build>", the build being the
// firmware's LVERSION (or CGVERSION, BVERSION), e.g. "Avalon
// 25052801_14a19a2"; without any, "cgminer <version>".
func firmware(v cgminer.Object) string {
	for _, key := range []string{"LVERSION", "CGVERSION", "BVERSION"} {
		if s := strings.TrimSpace(v.String(key)); s != "" {
			return "Avalon " + s
		}
	}
	if s := strings.TrimSpace(v.String("CGMiner")); s != "" {
		return "cgminer " + s
	}
	return "Avalon"
}

// modelName returns the model from the version reply's PROD, cut at a '-'
// (older firmware appends a build, "AvalonMiner 1246-83"). Where PROD says
// too little (pyasic's cases: "AvalonNano", "Avalon0O", "AvalonMiner 15"),
// or is missing, the model is "Avalon " + MODEL.
func modelName(prod, model string) string {
	name, _, _ := strings.Cut(prod, "-")
	name = strings.TrimSpace(name)
	model = strings.TrimSpace(model)
	switch strings.ToUpper(strings.ReplaceAll(name, " ", "")) {
	case "", "AVALONNANO", "AVALON0O", "AVALONMINER15":
		if model != "" {
			return "Avalon " + model
		}
	}
	return name
}

// macAddress writes a MAC address with colons, as Avalons send it either
// way ("AA:BB:CC:DD:EE:FF" or "e0e1a93f3053").
func macAddress(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 12 {
		return strings.ToUpper(s)
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return s
		}
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(s[i : i+2]))
	}
	return b.String()
}

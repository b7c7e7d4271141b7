package whatsminer

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Identify probes t. On API v2 it asks get_version (the firmware date)
// and devdetails (the model); a miner is a Whatsminer when get_version
// answers with fw_ver in btminer's flat shape or devdetails names BTMINER
// or BITMICRO, as pyasic checks. When 4028 is closed it asks API v3
// get.device.info on 4433. Any other machine gets EUNSUPPORTED, so that
// other drivers may claim it.
func (d *Driver) Identify(ctx context.Context, t hearth.Target) (*hearth.Identity, error) {
	v, err := d.detect(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("identify %s: %w", t.Address, err)
	}
	if v.API == apiV3 {
		return d.identifyV3(ctx, t, v)
	}
	id := &hearth.Identity{Address: t.Address, Port: t.Port, Family: hearth.FamilyWhatsminer}
	details, derr := d.RPC.Command(ctx, d.v2Addr(t), "devdetails", "")
	whatsminer := v.Firmware != ""
	if derr == nil {
		up := bytes.ToUpper(details.Raw)
		whatsminer = whatsminer || bytes.Contains(up, []byte("BTMINER")) || bytes.Contains(up, []byte("BITMICRO"))
		id.Model = modelName(details.First("DEVDETAILS").String("Model"))
	}
	if !whatsminer {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s is not a Whatsminer.", t.Address)
	}
	id.Firmware = firmwareName(v.Firmware)
	if s, err := d.RPC.Command(ctx, d.v2Addr(t), "summary", ""); err == nil {
		sum := s.First("SUMMARY")
		id.HashRate = v2Reading(&s.Document, nil, nil).HashRate
		id.MAC = sum.String("MAC")
	}
	if info, err := d.RPC.Command(ctx, d.v2Addr(t), "get_miner_info", ""); err == nil {
		m := msgOf(&info.Document)
		id.Hostname = m.String("hostname")
		if mac := m.String("mac"); mac != "" {
			id.MAC = mac
		}
	}
	return id, nil
}

// identifyV3 fills an Identity from get.device.info and the hash rate of
// get.miner.status summary.
func (d *Driver) identifyV3(ctx context.Context, t hearth.Target, v version) (*hearth.Identity, error) {
	doc, _, err := d.v3Read(ctx, t, "get.device.info", nil)
	if err != nil {
		return nil, fmt.Errorf("identify %s: %w", t.Address, err)
	}
	msg := v3Msg(doc)
	mv, _ := msg.Get("miner")
	nv, _ := msg.Get("network")
	miner, network := mv.Object(), nv.Object()
	if miner.String("type") == "" && v.Firmware == "" {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "Miner at %s is not a Whatsminer.", t.Address)
	}
	fw := v.Firmware
	if fw == "" {
		fw = v3System(doc).String("fwversion")
	}
	id := &hearth.Identity{
		Address:  t.Address,
		Port:     t.Port,
		Family:   hearth.FamilyWhatsminer,
		Firmware: firmwareName(fw),
		Model:    modelName(miner.String("type")),
		Serial:   miner.String("miner-sn"),
		MAC:      network.String("mac"),
		Hostname: network.String("hostname"),
	}
	if s, _, err := d.v3Read(ctx, t, "get.miner.status", "summary"); err == nil {
		id.HashRate = v3Reading(s, nil, nil).HashRate
	}
	return id, nil
}

// modelName turns btminer's model code into hearth's model string with
// pyasic's normalisation: underscores removed and the last character (a
// sub-version of the chip variant) set to 0, so "M60S_VK43" becomes
// "Whatsminer M60SVK40". An empty code gives "".
func modelName(code string) string {
	code = strings.ReplaceAll(strings.TrimSpace(code), "_", "")
	if code == "" {
		return ""
	}
	if last := code[len(code)-1]; last >= '0' && last <= '9' {
		code = code[:len(code)-1] + "0"
	}
	return "Whatsminer " + code
}

// firmwareName returns hearth's firmware string, "btminer <fw_ver>".
func firmwareName(fw string) string {
	if fw == "" {
		return "btminer"
	}
	return "btminer " + fw
}

package epic

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// capabilities is the part of GET /capabilities that hearth reads: the
// model, which is how pyasic and asic-rs name an ePIC machine, and the
// static facts of its hashboards.
type capabilities struct {
	// Model is the machine's name as UMC gives it: "AntMiner S19 XP".
	Model string `json:"Model"`
	// MinerSerialNumber is the manufacturer's serial, which only some
	// units report.
	MinerSerialNumber string `json:"Miner Serial Number"`
	// PerformanceEstimator holds the chip count of each hashboard.
	PerformanceEstimator struct {
		ChipCount int `json:"Chip Count"`
	} `json:"Performance Estimator"`
}

// model returns the model as hearth names it. UMC spells Bitmain's
// machines the old way, "AntMiner S19 XP"; hearth's other drivers, its
// fleet views and its nameplate tables use Bitmain's current "Antminer",
// so the prefix is normalised and a machine keeps one model name whatever
// firmware it runs. Other names (ePIC's own BlockMiners) are kept.
func (c *capabilities) model() string {
	m := strings.TrimSpace(c.Model)
	if rest, ok := strings.CutPrefix(m, "AntMiner "); ok {
		return "Antminer " + rest
	}
	return m
}

// errNotCapabilities marks a /capabilities body without a Model.
var errNotCapabilities = errors.New("JSON is not UMC capabilities (no Model)")

// decodeCapabilities parses a /capabilities body; a body that is not a
// JSON object with a non-empty Model is an error.
func decodeCapabilities(b []byte) (*capabilities, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotCapabilities
	}
	var c capabilities
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if c.Model == "" {
		return nil, errNotCapabilities
	}
	return &c, nil
}

// chipsPerBoard returns the chip count of one hashboard, zero if unknown
// or implausible.
func (c *capabilities) chipsPerBoard() int {
	if c == nil || c.PerformanceEstimator.ChipCount < 0 || c.PerformanceEstimator.ChipCount > 10000 {
		return 0
	}
	return c.PerformanceEstimator.ChipCount
}

// network is the part of GET /network that hearth reads: the MAC address
// of the DHCP or the static configuration, whichever is in use.
type network struct {
	DHCP *struct {
		MACAddress string `json:"mac_address"`
	} `json:"dhcp"`
	Static *struct {
		MACAddress string `json:"mac_address"`
	} `json:"static"`
}

// decodeMAC returns the MAC address of a /network body, "" when it has
// none.
func decodeMAC(b []byte) string {
	var n network
	if json.Unmarshal(b, &n) != nil {
		return ""
	}
	switch {
	case n.DHCP != nil && n.DHCP.MACAddress != "":
		return n.DHCP.MACAddress
	case n.Static != nil:
		return n.Static.MACAddress
	}
	return ""
}

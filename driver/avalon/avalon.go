// Package avalon is the driver for Canaan Avalon miners (Avalon Q, Nano 3/3s,
// Mini 3 and the A-series) on their stock firmware, a fork of cgminer 4.11:
// it reads and controls them over the CGMiner RPC API on TCP 4028, where
// Avalon adds its own ascset options (led, softoff, softon, worklevel,
// reboot, fan-spd) and packs its telemetry into one "MM ID0" string of Key[value]
// tokens (see Stats).
//
// Importing the package registers the driver for hearth.FamilyAvalon.
//
// The Avalon API does not cope with concurrent requests, so the driver sends
// at most one command at a time to each miner address, whatever the number
// of callers.
package avalon

import (
	"net"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func init() {
	driver.Register(New())
}

// Driver speaks to Avalon miners. Use New; a Driver must not be copied
// after first use, as it holds the per-miner command queue. It is safe for
// concurrent use.
type Driver struct {
	// Unsupported answers the verbs the firmware lacks with EUNSUPPORTED.
	driver.Unsupported

	// RPC sends the CGMiner commands.
	RPC cgminer.Client
	// Clock returns the current time for the timestamps of softoff and
	// softon; nil means time.Now.
	Clock func() time.Time

	lines lines
}

// New returns a Driver with default settings.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyAvalon}}
}

// Family returns hearth.FamilyAvalon.
func (d *Driver) Family() hearth.Family { return hearth.FamilyAvalon }

// Capabilities lists what the firmware reports and the verbs the driver
// implements. Pools are read but not written: Avalon's setpool needs the
// web admin password and its format is known only from third-party tools.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget,
		hearth.CapFanMode,
	}
}

// DefaultPort returns the CGMiner RPC port, 4028.
func (d *Driver) DefaultPort() int { return cgminer.DefaultPort }

// rpcAddr returns the host:port of t's RPC API.
func (d *Driver) rpcAddr(t hearth.Target) string {
	port := t.Port
	if port == 0 {
		port = cgminer.DefaultPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(port))
}

// now returns the driver's current time.
func (d *Driver) now() time.Time {
	if d.Clock != nil {
		return d.Clock()
	}
	return time.Now()
}

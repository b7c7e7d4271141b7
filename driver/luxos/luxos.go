// Package luxos is the driver for Antminers running Luxor's LuxOS firmware
// (LUXminer): it reads and controls them over LuxOS's extension of the
// CGMiner RPC API on TCP 4028.
//
// Importing the package registers the driver for hearth.FamilyLuxOS.
// LuxOS measures power itself, so readings carry it unestimated. Writes
// that change the machine (reboot, curtail, LED, profiles, ATM) need a
// session, and a LuxOS miner grants only one at a time: the driver opens
// one per verb, reuses it for every write of that verb, and always logs
// off.
package luxos

import (
	"net"
	"strconv"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func init() {
	driver.Register(New())
}

// Driver speaks to LuxOS miners. New returns one with the defaults; it is
// safe for concurrent use.
type Driver struct {
	// Unsupported answers the verbs LuxOS has no command for (fetching
	// its log) with EUNSUPPORTED.
	driver.Unsupported

	// RPC sends the commands.
	RPC cgminer.Client
}

// New returns a Driver with default settings.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyLuxOS}}
}

// Family returns hearth.FamilyLuxOS.
func (d *Driver) Family() hearth.Family { return hearth.FamilyLuxOS }

// Capabilities lists what LuxOS reports (power included: the firmware
// measures it) and every control verb, all of which LuxOS offers over RPC;
// its log is not among them.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause,
		hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode,
	}
}

// DefaultPort returns the CGMiner RPC port, 4028.
func (d *Driver) DefaultPort() int { return cgminer.DefaultPort }

// port returns t's RPC port.
func port(t hearth.Target) int {
	if t.Port == 0 {
		return cgminer.DefaultPort
	}
	return t.Port
}

// rpcAddr returns host:port of t's RPC API.
func rpcAddr(t hearth.Target) string {
	return net.JoinHostPort(t.Address, strconv.Itoa(port(t)))
}

// Package antminer is the driver for Bitmain Antminers on stock firmware
// (bmminer): it reads them over the CGMiner RPC API on TCP 4028 and
// identifies them through the web CGI on port 80 as well.
//
// Importing the package registers the driver for hearth.FamilyAntminer.
// Stock firmware reports no power, so the driver estimates it from the
// model's nameplate efficiency and marks the reading PowerEstimated.
package antminer

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

func init() {
	driver.Register(New())
}

// Defaults of the web interface.
const (
	// DefaultWebPort is the port of the web CGI.
	DefaultWebPort = 80
	// DefaultWebUser and DefaultWebPassword are Bitmain's factory
	// credentials for the web interface (HTTP Digest).
	DefaultWebUser     = "root"
	DefaultWebPassword = "root"
	// DefaultWebTimeout bounds the best-effort web lookup of Identify.
	DefaultWebTimeout = 2 * time.Second
)

// Driver speaks to stock Antminers. Its zero value works with the defaults;
// New returns one with its HTTP client set up. It is safe for concurrent
// use.
type Driver struct {
	// Unsupported answers the control verbs stock firmware lacks (a
	// restart of bmminer alone) with EUNSUPPORTED.
	driver.Unsupported

	// RPC sends the CGMiner commands.
	RPC cgminer.Client
	// HTTP fetches the web CGI; nil means a client that does not follow
	// redirects and keeps no connections.
	HTTP *http.Client
	// WebUser and WebPassword log in to the web CGI when the target has
	// no Credentials. An empty WebUser means the factory credentials
	// (root/root); with a WebUser set, the WebPassword is used as given,
	// even empty.
	WebUser, WebPassword string
	// WebTimeout bounds the web lookup during Identify; zero means
	// DefaultWebTimeout.
	WebTimeout time.Duration

	// challenges holds each miner's last Digest challenge; a Driver must
	// not be copied after first use.
	challenges challenges
}

// New returns a Driver with default settings.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyAntminer}, HTTP: newHTTPClient()}
}

// Family returns hearth.FamilyAntminer.
func (d *Driver) Family() hearth.Family { return hearth.FamilyAntminer }

// Capabilities lists what stock firmware reports and the control verbs
// its web CGI offers. Power is missing: the driver estimates it. Restart
// is missing: stock firmware can only reboot.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools,
		hearth.CapReboot, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs,
	}
}

// DefaultPort returns the CGMiner RPC port, 4028.
func (d *Driver) DefaultPort() int { return cgminer.DefaultPort }

// rpcAddr returns host:port of t's RPC API.
func (d *Driver) rpcAddr(t hearth.Target) string {
	port := t.Port
	if port == 0 {
		port = cgminer.DefaultPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(port))
}

// webAddr returns host:port of t's web interface.
func (d *Driver) webAddr(t hearth.Target) string {
	port := t.WebPort
	if port == 0 {
		port = DefaultWebPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(port))
}

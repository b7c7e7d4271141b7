// Package whatsminer is the driver for MicroBT Whatsminer miners running
// the stock btminer firmware.
//
// btminer speaks two APIs. API v2 (firmware before about 2024-11) is the
// CGMiner RPC on TCP 4028: reads are plain cgminer commands, writes are
// authorised by a token from get_token (md5crypt of the password) and sent
// AES-256-ECB encrypted. API v3 (newer firmware) listens on TCP 4433 and
// frames JSON with a 4-byte little-endian length; writes carry a short
// SHA-256 token of the command, password, salt and time. The driver picks
// the API from the firmware date that get_version reports, as pyasic and
// asic-rs do, and falls back to v3 when 4028 is closed or hangs up; the
// v3 port is Target.APIPort (else Driver.V3Port, else 4433). It keeps the
// API it found for a minute, and an API v2 token or API v3 salt for
// twenty, so that a poll or a burst of writes does not repeat them (see
// cache.go).
//
// Importing the package registers the driver for hearth.FamilyWhatsminer.
// btminer measures power itself, so readings carry it unestimated.
package whatsminer

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

const (
	// DefaultV3Port is the TCP port of btminer's API v3.
	DefaultV3Port = 4433

	// defaultV2Password is the factory password of the API v2 (pyasic's
	// default_whatsminer_rpc_password).
	defaultV2Password = "admin"
	// defaultV3Account and defaultV3Password are the factory account of
	// the API v3, "super"/"super".
	defaultV3Account  = "super"
	defaultV3Password = "super"
)

// Driver speaks to Whatsminer miners. New returns one with the defaults;
// it is safe for concurrent use.
type Driver struct {
	// Unsupported answers the verbs btminer lacks (the fan mode) with
	// EUNSUPPORTED.
	driver.Unsupported

	// RPC sends the plain API v2 commands on Target.Port (4028).
	RPC cgminer.Client
	// V3Port is the port of the API v3 for targets whose APIPort is
	// zero; zero means DefaultV3Port.
	V3Port int
	// Timeout bounds each encrypted or v3 request, within the caller's
	// deadline; zero means cgminer.DefaultTimeout.
	Timeout time.Duration
	// MaxReplySize caps a reply in bytes; zero means cgminer.MaxReplySize.
	MaxReplySize int

	// versions, tokens and salts remember, per miner, the API detected,
	// the API v2 write token and the API v3 salt (see cache.go).
	versions ttlCache[version]
	tokens   ttlCache[*v2Session]
	salts    ttlCache[string]
}

// New returns a Driver with default settings.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyWhatsminer}}
}

// Family returns hearth.FamilyWhatsminer.
func (d *Driver) Family() hearth.Family { return hearth.FamilyWhatsminer }

// Capabilities lists what btminer reports (it measures power) and the
// control verbs both of its APIs offer; the log download is API v3 only,
// and API v2 miners answer it with EUNSUPPORTED.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause,
		hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapLogs,
	}
}

// DefaultPort returns the API v2 (CGMiner RPC) port, 4028.
func (d *Driver) DefaultPort() int { return cgminer.DefaultPort }

// v2Addr returns host:port of t's API v2.
func (d *Driver) v2Addr(t hearth.Target) string {
	p := t.Port
	if p == 0 {
		p = cgminer.DefaultPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(p))
}

// v3Addr returns host:port of t's API v3: Target.APIPort, else the
// Driver's V3Port, else DefaultV3Port.
func (d *Driver) v3Addr(t hearth.Target) string {
	p := t.APIPort
	switch {
	case p > 0:
	case d.V3Port > 0:
		p = d.V3Port
	default:
		p = DefaultV3Port
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(p))
}

func (d *Driver) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return cgminer.DefaultTimeout
}

func (d *Driver) maxReplySize() int {
	if d.MaxReplySize > 0 {
		return d.MaxReplySize
	}
	return cgminer.MaxReplySize
}

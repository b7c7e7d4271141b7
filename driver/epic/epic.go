// Package epic is the hearth driver for ePIC's UMC firmware (PowerPlay,
// "umcOS"), which serves a JSON REST API over plain HTTP on port 4028.
//
// Port 4028 is HTTP here, not the CGMiner socket: the driver never sends
// CGMiner bytes to it. Reads are GETs without credentials (/summary,
// /temps, /capabilities, /network); every write is a POST whose JSON body
// carries the password next to the parameter,
// {"param":<value>,"password":"letmein"}, and the firmware answers
// {"result":true|false,"error":null|<reason>}.
//
// Importing the package registers the driver under the family "epic".
package epic

import (
	"context"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// MaxReplyBytes is the largest reply body the driver reads from a miner. A
// real /summary is a few kilobytes; anything beyond a mebibyte is broken or
// hostile and is refused with ETOOLARGE without reading further.
const MaxReplyBytes = 1 << 20

// DefaultTimeout bounds every request whose context carries no deadline, so
// that a caller that forgets one cannot be stalled by a silent miner.
const DefaultTimeout = 10 * time.Second

// DefaultPassword is the password UMC ships with, which hearth sends when a
// target carries no credentials (pyasic's default_epic_web_password and
// asic-rs's default auth agree on it).
const DefaultPassword = "letmein"

// defaultPort is where UMC serves its HTTP API.
const defaultPort = 4028

func init() { driver.Register(New()) }

// Driver speaks ePIC UMC. It is safe for concurrent use by many goroutines;
// one Driver serves a whole fleet.
type Driver struct {
	// Unsupported answers the control verbs UMC lacks with EUNSUPPORTED;
	// the driver overrides the others.
	driver.Unsupported

	// Timeout bounds each request when the caller's context has no
	// deadline. Zero means DefaultTimeout.
	Timeout time.Duration

	client *http.Client
}

// New returns a Driver with an HTTP client tuned for sweeping many miners:
// no keep-alives, no proxies, no redirects, no compression.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyEPIC}, client: newHTTPClient()}
}

// Family returns hearth.FamilyEPIC.
func (d *Driver) Family() hearth.Family { return hearth.FamilyEPIC }

// Capabilities lists what one /summary (with /temps) carries — hash rate
// and shares, boards with temperatures, fans, pools and the power supply's
// measured input power — and the control verbs UMC has: reboot, restart of
// the mining program (soft reboot), locate, pause and resume, pools, fan
// mode and the runtime log. A power target in watts is not offered (see
// SetPowerTarget).
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry,
		hearth.CapBoards,
		hearth.CapFans,
		hearth.CapPools,
		hearth.CapPower,
		hearth.CapReboot,
		hearth.CapRestart,
		hearth.CapLocate,
		hearth.CapPause,
		hearth.CapSetPools,
		hearth.CapFanMode,
		hearth.CapLogs,
	}
}

// DefaultPort returns 4028, the port of UMC's HTTP API.
func (d *Driver) DefaultPort() int { return defaultPort }

// baseURL returns "http://host:port" for t and the host:port alone for
// messages, or an EINVALID error when t has no address or a bad port.
func baseURL(t hearth.Target) (base, hostport string, err error) {
	return web.BaseURL(t, defaultPort)
}

// withDeadline returns ctx unchanged when it has a deadline, and otherwise
// a context bounded by d.Timeout.
func (d *Driver) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return web.WithDeadline(ctx, d.Timeout, DefaultTimeout)
}

// password returns the password to send for t: its own, or the default.
func password(t hearth.Target) string {
	if t.Credentials.Password != "" {
		return t.Credentials.Password
	}
	return DefaultPassword
}

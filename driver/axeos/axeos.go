// Package axeos is the hearth driver for AxeOS, the ESP-Miner firmware of
// Bitaxe-class home miners, which answers JSON over plain HTTP on port 80.
//
// One poll is one GET of /api/system/info. Identification adds a GET of
// /api/system/asic (firmware v2.9 and later) for the device model. AxeOS
// has no credentials; instead it answers only clients on private (RFC 1918)
// addresses and gives everyone else HTTP 401, which this driver reports as
// EAUTH.
//
// Importing the package registers the driver under the family "axeos".
package axeos

import (
	"context"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// MaxReplyBytes is the largest reply body the driver reads from a miner.
// A real /api/system/info is a few kilobytes; anything beyond a mebibyte is
// broken or hostile, and is refused with ETOOLARGE without reading further.
const MaxReplyBytes = 1 << 20

// DefaultTimeout bounds every request whose context carries no deadline, so
// that a caller that forgets one cannot be stalled by a silent miner.
const DefaultTimeout = 10 * time.Second

// defaultPort is where AxeOS serves its web interface and API.
const defaultPort = 80

// The API paths this driver reads.
const (
	pathSystemInfo = "/api/system/info"
	pathSystemASIC = "/api/system/asic"
)

func init() { driver.Register(New()) }

// Driver speaks AxeOS. It is safe for concurrent use by many goroutines; one
// Driver serves a whole fleet.
type Driver struct {
	// Unsupported answers the control verbs AxeOS lacks with
	// EUNSUPPORTED; the driver overrides the others.
	driver.Unsupported

	// Timeout bounds each request when the caller's context has no
	// deadline. Zero means DefaultTimeout.
	Timeout time.Duration

	client *http.Client
}

// New returns a Driver with an HTTP client tuned for sweeping thousands of
// miners: no keep-alives, no proxies, no redirects, no compression.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyAxeOS}, client: web.NewClient(newTransport())}
}

// Family returns hearth.FamilyAxeOS.
func (d *Driver) Family() hearth.Family { return hearth.FamilyAxeOS }

// Capabilities lists what one /api/system/info reply carries (hash rate
// and shares, the ASIC "board" with its temperatures, fans, pools and
// measured power) and the control verbs AxeOS has: reboot, locate
// (identify, v2.12.0+), pause and resume (v2.14.0+), a power target by
// frequency, pools, and the log buffer (v2.15.0+). It has no restart of
// mining short of a reboot.
// Verbs an older release lacks answer EUNSUPPORTED naming the release
// needed.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry,
		hearth.CapBoards,
		hearth.CapFans,
		hearth.CapPools,
		hearth.CapPower,
		hearth.CapReboot,
		hearth.CapLocate,
		hearth.CapPause,
		hearth.CapPowerTarget,
		hearth.CapSetPools,
		hearth.CapFanMode,
		hearth.CapLogs,
	}
}

// DefaultPort returns 80, the port of AxeOS's HTTP API.
func (d *Driver) DefaultPort() int { return defaultPort }

// baseURL returns "http://host:port" for t and the host:port alone for
// messages, or an EINVALID error when t has no address or a bad port.
func (d *Driver) baseURL(t hearth.Target) (base, hostport string, err error) {
	return web.BaseURL(t, defaultPort)
}

// withDeadline returns ctx unchanged when it has a deadline, and otherwise
// a context bounded by d.Timeout.
func (d *Driver) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return web.WithDeadline(ctx, d.Timeout, DefaultTimeout)
}

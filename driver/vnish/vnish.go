// Package vnish is the hearth driver for VNish (AnthillOS), the aftermarket
// firmware for Antminers that serves a REST API under /api/v1 on port 80.
//
// Reads (/info, /summary, /status) need no credential on current releases;
// writes need a bearer token obtained with POST /api/v1/unlock {"pw": …}.
// The driver keeps one token per miner, unlocks again once when a token is
// refused, and backs off for the lock-out the firmware announces after wrong
// passwords (HTTP 403/429 with unlock_timeout) instead of hammering it.
//
// Importing the package registers the driver under the family "vnish".
package vnish

import (
	"context"
	"net"
	"strconv"
	"sync"
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

// DefaultPassword is the web password VNish ships with (pyasic's
// default_vnish_web_password). It is used when Target.Credentials is zero.
const DefaultPassword = "admin"

// defaultPort is where VNish serves its web interface and API.
const defaultPort = 80

// apiPrefix is the base path of every API call (the OpenAPI spec's server).
const apiPrefix = "/api/v1"

func init() { driver.Register(New()) }

// Driver speaks VNish. It is safe for concurrent use by many goroutines;
// one Driver serves a whole fleet.
type Driver struct {
	// Unsupported answers the verbs VNish lacks in this driver (fan mode)
	// with EUNSUPPORTED; the driver overrides the others.
	driver.Unsupported

	// Timeout bounds each request when the caller's context has no
	// deadline. Zero means DefaultTimeout.
	Timeout time.Duration

	client *httpClient

	mu sync.Mutex
	// sessions holds per-miner state keyed by host:port: the bearer token,
	// the end of a lock-out, and the hash-rate unit from /info.
	sessions map[string]*session
}

// session is what the driver remembers about one miner between calls.
type session struct {
	token       string
	lockedUntil time.Time
	// hashUnit is hashes per second per reported unit (1e9 for "GH/s"),
	// zero until /info has been read.
	hashUnit float64
}

// New returns a Driver with an HTTP client suited to sweeping a fleet: no
// keep-alives, no proxies, no redirects, no compression.
func New() *Driver {
	return &Driver{
		Unsupported: driver.Unsupported{Family: hearth.FamilyVNish},
		client:      newHTTPClient(),
		sessions:    map[string]*session{},
	}
}

// Family returns hearth.FamilyVNish.
func (d *Driver) Family() hearth.Family { return hearth.FamilyVNish }

// Capabilities lists what /summary carries (hash rate, boards with chip and
// PCB temperatures, fans, pools, measured power) and the control verbs VNish
// offers through its API: reboot, restart of the miner process, the locate
// toggle, pause and resume, a power target by autotune preset, pools, and
// the miner log.
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
		hearth.CapPowerTarget,
		hearth.CapSetPools,
		hearth.CapLogs,
	}
}

// DefaultPort returns 80, the port of VNish's web API.
func (d *Driver) DefaultPort() int { return defaultPort }

// endpoint is one miner's API address, resolved from a Target.
type endpoint struct {
	base     string // "http://host:port"
	hostport string // for messages and as the session key
	password string
}

// endpointOf resolves t, or returns EINVALID when t has no address or a bad
// port.
func endpointOf(t hearth.Target) (endpoint, error) {
	if t.Address == "" {
		return endpoint{}, hearth.Errorf(hearth.EINVALID, "Miner address required.")
	}
	port := t.Port
	if port == 0 {
		port = defaultPort
	}
	if port < 0 || port > 65535 {
		return endpoint{}, hearth.Errorf(hearth.EINVALID, "Miner port must be between 1 and 65535.")
	}
	hp := net.JoinHostPort(t.Address, strconv.Itoa(port))
	pw := t.Credentials.Password
	if t.Credentials == (hearth.Credentials{}) {
		pw = DefaultPassword
	}
	return endpoint{base: "http://" + hp, hostport: hp, password: pw}, nil
}

// session returns the remembered state for ep, creating it.
func (d *Driver) session(ep endpoint) *session {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sessions == nil {
		d.sessions = map[string]*session{}
	}
	s, ok := d.sessions[ep.hostport]
	if !ok {
		s = &session{}
		d.sessions[ep.hostport] = s
	}
	return s
}

// withDeadline returns ctx unchanged when it has a deadline, and otherwise
// a context bounded by d.Timeout.
func (d *Driver) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return web.WithDeadline(ctx, d.Timeout, DefaultTimeout)
}

// Package braiins is the driver for miners running Braiins OS (BOS, BOS+):
// it recognises them by the cgminer-compatible RPC on TCP 4028 (BOSer or
// BOSminer in its version reply), and reads and controls them over the
// gRPC public API (package braiins.bos.v1) on TCP 50051, which every BOS
// since 23.03 serves.
//
// Importing the package registers the driver for hearth.FamilyBraiins.
//
// The driver speaks gRPC without generated code: it encodes the few
// requests it sends and decodes the replies it reads by hand, with
// bounded decoders (messages.go, requests.go), behind a pass-through
// codec (codec.go). FetchLogs reads bosminer's log over the
// server-streaming MinerService/GetLog (logs.go). BOS measures power itself (an approximation of the
// consumption), so readings carry it unestimated. The REST API of BOS
// 25.07+ is not used: the gRPC API offers the same on every version.
//
// Sessions. The API wants a token from AuthenticationService/Login sent
// as "authorization" metadata; a token lapses after timeout_s (3600 s) of
// inactivity. The driver keeps one gRPC connection per miner with its
// token in a bounded cache (see Driver.MaxConnections), logs in again
// before the token lapses, and once more when the miner answers
// UNAUTHENTICATED.
package braiins

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

// Defaults of a Driver.
const (
	// DefaultAPIPort is the gRPC API's port.
	DefaultAPIPort = 50051
	// DefaultTimeout bounds one gRPC call when the caller's context has
	// no earlier deadline.
	DefaultTimeout = 10 * time.Second
	// MaxReplySize caps one gRPC reply; a larger one fails with
	// ETOOLARGE. The largest real reply (GetHashboards of a three-board
	// miner) is about 2 kB.
	MaxReplySize = 1 << 20
	// DefaultMaxConnections bounds the cache of connections and tokens.
	DefaultMaxConnections = 4096
	// DefaultIdleTimeout is how long a cached connection keeps its TCP
	// connection without a call (gRPC's idle mode then closes it and
	// the next call reconnects, keeping the token).
	DefaultIdleTimeout = 2 * time.Minute
)

// Default credentials. pyasic uses root/root; BOS before 25.07 shipped
// with an empty root password, which asic-rs uses there.
const (
	defaultUser     = "root"
	defaultPassword = "root"
)

// Driver speaks to Braiins OS miners. New returns one with the defaults;
// it is safe for concurrent use. Its fields must not change after the
// first call.
type Driver struct {
	// Unsupported answers verbs this driver lacks with EUNSUPPORTED. It
	// implements every verb hearth has today; the embedding keeps a verb
	// added to hearth.Controller later refused rather than a build
	// break for this driver.
	driver.Unsupported

	// RPC sends the cgminer-compatible version command that identifies
	// a BOS miner.
	RPC cgminer.Client
	// Timeout bounds each gRPC call within the caller's deadline; zero
	// means DefaultTimeout.
	Timeout time.Duration
	// MaxConnections bounds the cached connections (one per miner, with
	// its login token). When full, the least recently used is closed;
	// a fleet larger than this still works, logging in more often. Zero
	// means DefaultMaxConnections.
	MaxConnections int
	// IdleTimeout closes a cached connection's TCP connection after this
	// long without a call; zero means DefaultIdleTimeout.
	IdleTimeout time.Duration

	cache sessionCache
}

// New returns a Driver with default settings.
func New() *Driver {
	return &Driver{Unsupported: driver.Unsupported{Family: hearth.FamilyBraiins}}
}

// Family returns hearth.FamilyBraiins.
func (d *Driver) Family() hearth.Family { return hearth.FamilyBraiins }

// Capabilities lists what BOS reports (power included: the firmware
// measures it), every control verb and the log, all of which its gRPC
// API offers, and Stratum V2: bosminer mines on V2 pools natively, so
// SetPools passes stratum2+tcp://host:port/AUTHORITY_PUBKEY URLs through.
func (d *Driver) Capabilities() []hearth.Capability {
	return []hearth.Capability{
		hearth.CapTelemetry, hearth.CapBoards, hearth.CapFans, hearth.CapPools, hearth.CapPower,
		hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause,
		hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs,
		hearth.CapStratumV2,
	}
}

// DefaultPort returns the cgminer-compatible RPC port, 4028, on which a
// BOS miner is identified; the gRPC API's port is Target.APIPort.
func (d *Driver) DefaultPort() int { return cgminer.DefaultPort }

// Close closes every cached connection. The driver stays usable: a later
// call opens a new one.
func (d *Driver) Close() error {
	d.cache.closeAll()
	return nil
}

// rpcAddr returns host:port of t's cgminer-compatible RPC.
func rpcAddr(t hearth.Target) string {
	p := t.Port
	if p == 0 {
		p = cgminer.DefaultPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(p))
}

// apiAddr returns host:port of t's gRPC API.
func apiAddr(t hearth.Target) string {
	p := t.APIPort
	if p == 0 {
		p = DefaultAPIPort
	}
	return net.JoinHostPort(t.Address, strconv.Itoa(p))
}

func (d *Driver) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Driver) maxConnections() int {
	if d.MaxConnections > 0 {
		return d.MaxConnections
	}
	return DefaultMaxConnections
}

func (d *Driver) idleTimeout() time.Duration {
	if d.IdleTimeout > 0 {
		return d.IdleTimeout
	}
	return DefaultIdleTimeout
}

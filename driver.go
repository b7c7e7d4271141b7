package hearth

import "context"

// Capability is one thing a driver can do with a miner. Drivers declare
// theirs so that the API, the UI and controllers know what to offer; a verb
// a driver lacks fails with EUNSUPPORTED, never silently.
type Capability string

// Read capabilities. Control verbs join these as the drivers grow them.
const (
	// CapTelemetry: hash rate, shares and uptime.
	CapTelemetry Capability = "telemetry"
	// CapBoards: per-board hash rate, temperatures and chip counts.
	CapBoards Capability = "boards"
	// CapFans: per-fan speed.
	CapFans Capability = "fans"
	// CapPools: configured pools and their status.
	CapPools Capability = "pools"
	// CapPower: measured power. A driver without it estimates power.
	CapPower Capability = "power"
)

// Target is where a driver finds a miner.
type Target struct {
	Address string
	// Credentials for writes; zero means the family's default.
	Credentials Credentials
	// Port and WebPort are as in Miner: zero means the family's default.
	Port    int
	WebPort int
	// APIPort is as in Miner: the second management API's port (Whatsminer
	// API v3, Braiins OS gRPC); zero means the family's default.
	APIPort int
	// Model, when known from identification, lets a driver fill values the
	// firmware does not report (expected chips, nameplate efficiency).
	Model string
}

// TargetOf returns where to find m.
func TargetOf(m *Miner) Target {
	return Target{Address: m.Address, Port: m.Port, WebPort: m.WebPort, APIPort: m.APIPort, Model: m.Model}
}

// Driver speaks one protocol family. Implementations live in driver/ and
// register themselves in its registry; nothing above the drivers knows a
// vendor's field names.
//
// Every method must honour ctx's deadline, cap what it reads from a miner
// (a hostile or broken miner cannot exhaust hearth), and return errors with
// hearth codes (ETIMEOUT, EUNAVAILABLE, EPROTOCOL, ETOOLARGE, EAUTH) so the
// poller can branch on them.
type Driver interface {
	// Family names the protocol family.
	Family() Family
	// Capabilities lists what the driver can do.
	Capabilities() []Capability
	// DefaultPort is the port of the primary protocol when Target.Port is 0.
	DefaultPort() int
	// Identify probes t. It returns EUNSUPPORTED when the machine there
	// does not speak this family, and fills Identity otherwise.
	Identify(ctx context.Context, t Target) (*Identity, error)
	// Poll takes one full reading. It returns an error only when nothing
	// usable came back; a partial failure is recorded in PollErrors.
	Poll(ctx context.Context, t Target) (*Reading, error)
	// Controller is the uniform set of control verbs.
	Controller
}

// FirmwareCapabilities is implemented by drivers whose verbs depend on the
// firmware release. CapabilitiesOf narrows Capabilities to what firmware
// (Identity.Firmware) has, so that the power controller, say, plans with
// what a miner can do rather than learning it from a refused command.
type FirmwareCapabilities interface {
	CapabilitiesOf(firmware string) []Capability
}

package hearth

import (
	"context"
	"time"
)

// Family names a protocol family: the set of firmwares one driver speaks.
type Family string

// The families hearth knows. Drivers register under these names.
const (
	// FamilyAntminer is Bitmain's stock firmware (bmminer): CGMiner RPC on
	// TCP 4028 for reading, the web CGI for writing.
	FamilyAntminer Family = "antminer"
	// FamilyAxeOS is the ESP-Miner firmware of Bitaxe-class home miners:
	// JSON over HTTP on port 80.
	FamilyAxeOS Family = "axeos"
	// FamilyLuxOS is Luxor's LuxOS firmware on Antminer hardware: the
	// CGMiner RPC on TCP 4028 with LuxOS's extensions, writes authorised
	// by a session that only one client may hold at a time.
	FamilyLuxOS Family = "luxos"
	// FamilyAvalon is Canaan's Avalon firmware, a cgminer 4.11 fork: the
	// CGMiner RPC on TCP 4028 with Avalon's ascset extensions for writes.
	FamilyAvalon Family = "avalon"
	// FamilyVNish is the VNish (AnthillOS) firmware for Antminers: a REST
	// API on port 80 unlocked with a password.
	FamilyVNish Family = "vnish"
	// FamilyEPIC is ePIC's UMC (PowerPlay) firmware: HTTP on port 4028
	// with the password in each write's body.
	FamilyEPIC Family = "epic"
	// FamilyWhatsminer is MicroBT's btminer firmware: API v2 on TCP 4028
	// (encrypted writes) and API v3 on TCP 4433.
	FamilyWhatsminer Family = "whatsminer"
	// FamilyBraiins is Braiins OS (BOS, BOS+) on Antminer hardware: the
	// gRPC public API on TCP 50051, the REST API on port 80 from 25.07,
	// and a CGMiner-compatible RPC on TCP 4028 for identification.
	FamilyBraiins Family = "braiins"
)

// Miner is one machine in the inventory. Its ID never changes once given;
// everything else may be corrected by later identification.
type Miner struct {
	// ID is the stable identifier, used in URLs and as the "miner" metric
	// label. It is chosen at creation (from the hostname where that is
	// unique) and never reused for another machine.
	ID string `json:"id"`
	// Address is the host (an IP address or a DNS name) without port.
	Address string `json:"address"`
	// Port is the port of the miner's primary management protocol; zero
	// means the family's default (4028 for CGMiner RPC, 80 for AxeOS).
	Port int `json:"port,omitempty"`
	// WebPort is the port of the miner's web interface where the family
	// uses one besides its primary protocol; zero means 80.
	WebPort int `json:"web_port,omitempty"`
	// APIPort is the port of a second management API some families run
	// besides the primary one: Whatsminer's API v3 (4433) and Braiins OS's
	// gRPC API (50051). Zero means the family's default, so only a miner
	// behind port forwarding, or a simulator, sets it.
	APIPort int `json:"api_port,omitempty"`

	Family   Family `json:"family"`
	Firmware string `json:"firmware,omitempty"`
	Model    string `json:"model,omitempty"`
	Serial   string `json:"serial,omitempty"`
	MAC      string `json:"mac,omitempty"`
	Hostname string `json:"hostname,omitempty"`

	// Site is the site the miner belongs to; "" means the default site.
	// Storing a miner whose site does not exist yet creates the site (see
	// SiteService).
	Site string `json:"site,omitempty"`
	// Position is where the miner sits within its site.
	Position Position `json:"position,omitzero"`
	Tags     []string `json:"tags,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Identity is what a driver learns about a machine by probing it. It fills
// the descriptive fields of a Miner.
type Identity struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
	// WebPort is the web interface's port where the family uses one
	// besides its primary protocol and it is not the standard 80.
	WebPort int `json:"web_port,omitempty"`
	// APIPort is the second management API's port (see Miner.APIPort)
	// when it is not the family's default.
	APIPort  int    `json:"api_port,omitempty"`
	Family   Family `json:"family"`
	Firmware string `json:"firmware"`
	Model    string `json:"model"`
	Serial   string `json:"serial,omitempty"`
	MAC      string `json:"mac,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	// HashRate is the hash rate seen while probing, in hashes per second,
	// so that a scan can show at a glance what each machine does.
	HashRate float64 `json:"hashrate_hs"`
}

// MinerFilter selects miners. Zero fields select everything.
type MinerFilter struct {
	Site string
	// Group, when set, selects the members of that group.
	Group  string
	Family Family
	IDs    []string
	Limit  int
	Offset int
}

// MinerService is the inventory: the miners hearth manages.
type MinerService interface {
	// FindMinerByID returns the miner or an ENOTFOUND error.
	FindMinerByID(ctx context.Context, id string) (*Miner, error)
	// FindMiners returns the miners matching filter, ordered by ID, and the
	// total count matching the filter before Limit and Offset apply.
	FindMiners(ctx context.Context, filter MinerFilter) ([]*Miner, int, error)
	// CreateMiner adds m. It sets m.ID when empty, and CreatedAt and
	// UpdatedAt. It returns ECONFLICT when the ID or the address and port
	// are taken, and EINVALID when a required field is missing.
	CreateMiner(ctx context.Context, m *Miner) error
	// UpdateMiner stores the descriptive fields of m (everything but ID and
	// CreatedAt) and returns ENOTFOUND when m.ID is unknown.
	UpdateMiner(ctx context.Context, m *Miner) error
	// DeleteMiner removes the miner and returns ENOTFOUND when it is unknown.
	DeleteMiner(ctx context.Context, id string) error
}

// Validate reports an EINVALID error when m lacks what every miner needs.
func (m *Miner) Validate() error {
	if m.Address == "" {
		return Errorf(EINVALID, "Miner address required.")
	}
	if m.Family == "" {
		return Errorf(EINVALID, "Miner family required.")
	}
	if m.Port < 0 || m.Port > 65535 || m.WebPort < 0 || m.WebPort > 65535 || m.APIPort < 0 || m.APIPort > 65535 {
		return Errorf(EINVALID, "Miner port must be between 1 and 65535.")
	}
	if m.Site != "" {
		if err := ValidateName("Site", m.Site); err != nil {
			return err
		}
	}
	return m.Position.Validate()
}

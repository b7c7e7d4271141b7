package http

import (
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/hearth-fleet/hearth"
)

// Limits on the free-text fields of a new miner. They keep labels and table
// cells sane; nothing legitimate comes near them.
const (
	maxTags      = 32
	maxTagLength = 64
	maxSiteLen   = 64
)

var (
	// validMinerID keeps IDs safe in URLs, PromQL label matchers and file
	// names: the ID becomes the "miner" label of every series.
	validMinerID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	// validFamily is the shape of a family name; whether a driver exists
	// for it is the driver registry's business.
	validFamily = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	// validHostLabel is one label of a DNS name. Underscores are accepted
	// because some LAN name services hand them out.
	validHostLabel = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$`)
	// dottedNumbers looks like an IPv4 address, so that "10.0.0.256" is
	// reported as a bad IP rather than as a bad host name.
	dottedNumbers = regexp.MustCompile(`^[0-9.]+$`)
)

// CreateMinerRequest is the body of POST /api/v1/miners.
type CreateMinerRequest struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	WebPort int    `json:"web_port"`
	// APIPort is the port of the family's second API (Whatsminer API v3,
	// Braiins OS gRPC) when it is not the default.
	APIPort int           `json:"api_port"`
	Family  hearth.Family `json:"family"`
	Site    string        `json:"site"`
	// Position is where the miner sits within its site.
	Position hearth.Position `json:"position"`
	Tags     []string        `json:"tags"`
}

// miner validates the request and returns the miner it describes. Errors
// are EINVALID and name the field and what is wrong with it.
func (req CreateMinerRequest) miner() (*hearth.Miner, error) {
	addr, err := normalizeAddress(req.Address)
	if err != nil {
		return nil, err
	}
	m := &hearth.Miner{Address: addr, Port: req.Port, WebPort: req.WebPort, APIPort: req.APIPort}

	if req.ID != "" {
		if !validMinerID.MatchString(req.ID) {
			return nil, hearth.Errorf(hearth.EINVALID, `Miner id %q must be 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit.`, req.ID)
		}
		m.ID = req.ID
	}
	if req.Port < 0 || req.Port > 65535 {
		return nil, hearth.Errorf(hearth.EINVALID, "Field port must be between 1 and 65535 (or 0 for the family's default), not %d.", req.Port)
	}
	if req.WebPort < 0 || req.WebPort > 65535 {
		return nil, hearth.Errorf(hearth.EINVALID, "Field web_port must be between 1 and 65535 (or 0 for port 80), not %d.", req.WebPort)
	}
	if req.APIPort < 0 || req.APIPort > 65535 {
		return nil, hearth.Errorf(hearth.EINVALID, "Field api_port must be between 1 and 65535 (or 0 for the family's default), not %d.", req.APIPort)
	}
	if req.Family != "" {
		family := hearth.Family(strings.ToLower(strings.TrimSpace(string(req.Family))))
		if !validFamily.MatchString(string(family)) {
			return nil, hearth.Errorf(hearth.EINVALID, "Family %q is not a family name such as %q or %q.", req.Family, hearth.FamilyAntminer, hearth.FamilyAxeOS)
		}
		m.Family = family
	}

	m.Site = strings.TrimSpace(req.Site)
	if len(m.Site) > maxSiteLen || hasControl(m.Site) {
		return nil, hearth.Errorf(hearth.EINVALID, "Site must be at most %d printable characters.", maxSiteLen)
	}
	if m.Site != "" {
		if err := hearth.ValidateName("Site", m.Site); err != nil {
			return nil, err
		}
	}
	m.Position = hearth.Position{Row: strings.TrimSpace(req.Position.Row), Rack: strings.TrimSpace(req.Position.Rack),
		Shelf: strings.TrimSpace(req.Position.Shelf), Slot: strings.TrimSpace(req.Position.Slot)}
	if err := m.Position.Validate(); err != nil {
		return nil, err
	}

	if len(req.Tags) > maxTags {
		return nil, hearth.Errorf(hearth.EINVALID, "A miner takes at most %d tags, not %d.", maxTags, len(req.Tags))
	}
	for _, tag := range req.Tags {
		tag = strings.TrimSpace(tag)
		if tag == "" || len(tag) > maxTagLength || hasControl(tag) {
			return nil, hearth.Errorf(hearth.EINVALID, "Tag %q must be 1 to %d printable characters.", tag, maxTagLength)
		}
		if !slices.Contains(m.Tags, tag) {
			m.Tags = append(m.Tags, tag)
		}
	}
	return m, nil
}

// normalizeAddress checks that a is a host name or an IP address and
// nothing more, and says precisely what is wrong otherwise: the common
// mistakes are pasting a URL from the browser or an address with its port.
func normalizeAddress(a string) (string, error) {
	a = strings.TrimSpace(a)
	if a == "" {
		return "", hearth.Errorf(hearth.EINVALID, "Miner address required: give the miner's IP address or host name in \"address\".")
	}
	if strings.Contains(a, "://") {
		return "", hearth.Errorf(hearth.EINVALID, "Address %q must be an IP address or host name alone, without a scheme such as \"http://\".", a)
	}
	if strings.ContainsAny(a, "/?#@ \t\r\n") {
		return "", hearth.Errorf(hearth.EINVALID, "Address %q must be an IP address or host name alone, without a path, user or spaces.", a)
	}
	if ip, err := netip.ParseAddr(a); err == nil {
		if ip.IsUnspecified() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return "", hearth.Errorf(hearth.EINVALID, "Address %q is not the address of a single machine.", a)
		}
		return ip.String(), nil
	}
	if host, port, err := net.SplitHostPort(a); err == nil {
		return "", hearth.Errorf(hearth.EINVALID, "Address %q includes a port: give %q in \"address\" and %s in \"port\".", a, host, port)
	}
	if dottedNumbers.MatchString(a) {
		return "", hearth.Errorf(hearth.EINVALID, "Address %q is not a valid IP address.", a)
	}
	name := strings.TrimSuffix(a, ".")
	if len(name) > 253 {
		return "", hearth.Errorf(hearth.EINVALID, "Address %q is too long for a host name.", a)
	}
	for _, label := range strings.Split(name, ".") {
		if !validHostLabel.MatchString(label) {
			return "", hearth.Errorf(hearth.EINVALID, "Address %q is neither an IP address nor a valid host name.", a)
		}
	}
	return strings.ToLower(name), nil
}

// hasControl reports whether s holds control characters, which have no
// place in a label or a table cell.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// PlacedMiner is what a positions import needs to know of a miner: the
// keys a positions file may name it by, and where it is now.
type PlacedMiner struct {
	ID, Address, MAC, Serial string
	Place                    hearth.SitePosition
}

// MinerIndex finds miners by what a positions file may name them by: ID,
// address, MAC or serial number. Both stores load their miners into one and
// let PlanPositions decide what an import does, so that they match and
// refuse the same lines.
type MinerIndex struct {
	byID                       map[string]*PlacedMiner
	byAddress, byMAC, bySerial map[string][]*PlacedMiner
}

// NewMinerIndex returns an empty index.
func NewMinerIndex() *MinerIndex {
	return &MinerIndex{byID: map[string]*PlacedMiner{}, byAddress: map[string][]*PlacedMiner{},
		byMAC: map[string][]*PlacedMiner{}, bySerial: map[string][]*PlacedMiner{}}
}

// Add indexes m. Miners should be added in ID order, so that a key shared
// by several miners lists them in that order.
func (idx *MinerIndex) Add(m *PlacedMiner) {
	idx.byID[m.ID] = m
	idx.byAddress[normalizeAddress(m.Address)] = append(idx.byAddress[normalizeAddress(m.Address)], m)
	if m.MAC != "" {
		idx.byMAC[normalizeMAC(m.MAC)] = append(idx.byMAC[normalizeMAC(m.MAC)], m)
	}
	if m.Serial != "" {
		idx.bySerial[strings.ToUpper(m.Serial)] = append(idx.bySerial[strings.ToUpper(m.Serial)], m)
	}
}

// Find returns the one miner key names: by ID, else by address, MAC or
// serial number. A key that matches several miners (one address with
// several ports, say) is an EINVALID error asking for the ID.
func (idx *MinerIndex) Find(key string) (*PlacedMiner, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "No miner named.")
	}
	if m := idx.byID[key]; m != nil {
		return m, nil
	}
	for _, by := range []struct {
		what    string
		matches []*PlacedMiner
	}{
		{"address", idx.byAddress[normalizeAddress(key)]},
		{"MAC", idx.byMAC[normalizeMAC(key)]},
		{"serial number", idx.bySerial[strings.ToUpper(key)]},
	} {
		switch len(by.matches) {
		case 0:
			continue
		case 1:
			return by.matches[0], nil
		default:
			ids := make([]string, len(by.matches))
			for i, m := range by.matches {
				ids[i] = m.ID
			}
			return nil, hearth.Errorf(hearth.EINVALID, "%q is the %s of several miners (%s); name one by its ID.", key, by.what, strings.Join(ids, ", "))
		}
	}
	return nil, hearth.Errorf(hearth.EINVALID, "No miner has the ID, address, MAC or serial number %q.", key)
}

// PlanPositions decides what importing as does to the miners in idx, given
// the sites that exist: the changes, the lines that change nothing and the
// sites to create (see SiteRequired). It stores nothing; a store applies
// the plan in the transaction it loaded idx and sites in. Any line that
// names no miner or several, places a miner a second time, or gives an
// invalid site or position fails the whole import with an EINVALID error
// naming the line.
func PlanPositions(as []*hearth.PositionAssignment, idx *MinerIndex, sites map[string]bool, dryRun bool) (*hearth.PositionImport, error) {
	report := &hearth.PositionImport{DryRun: dryRun, Changes: []*hearth.PositionChange{}, SitesCreated: []string{}}
	known := make(map[string]bool, len(sites))
	for name := range sites {
		known[name] = true
	}
	placedBy := map[string]int{} // miner ID → the line that placed it
	for i, a := range as {
		line := a.Line
		if line == 0 {
			line = i + 1
		}
		m, err := idx.Find(a.Miner)
		if err != nil {
			return nil, atLine(line, err)
		}
		if prev, dup := placedBy[m.ID]; dup {
			return nil, hearth.Errorf(hearth.EINVALID, "Line %d: miner %q is placed already by line %d.", line, m.ID, prev)
		}
		placedBy[m.ID] = line
		site, pos := a.Apply(m.Place.Site, m.Place.Position)
		if site != "" {
			if err := hearth.ValidateName("Site", site); err != nil {
				return nil, atLine(line, err)
			}
		}
		if err := pos.Validate(); err != nil {
			return nil, atLine(line, err)
		}
		after := hearth.SitePosition{Site: site, Position: pos}
		if after == m.Place {
			report.Unchanged++
			continue
		}
		if SiteRequired(site) && !known[site] {
			known[site] = true
			report.SitesCreated = append(report.SitesCreated, site)
		}
		report.Changes = append(report.Changes, &hearth.PositionChange{Line: line, MinerID: m.ID, Before: m.Place, After: after})
	}
	slices.Sort(report.SitesCreated)
	return report, nil
}

// SiteRequired reports whether a miner whose Site is name needs a row in
// the sites table: every site does but the default site "", which has no
// row. A store creates the row, with no facts recorded, in the transaction
// that stores the miner (see hearth.SiteService), so a miner's site always
// exists.
func SiteRequired(name string) bool { return name != "" }

// RequiredSites returns the distinct sites of ms that need a row (see
// SiteRequired), in the order they first appear.
func RequiredSites(ms []*hearth.Miner) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range ms {
		if SiteRequired(m.Site) && !seen[m.Site] {
			seen[m.Site] = true
			names = append(names, m.Site)
		}
	}
	return names
}

// atLine prefixes a domain error's message with the line it is about.
func atLine(line int, err error) error {
	return &hearth.Error{Code: hearth.ErrorCode(err), Message: fmt.Sprintf("Line %d: %s", line, hearth.ErrorMessage(err)), Err: err}
}

// normalizeAddress makes addresses comparable: IPs in canonical form, host
// names in lower case.
func normalizeAddress(a string) string {
	if ip, err := netip.ParseAddr(a); err == nil {
		return ip.String()
	}
	return strings.ToLower(a)
}

// normalizeMAC makes MAC addresses comparable whatever their separators
// and case: "02-11-22-A1-B2-C3" and "02:11:22:a1:b2:c3" are one.
func normalizeMAC(mac string) string {
	return macSeparators.Replace(strings.ToLower(mac))
}

// macSeparators drops the separators normalizeMAC ignores; built once.
var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")

// LoadPlacements reads, inside tx, where every miner is and which sites
// exist: what PlanPositions plans from. lock is appended to the miners'
// SELECT (" FOR UPDATE" to lock their rows until tx ends, or "").
func LoadPlacements(ctx context.Context, tx *sql.Tx, lock string) (*MinerIndex, map[string]bool, error) {
	idx := NewMinerIndex()
	rows, err := tx.QueryContext(ctx, `SELECT id, address, mac, serial, site, pos_row, pos_rack, pos_shelf, pos_slot FROM miners ORDER BY id`+lock)
	if err != nil {
		return nil, nil, fmt.Errorf("load miners: %w", err)
	}
	for rows.Next() {
		m := &PlacedMiner{}
		p := &m.Place.Position
		if err := rows.Scan(&m.ID, &m.Address, &m.MAC, &m.Serial, &m.Place.Site, &p.Row, &p.Rack, &p.Shelf, &p.Slot); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("load miners: %w", err)
		}
		idx.Add(m)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, nil, fmt.Errorf("load miners: %w", err)
	}
	rows.Close()

	sites := map[string]bool{}
	siteRows, err := tx.QueryContext(ctx, `SELECT name FROM sites`)
	if err != nil {
		return nil, nil, fmt.Errorf("load sites: %w", err)
	}
	defer siteRows.Close()
	for siteRows.Next() {
		var name string
		if err := siteRows.Scan(&name); err != nil {
			return nil, nil, fmt.Errorf("load sites: %w", err)
		}
		sites[name] = true
	}
	if err := siteRows.Err(); err != nil {
		return nil, nil, fmt.Errorf("load sites: %w", err)
	}
	return idx, sites, nil
}

package sqlite

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.PositionService = (*PositionService)(nil)

// PositionService places miners in bulk, in one transaction. It implements
// hearth.PositionService.
type PositionService struct {
	db *DB
}

// NewPositionService returns the position importer of db.
func NewPositionService(db *DB) *PositionService {
	return &PositionService{db: db}
}

// placedMiner is what an import needs to know of a miner.
type placedMiner struct {
	id, address, mac, serial string
	place                    hearth.Placement
}

// minerIndex finds miners by what a positions file may name them by.
type minerIndex struct {
	byID                       map[string]*placedMiner
	byAddress, byMAC, bySerial map[string][]*placedMiner
}

// ImportPositions applies every assignment or none. See
// hearth.PositionService.
func (s *PositionService) ImportPositions(ctx context.Context, as []*hearth.PositionAssignment, dryRun bool) (*hearth.PositionImport, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	idx := minerIndex{byID: map[string]*placedMiner{}, byAddress: map[string][]*placedMiner{},
		byMAC: map[string][]*placedMiner{}, bySerial: map[string][]*placedMiner{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, address, mac, serial, site, pos_row, pos_rack, pos_shelf, pos_slot FROM miners ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load miners: %w", err)
	}
	for rows.Next() {
		m := &placedMiner{}
		p := &m.place.Position
		if err := rows.Scan(&m.id, &m.address, &m.mac, &m.serial, &m.place.Site, &p.Row, &p.Rack, &p.Shelf, &p.Slot); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load miners: %w", err)
		}
		idx.byID[m.id] = m
		idx.byAddress[normalizeAddress(m.address)] = append(idx.byAddress[normalizeAddress(m.address)], m)
		if m.mac != "" {
			idx.byMAC[normalizeMAC(m.mac)] = append(idx.byMAC[normalizeMAC(m.mac)], m)
		}
		if m.serial != "" {
			idx.bySerial[strings.ToUpper(m.serial)] = append(idx.bySerial[strings.ToUpper(m.serial)], m)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("load miners: %w", err)
	}
	rows.Close()

	existingSites := map[string]bool{}
	siteRows, err := tx.QueryContext(ctx, `SELECT name FROM sites`)
	if err != nil {
		return nil, fmt.Errorf("load sites: %w", err)
	}
	for siteRows.Next() {
		var name string
		if err := siteRows.Scan(&name); err != nil {
			siteRows.Close()
			return nil, fmt.Errorf("load sites: %w", err)
		}
		existingSites[name] = true
	}
	siteRows.Close()

	report := &hearth.PositionImport{DryRun: dryRun, Changes: []*hearth.PositionChange{}, SitesCreated: []string{}}
	placedBy := map[string]int{} // miner ID → the line that placed it
	for i, a := range as {
		line := a.Line
		if line == 0 {
			line = i + 1
		}
		m, err := idx.find(a.Miner)
		if err != nil {
			return nil, atLine(line, err)
		}
		if prev, dup := placedBy[m.id]; dup {
			return nil, hearth.Errorf(hearth.EINVALID, "Line %d: miner %q is placed already by line %d.", line, m.id, prev)
		}
		placedBy[m.id] = line
		site, pos := a.Apply(m.place.Site, m.place.Position)
		if site != "" {
			if err := hearth.ValidateName("Site", site); err != nil {
				return nil, atLine(line, err)
			}
		}
		if err := pos.Validate(); err != nil {
			return nil, atLine(line, err)
		}
		after := hearth.Placement{Site: site, Position: pos}
		if after == m.place {
			report.Unchanged++
			continue
		}
		if site != "" && !existingSites[site] {
			existingSites[site] = true
			report.SitesCreated = append(report.SitesCreated, site)
		}
		report.Changes = append(report.Changes, &hearth.PositionChange{Line: line, MinerID: m.id, Before: m.place, After: after})
	}
	slices.Sort(report.SitesCreated)
	if dryRun || len(report.Changes) == 0 {
		return report, nil
	}

	now := s.db.now()
	for _, site := range report.SitesCreated {
		if err := ensureSite(ctx, tx, site, now); err != nil {
			return nil, err
		}
	}
	update, err := tx.PrepareContext(ctx, `UPDATE miners SET site = ?, pos_row = ?, pos_rack = ?, pos_shelf = ?, pos_slot = ?, updated_at = ? WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("prepare position update: %w", err)
	}
	defer update.Close()
	for _, c := range report.Changes {
		p := c.After.Position
		if _, err := update.ExecContext(ctx, c.After.Site, p.Row, p.Rack, p.Shelf, p.Slot, timestamp(now), c.MinerID); err != nil {
			return nil, fmt.Errorf("line %d: place miner %q: %w", c.Line, c.MinerID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit positions: %w", err)
	}
	return report, nil
}

// find returns the one miner key names: by ID, else by address, MAC or
// serial number. A key that matches several miners (one address with
// several ports, say) is an error asking for the ID.
func (idx *minerIndex) find(key string) (*placedMiner, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "No miner named.")
	}
	if m := idx.byID[key]; m != nil {
		return m, nil
	}
	for _, by := range []struct {
		what    string
		matches []*placedMiner
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
				ids[i] = m.id
			}
			return nil, hearth.Errorf(hearth.EINVALID, "%q is the %s of several miners (%s); name one by its ID.", key, by.what, strings.Join(ids, ", "))
		}
	}
	return nil, hearth.Errorf(hearth.EINVALID, "No miner has the ID, address, MAC or serial number %q.", key)
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
	return strings.NewReplacer(":", "", "-", "", ".", "").Replace(strings.ToLower(mac))
}

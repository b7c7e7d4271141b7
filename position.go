package hearth

import (
	"context"
	"strings"
	"unicode"
)

// MaxPositionPartLen bounds each part of a Position.
const MaxPositionPartLen = 32

// Position is where a miner physically sits within its site, so that a
// technician walks to the right machine. Each part is free text ("A",
// "07", "top"), since sites number their racks in their own ways; "" means
// not recorded.
type Position struct {
	Row   string `json:"row,omitempty"`
	Rack  string `json:"rack,omitempty"`
	Shelf string `json:"shelf,omitempty"`
	Slot  string `json:"slot,omitempty"`
}

// IsZero reports whether no part of the position is recorded.
func (p Position) IsZero() bool { return p == Position{} }

// String gives the position as a technician reads it, "row A rack 07
// shelf 2 slot 3", leaving out parts not recorded; "" when none is.
func (p Position) String() string {
	var parts []string
	for _, f := range []struct{ name, value string }{{"row", p.Row}, {"rack", p.Rack}, {"shelf", p.Shelf}, {"slot", p.Slot}} {
		if f.value != "" {
			parts = append(parts, f.name+" "+f.value)
		}
	}
	return strings.Join(parts, " ")
}

// Validate reports an EINVALID error naming the part that is too long or
// holds control characters.
func (p Position) Validate() error {
	for _, f := range []struct{ name, value string }{{"row", p.Row}, {"rack", p.Rack}, {"shelf", p.Shelf}, {"slot", p.Slot}} {
		if len(f.value) > MaxPositionPartLen || strings.IndexFunc(f.value, unicode.IsControl) >= 0 || strings.TrimSpace(f.value) != f.value {
			return Errorf(EINVALID, "Position %s %q must be at most %d printable characters without leading or trailing spaces.", f.name, f.value, MaxPositionPartLen)
		}
	}
	return nil
}

// PositionAssignment is one line of a positions import: which miner, and
// the site and position to give it. A nil field is left as it is (its
// column was absent from the file); a pointer to "" clears it.
type PositionAssignment struct {
	// Line is the line of the source file, for messages; 0 when unknown.
	Line int `json:"line,omitempty"`
	// Miner names the miner by its ID, address, MAC or serial number,
	// tried in that order.
	Miner string  `json:"miner"`
	Site  *string `json:"site,omitempty"`
	Row   *string `json:"row,omitempty"`
	Rack  *string `json:"rack,omitempty"`
	Shelf *string `json:"shelf,omitempty"`
	Slot  *string `json:"slot,omitempty"`
}

// Apply returns site and p changed as a says.
func (a *PositionAssignment) Apply(site string, p Position) (string, Position) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&site, a.Site)
	set(&p.Row, a.Row)
	set(&p.Rack, a.Rack)
	set(&p.Shelf, a.Shelf)
	set(&p.Slot, a.Slot)
	return site, p
}

// SitePosition is where a miner is: its site and its position there.
type SitePosition struct {
	Site     string   `json:"site"`
	Position Position `json:"position"`
}

// PositionChange is what an import does, or would do, to one miner.
type PositionChange struct {
	Line    int          `json:"line,omitempty"`
	MinerID string       `json:"miner"`
	Before  SitePosition `json:"before"`
	After   SitePosition `json:"after"`
}

// PositionImport reports an import of positions.
type PositionImport struct {
	// DryRun is true when nothing was stored: Changes is what would
	// have been done.
	DryRun  bool              `json:"dry_run"`
	Changes []*PositionChange `json:"changes"`
	// Unchanged counts the lines that named a miner already placed as
	// they say.
	Unchanged int `json:"unchanged"`
	// SitesCreated are the sites the import created (or would create)
	// because a line named them and they did not exist.
	SitesCreated []string `json:"sites_created"`
}

// PositionService places miners in bulk.
type PositionService interface {
	// ImportPositions applies every assignment or none: an assignment that
	// matches no miner, or more than one, or gives an invalid site or
	// position, fails the whole import with an EINVALID error naming its
	// line. With dryRun nothing is stored and the report says what
	// would change.
	ImportPositions(ctx context.Context, as []*PositionAssignment, dryRun bool) (*PositionImport, error)
}

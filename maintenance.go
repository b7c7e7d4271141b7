package hearth

import (
	"context"
	"time"
)

// MaintenanceThresholds say what goes into the maintenance queue and when
// a rack is worth a technician's visit. Boards are replaced in batches: a
// visit to swap one board costs nearly as much as one to swap ten, so
// hearth gathers the work by rack and marks a rack ready once enough of it
// is broken.
type MaintenanceThresholds struct {
	// FailedChips is N: a board with more than N failed chips needs
	// replacing (a dead board, answering with no chips, always does).
	FailedChips int `json:"failed_chips"`
	// Faults is K: a miner with at least K firing alerts within the last
	// FaultDays days (info-severity ones left out) is queued for a look.
	Faults    int `json:"faults"`
	FaultDays int `json:"fault_days"`
	// RackBoards is M and RackPercent P: a rack is ready once at least M
	// of its boards, or at least P % of them, need replacing.
	RackBoards  int     `json:"rack_boards"`
	RackPercent float64 `json:"rack_percent"`
}

// DefaultMaintenanceThresholds are the thresholds of a hearth not told
// otherwise: boards with more than 3 failed chips, miners with 3 faults in
// 7 days, racks ready at 4 boards or 10 % of their boards.
var DefaultMaintenanceThresholds = MaintenanceThresholds{
	FailedChips: 3,
	Faults:      3,
	FaultDays:   7,
	RackBoards:  4,
	RackPercent: 10,
}

// Validate reports an EINVALID error for a threshold that would queue
// everything or nothing by accident: negative counts, a fault count or
// window of zero, a rack level of zero boards, a percentage outside 0-100.
func (t MaintenanceThresholds) Validate() error {
	switch {
	case t.FailedChips < 0:
		return Errorf(EINVALID, "The failed-chip threshold must not be negative, not %d.", t.FailedChips)
	case t.Faults < 1:
		return Errorf(EINVALID, "The fault count must be at least 1, not %d.", t.Faults)
	case t.FaultDays < 1:
		return Errorf(EINVALID, "The fault window must be at least 1 day, not %d.", t.FaultDays)
	case t.RackBoards < 1:
		return Errorf(EINVALID, "A rack needs at least 1 board to replace to be ready, not %d.", t.RackBoards)
	case !(t.RackPercent > 0 && t.RackPercent <= 100): // NaN too
		return Errorf(EINVALID, "The rack percentage must be above 0 and at most 100, not %g.", t.RackPercent)
	}
	return nil
}

// MaintenanceKind names why an item is in the maintenance queue.
type MaintenanceKind string

// The kinds of maintenance item.
const (
	// MaintenanceBoard is a board to replace: too many failed chips, or
	// dead.
	MaintenanceBoard MaintenanceKind = "board"
	// MaintenanceMiner is a miner that keeps raising alerts.
	MaintenanceMiner MaintenanceKind = "miner"
)

// MaintenanceItem is one thing a technician should service: a board or a
// miner, with where to find it.
type MaintenanceItem struct {
	Kind     MaintenanceKind `json:"kind"`
	MinerID  string          `json:"miner_id"`
	Hostname string          `json:"hostname,omitempty"`
	Site     string          `json:"site,omitempty"`
	Position Position        `json:"position"`
	Model    string          `json:"model,omitempty"`
	// Board is the board's index (Board.Index); set for board items only.
	Board *int `json:"board,omitempty"`
	// FailedChips, Chips and ExpectedChips are the board's, from its
	// latest reading; Dead is true when it answers with no chips.
	FailedChips   int  `json:"failed_chips,omitempty"`
	Chips         int  `json:"chips,omitempty"`
	ExpectedChips int  `json:"expected_chips,omitempty"`
	Dead          bool `json:"dead,omitempty"`
	// Faults counts the miner's firing alerts within the fault window,
	// and Alerts names them; set for miner items.
	Faults int      `json:"faults,omitempty"`
	Alerts []string `json:"alerts,omitempty"`
	// Since is when the trouble was first seen: the first alert about the
	// board or miner still on record, or else the reading that shows it.
	Since time.Time `json:"since,omitzero"`
}

// NoRack is the rack name of the miners of a site whose position has no
// rack.
const NoRack = "(no rack)"

// MaintenanceRack is the work waiting in one rack of a site.
type MaintenanceRack struct {
	Site string `json:"site"`
	Row  string `json:"row,omitempty"`
	// Rack is the rack's name, NoRack for miners without one.
	Rack string `json:"rack"`
	// Boards counts the boards of the rack's miners (their latest
	// readings), and Replace those needing replacement.
	Boards  int `json:"boards"`
	Replace int `json:"replace"`
	// Level is Replace over Boards, from 0 to 1.
	Level float64 `json:"level"`
	// Ready is true once the rack reaches the thresholds' level.
	Ready bool `json:"ready"`
	// Items are the boards and miners to service, by position.
	Items []MaintenanceItem `json:"items"`
}

// MaintenanceSite is the racks of one site that hold work.
type MaintenanceSite struct {
	Site  string            `json:"site"`
	Racks []MaintenanceRack `json:"racks"`
}

// MaintenanceQueue is the work waiting across the fleet, by site and rack:
// ready racks first, then the most broken.
type MaintenanceQueue struct {
	Thresholds MaintenanceThresholds `json:"thresholds"`
	At         time.Time             `json:"at"`
	Sites      []MaintenanceSite     `json:"sites"`
}

// MaintenanceFilter chooses the queue to build.
type MaintenanceFilter struct {
	// Site, when set, keeps one site.
	Site       string
	Thresholds MaintenanceThresholds
}

// MaintenanceService builds the maintenance queue from the miners' latest
// readings and the alert history.
type MaintenanceService interface {
	// MaintenanceQueue returns the queue f chooses; EINVALID for bad
	// thresholds.
	MaintenanceQueue(ctx context.Context, f MaintenanceFilter) (*MaintenanceQueue, error)
}

// FaultWindow returns how far back faults count: FaultDays days.
func (t MaintenanceThresholds) FaultWindow() time.Duration {
	return time.Duration(t.FaultDays) * 24 * time.Hour
}

// Package maintenance builds the maintenance queue: the boards to replace
// (too many failed chips, or dead) and the miners that keep raising
// alerts, grouped by site and rack, each rack marked ready once enough of
// it is broken for a technician to replace its boards in one visit.
package maintenance

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Service builds the queue from the inventory, the poller's latest
// readings and the alert history. It implements hearth.MaintenanceService.
type Service struct {
	Miners hearth.MinerService
	Status hearth.StatusService
	// History, when set, gives the faults of miners and when a board's
	// trouble was first alerted on.
	History hearth.AlertHistoryService
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var _ hearth.MaintenanceService = (*Service)(nil)

// maxHistory caps the alert events one queue reads.
const maxHistory = 100000

// MaintenanceQueue returns the queue of f's site (every site when empty)
// under f's thresholds.
func (s *Service) MaintenanceQueue(ctx context.Context, f hearth.MaintenanceFilter) (*hearth.MaintenanceQueue, error) {
	if err := f.Thresholds.Validate(); err != nil {
		return nil, err
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	miners, _, err := s.Miners.FindMiners(ctx, hearth.MinerFilter{Site: f.Site})
	if err != nil {
		return nil, fmt.Errorf("maintenance queue: %w", err)
	}
	var events []*hearth.AlertEvent
	if s.History != nil {
		events, err = s.History.FindAlertHistory(ctx, hearth.AlertHistoryFilter{Since: now.Add(-f.Thresholds.FaultWindow()), Limit: maxHistory})
		if err != nil {
			return nil, fmt.Errorf("maintenance queue: %w", err)
		}
	}
	readings := make(map[string]*hearth.Reading, len(miners))
	for _, m := range miners {
		readings[m.ID] = s.Status.MinerStatus(m.ID).Latest
	}
	return Build(miners, readings, events, f.Thresholds, now), nil
}

// Build returns the queue of miners, whose latest readings are readings
// (by miner ID; nil or missing for a miner never read), with faults from
// events (the alert history, any order) under th, as of now.
func Build(miners []*hearth.Miner, readings map[string]*hearth.Reading, events []*hearth.AlertEvent, th hearth.MaintenanceThresholds, now time.Time) *hearth.MaintenanceQueue {
	faults := faultsOf(events, now.Add(-th.FaultWindow()))
	racks := map[rackKey]*hearth.MaintenanceRack{}
	for _, m := range miners {
		key := rackKey{site: m.Site, row: m.Position.Row, rack: m.Position.Rack}
		if key.rack == "" {
			key.row, key.rack = "", hearth.NoRack
		}
		rack := racks[key]
		if rack == nil {
			rack = &hearth.MaintenanceRack{Site: key.site, Row: key.row, Rack: key.rack, Items: []hearth.MaintenanceItem{}}
			racks[key] = rack
		}
		item := hearth.MaintenanceItem{MinerID: m.ID, Hostname: m.Hostname, Site: m.Site, Position: m.Position, Model: m.Model}
		f := faults[m.ID]
		if r := readings[m.ID]; r != nil {
			rack.Boards += len(r.Boards)
			for _, b := range r.Boards {
				dead := b.Chips == 0
				if !dead && b.FailedChips <= th.FailedChips {
					continue
				}
				board := item
				index := b.Index
				board.Kind, board.Board = hearth.MaintenanceBoard, &index
				board.FailedChips, board.Chips, board.ExpectedChips, board.Dead = b.FailedChips, b.Chips, b.ExpectedChips, dead
				board.Since = r.Time
				if at, ok := f.boardAlerted(index); ok && at.Before(board.Since) {
					board.Since = at
				}
				rack.Items = append(rack.Items, board)
				rack.Replace++
			}
		}
		if f != nil && f.count >= th.Faults {
			item.Kind, item.Faults, item.Alerts, item.Since = hearth.MaintenanceMiner, f.count, f.names(), f.first
			rack.Items = append(rack.Items, item)
		}
	}

	bySite := map[string][]hearth.MaintenanceRack{}
	for _, rack := range racks {
		if len(rack.Items) == 0 {
			continue
		}
		if rack.Boards > 0 {
			rack.Level = float64(rack.Replace) / float64(rack.Boards)
		}
		rack.Ready = rack.Replace > 0 && (rack.Replace >= th.RackBoards || rack.Level*100 >= th.RackPercent)
		slices.SortFunc(rack.Items, compareItems)
		bySite[rack.Site] = append(bySite[rack.Site], *rack)
	}
	q := &hearth.MaintenanceQueue{Thresholds: th, At: now, Sites: []hearth.MaintenanceSite{}}
	for _, site := range slices.Sorted(maps.Keys(bySite)) {
		list := bySite[site]
		slices.SortFunc(list, compareRacks)
		q.Sites = append(q.Sites, hearth.MaintenanceSite{Site: site, Racks: list})
	}
	return q
}

// rackKey identifies a rack: racks are named within a row of a site.
type rackKey struct{ site, row, rack string }

// compareRacks orders racks ready first, then the most broken (level,
// then boards to replace), then by name.
func compareRacks(a, b hearth.MaintenanceRack) int {
	if a.Ready != b.Ready {
		if a.Ready {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Level, a.Level); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Replace, a.Replace); c != 0 {
		return c
	}
	if (a.Rack == hearth.NoRack) != (b.Rack == hearth.NoRack) {
		if a.Rack == hearth.NoRack {
			return 1
		}
		return -1
	}
	return cmp.Or(strings.Compare(a.Row, b.Row), strings.Compare(a.Rack, b.Rack))
}

// compareItems orders a rack's items as a technician walks it: by shelf
// and slot, then miner, boards before the miner's own item.
func compareItems(a, b hearth.MaintenanceItem) int {
	if c := cmp.Or(strings.Compare(a.Position.Shelf, b.Position.Shelf), strings.Compare(a.Position.Slot, b.Position.Slot),
		strings.Compare(a.MinerID, b.MinerID)); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return cmp.Compare(boardIndex(a), boardIndex(b))
}

func boardIndex(it hearth.MaintenanceItem) int {
	if it.Board == nil {
		return -1
	}
	return *it.Board
}

// minerFaults is what the alert history says about one miner.
type minerFaults struct {
	count int
	first time.Time
	seen  map[string]bool
	// boardSince is the first firing about each board, by board index.
	boardSince map[int]time.Time
}

// boardAlerted returns when board was first alerted on, if it was.
func (f *minerFaults) boardAlerted(board int) (time.Time, bool) {
	if f == nil {
		return time.Time{}, false
	}
	at, ok := f.boardSince[board]
	return at, ok
}

// names returns the names of the miner's alerts, sorted.
func (f *minerFaults) names() []string {
	if f == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(f.seen))
}

// faultsOf counts, per miner, the firing events from since on, leaving
// out info-severity alerts: informational rules are not faults.
func faultsOf(events []*hearth.AlertEvent, since time.Time) map[string]*minerFaults {
	out := map[string]*minerFaults{}
	for _, e := range events {
		miner := e.Labels["miner"]
		if miner == "" || e.State != hearth.AlertFiring || e.At.Before(since) || strings.EqualFold(e.Labels["severity"], "info") {
			continue
		}
		f := out[miner]
		if f == nil {
			f = &minerFaults{seen: map[string]bool{}, boardSince: map[int]time.Time{}}
			out[miner] = f
		}
		f.count++
		f.seen[e.Name] = true
		at := e.ActiveAt
		if at.IsZero() {
			at = e.At
		}
		if f.first.IsZero() || at.Before(f.first) {
			f.first = at
		}
		if b, ok := boardLabel(e.Labels); ok {
			if prev, seen := f.boardSince[b]; !seen || at.Before(prev) {
				f.boardSince[b] = at
			}
		}
	}
	return out
}

// boardLabel reads an alert's board label.
func boardLabel(labels map[string]string) (int, bool) {
	v, ok := labels["board"]
	if !ok {
		return 0, false
	}
	b, err := strconv.Atoi(v)
	return b, err == nil
}

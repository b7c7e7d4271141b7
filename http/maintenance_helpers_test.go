package http_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ackStore is an in-memory hearth.AlertAckService.
type ackStore struct {
	mu   sync.Mutex
	acks map[string]hearth.AlertAck
}

func (s *ackStore) SetAlertAck(_ context.Context, a *hearth.AlertAck) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acks == nil {
		s.acks = map[string]hearth.AlertAck{}
	}
	s.acks[a.Fingerprint] = *a
	return nil
}

func (s *ackStore) FindAlertAcks(_ context.Context, f hearth.AlertAckFilter) ([]*hearth.AlertAck, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.AlertAck{}
	for _, a := range s.acks {
		if (f.MinerID == "" || a.MinerID == f.MinerID) && (!f.Located || a.Located) && (len(f.Fingerprints) == 0 || slices.Contains(f.Fingerprints, a.Fingerprint)) {
			cp := a
			out = append(out, &cp)
		}
	}
	return out, nil
}

// maintenanceStub is a hearth.MaintenanceService that answers one queue
// and remembers the filter it was asked with.
type maintenanceStub struct {
	mu   sync.Mutex
	last hearth.MaintenanceFilter
}

func (m *maintenanceStub) MaintenanceQueue(_ context.Context, f hearth.MaintenanceFilter) (*hearth.MaintenanceQueue, error) {
	m.mu.Lock()
	m.last = f
	m.mu.Unlock()
	board := 1
	return &hearth.MaintenanceQueue{Thresholds: f.Thresholds, At: testNow, Sites: []hearth.MaintenanceSite{{Site: "barn", Racks: []hearth.MaintenanceRack{{
		Site: "barn", Row: "1", Rack: "A", Boards: 9, Replace: 1, Level: 1.0 / 9, Ready: true,
		Items: []hearth.MaintenanceItem{{Kind: hearth.MaintenanceBoard, MinerID: "s19-a", Site: "barn", Position: hearth.Position{Row: "1", Rack: "A", Slot: "3"},
			Model: "Antminer S19j Pro", Board: &board, Dead: true, ExpectedChips: 126, Since: testNow.Add(-time.Hour)}},
	}}}}}, nil
}

func (s *ackStore) PruneAlertAcks(_ context.Context, before time.Time) (int64, error) {
	return 0, nil
}

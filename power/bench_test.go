package power_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// BenchmarkControlFullCurtail measures the controller's share of a
// fleet-wide curtailment of 100,000 miners: from the request to the
// setpoints handed to the reconciler.
func BenchmarkControlFullCurtail(b *testing.B) {
	s := &site{readings: map[string]*hearth.Reading{}, now: time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)}
	for i := range 100_000 {
		id := fmt.Sprintf("m%06d", i)
		s.miners = append(s.miners, &hearth.Miner{ID: id, Site: "barn", Family: hearth.FamilyBraiins})
		s.readings[id] = &hearth.Reading{Time: s.now, Power: 3000 + float64(i%500), HashRate: float64(100+i%100) * 1e12}
	}
	s.reqs = []*hearth.PowerRequest{{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1, Start: s.now}}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		c := s.controller()
		c.Apply = nil
		if err := c.Control(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

package notify_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// memHistory is an AlertHistoryService in memory.
type memHistory struct {
	mu     sync.Mutex
	events []*hearth.AlertEvent
}

func (m *memHistory) RecordAlertEvents(ctx context.Context, events []*hearth.AlertEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range events {
		e.ID = int64(len(m.events) + 1)
		m.events = append(m.events, e)
	}
	return nil
}

func (m *memHistory) FindAlertHistory(ctx context.Context, f hearth.AlertHistoryFilter) ([]*hearth.AlertEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	latest := map[string]*hearth.AlertEvent{}
	var out []*hearth.AlertEvent
	for _, e := range m.events {
		latest[e.Fingerprint] = e
		if !f.Open {
			out = append(out, e)
		}
	}
	if f.Open {
		for _, e := range latest {
			if e.State == hearth.AlertFiring {
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func (m *memHistory) PruneAlertHistory(ctx context.Context, before time.Time) (int64, error) {
	return 0, nil
}

// The history records each change of state once, not every repeat, and
// a restarted History knows which alerts are open.
func TestHistory(t *testing.T) {
	store := &memHistory{}
	h := &notify.History{Service: store}
	a := firing("MinerOffline", "sim-00001")
	send(t, h, a)
	send(t, h, a)
	send(t, h, resolved(a))
	send(t, h, resolved(a))
	b := firing("FanFailed", "sim-00002")
	send(t, h, b)

	all, _ := store.FindAlertHistory(context.Background(), hearth.AlertHistoryFilter{})
	if len(all) != 3 || all[2].State != hearth.AlertFiring || !all[2].At.Equal(a.FiredAt) ||
		all[1].State != hearth.AlertResolved || !all[1].At.Equal(t0.Add(10*time.Minute)) || all[1].Labels["miner"] != "sim-00001" {
		t.Fatalf("history %+v", all)
	}
	restarted := &notify.History{Service: store}
	send(t, restarted, b)
	if all, _ := store.FindAlertHistory(context.Background(), hearth.AlertHistoryFilter{}); len(all) != 3 {
		t.Errorf("a restart recorded an open alert again: %d events", len(all))
	}

	// An open alert no longer sent resolves after the timeout.
	now := time.Now().Add(time.Hour)
	restarted.Now = func() time.Time { return now }
	if err := restarted.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	open, _ := store.FindAlertHistory(context.Background(), hearth.AlertHistoryFilter{Open: true})
	if len(open) != 0 {
		t.Errorf("open after sweep: %+v", open)
	}
}

// Sinks hands each evaluation to every sink.
func TestSinks(t *testing.T) {
	a, b := &memHistory{}, &memHistory{}
	sinks := notify.Sinks{&notify.History{Service: a}, &notify.History{Service: b}}
	send(t, sinks, firing("PoolDown", "sim-00001"))
	if len(a.events) != 1 || len(b.events) != 1 {
		t.Errorf("events %d and %d", len(a.events), len(b.events))
	}
}

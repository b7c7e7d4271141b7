package maintenance_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	_ "github.com/hearth-fleet/hearth/driver/antminer"
	"github.com/hearth-fleet/hearth/maintenance"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
	"github.com/hearth-fleet/hearth/sqlite"
)

// readings is a hearth.StatusService of readings the test polled.
type readings struct {
	mu sync.Mutex
	m  map[string]*hearth.Reading
}

func (r *readings) MinerStatus(id string) hearth.MinerStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rd := r.m[id]; rd != nil {
		return hearth.MinerStatus{MinerID: id, State: hearth.StateOnline, Latest: rd}
	}
	return hearth.MinerStatus{MinerID: id, State: hearth.StateUnknown}
}

// poll reads every miner through its driver, as the poller does.
func (r *readings) poll(t *testing.T, miners []*hearth.Miner) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range miners {
		d, err := driver.Lookup(m.Family)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := d.Poll(context.Background(), hearth.TargetOf(m))
		if err != nil {
			t.Fatalf("poll %s: %v", m.ID, err)
		}
		r.m[m.ID] = rd
	}
}

// fleet is a simulated fleet placed in racks: barn rack A holds m0-m3
// (12 boards), barn rack B m4, and m5 has no rack.
type fleet struct {
	sim      *sim.Sim
	miners   []*hearth.Miner
	status   *readings
	history  hearth.AlertHistoryService
	service  *maintenance.Service
	inventor hearth.MinerService
}

func newFleet(t *testing.T, faults []sim.Fault) *fleet {
	t.Helper()
	s := simtest.Start(t, sim.Config{Miners: 6, Seed: 11, Models: []string{sim.ModelS21}, Faults: faults})
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fleet{sim: s, status: &readings{m: map[string]*hearth.Reading{}}, history: sqlite.NewAlertHistoryService(db), inventor: sqlite.NewMinerService(db)}
	racks := []hearth.Position{
		{Row: "1", Rack: "A", Shelf: "1", Slot: "1"}, {Row: "1", Rack: "A", Shelf: "1", Slot: "2"},
		{Row: "1", Rack: "A", Shelf: "2", Slot: "1"}, {Row: "1", Rack: "A", Shelf: "2", Slot: "2"},
		{Row: "1", Rack: "B", Shelf: "1", Slot: "1"}, {},
	}
	for i, mi := range s.Miners() {
		m := &hearth.Miner{ID: "m" + string(rune('0'+i)), Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort,
			Family: mi.Family, Model: mi.Model, Site: "barn", Position: racks[i]}
		if err := f.inventor.CreateMiner(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		f.miners = append(f.miners, m)
	}
	f.service = &maintenance.Service{Miners: f.inventor, Status: f.status, History: f.history}
	return f
}

func (f *fleet) queue(t *testing.T, th hearth.MaintenanceThresholds) *hearth.MaintenanceQueue {
	t.Helper()
	q, err := f.service.MaintenanceQueue(context.Background(), hearth.MaintenanceFilter{Site: "barn", Thresholds: th})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// rack returns the rack named name of q's only site.
func rack(t *testing.T, q *hearth.MaintenanceQueue, name string) hearth.MaintenanceRack {
	t.Helper()
	if len(q.Sites) != 1 || q.Sites[0].Site != "barn" {
		t.Fatalf("sites %+v", q.Sites)
	}
	for _, r := range q.Sites[0].Racks {
		if r.Rack == name {
			return r
		}
	}
	t.Fatalf("no rack %s in %+v", name, q.Sites[0].Racks)
	return hearth.MaintenanceRack{}
}

func TestQueue_BoardsByRack(t *testing.T) {
	f := newFleet(t, []sim.Fault{
		{Index: 0, Kind: sim.FaultFailedChips}, {Index: 1, Kind: sim.FaultDeadBoard}, {Index: 2, Kind: sim.FaultFailedChips},
		{Index: 5, Kind: sim.FaultFailedChips},
	})
	f.status.poll(t, f.miners)
	th := hearth.DefaultMaintenanceThresholds
	th.RackPercent = 30 // 4 boards of 12 (33 %) make rack A ready, 3 (25 %) do not

	q := f.queue(t, th)
	a := rack(t, q, "A")
	if a.Boards != 12 || a.Replace != 3 || a.Ready || len(a.Items) != 3 {
		t.Fatalf("rack A with 3 broken boards: %+v", a)
	}
	want := []struct {
		miner       string
		board       int
		dead        bool
		failedChips int
	}{{"m0", 0, false, 20}, {"m1", 1, true, 0}, {"m2", 0, false, 20}}
	for i, w := range want {
		it := a.Items[i]
		if it.Kind != hearth.MaintenanceBoard || it.MinerID != w.miner || it.Board == nil || *it.Board != w.board || it.Dead != w.dead ||
			it.FailedChips != w.failedChips || it.Model != "Antminer S21" || it.Position.Rack != "A" || it.Since.IsZero() {
			t.Errorf("item %d = %+v (board %v), want %+v", i, it, it.Board, w)
		}
	}
	noRack := rack(t, q, hearth.NoRack)
	if noRack.Replace != 1 || noRack.Boards != 3 || !noRack.Ready || noRack.Items[0].MinerID != "m5" {
		t.Errorf("miners without a rack: %+v", noRack)
	}
	for _, r := range q.Sites[0].Racks {
		if r.Rack == "B" {
			t.Errorf("healthy rack B is queued: %+v", r)
		}
	}

	before := q
	// A fourth broken board brings rack A to its level.
	if err := f.sim.SetFault(sim.Fault{Index: 3, Kind: sim.FaultFailedChips}); err != nil {
		t.Fatal(err)
	}
	f.status.poll(t, f.miners)
	q = f.queue(t, th)
	a = rack(t, q, "A")
	if a.Replace != 4 || !a.Ready || a.Level < 0.33 || a.Level > 0.34 {
		t.Fatalf("rack A with 4 broken boards: %+v", a)
	}
	// Ready racks first, then the most broken: both at a third, A has
	// more boards to replace.
	if racks := q.Sites[0].Racks; len(racks) != 2 || racks[0].Rack != "A" || racks[1].Rack != hearth.NoRack {
		t.Errorf("rack order %s, %s: want A (ready, 4/12) then (no rack) (ready, 1/3)", racks[0].Rack, racks[1].Rack)
	}
	// Before the fourth board, the ready rack came first.
	if racks := before.Sites[0].Racks; racks[0].Rack != hearth.NoRack || racks[1].Rack != "A" {
		t.Errorf("rack order before: %s, %s: want the ready (no rack) first", racks[0].Rack, racks[1].Rack)
	}

	// Under a higher failed-chip threshold the 20-chip boards are fine,
	// the dead one is not.
	th.FailedChips = 25
	a = rack(t, f.queue(t, th), "A")
	if a.Replace != 1 || !a.Items[0].Dead || a.Ready {
		t.Errorf("with N=25: %+v", a)
	}
}

func TestQueue_RepeatedFaults(t *testing.T) {
	f := newFleet(t, nil)
	f.status.poll(t, f.miners)
	ctx := context.Background()
	now := time.Now()
	event := func(name, severity string, ago time.Duration) *hearth.AlertEvent {
		labels := map[string]string{"miner": "m4", "severity": severity}
		return &hearth.AlertEvent{Fingerprint: hearth.Fingerprint(name, labels), Name: name, Labels: labels, State: hearth.AlertFiring,
			At: now.Add(-ago), ActiveAt: now.Add(-ago - time.Minute)}
	}
	record := func(events ...*hearth.AlertEvent) {
		t.Helper()
		if err := f.history.RecordAlertEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
	}
	// Two faults in the window, one info alert, one fault too old.
	record(event("FanFailed", "critical", 2*24*time.Hour), event("MinerOffline", "critical", time.Hour),
		event("PoolFailedOver", "info", time.Hour), event("MinerOverTemperature", "critical", 9*24*time.Hour))
	th := hearth.DefaultMaintenanceThresholds
	if q := f.queue(t, th); len(q.Sites) != 0 {
		t.Fatalf("queue with 2 faults in 7 days: %+v", q.Sites)
	}
	record(event("FanFailed", "critical", 30*time.Minute))
	b := rack(t, f.queue(t, th), "B")
	if len(b.Items) != 1 || b.Ready || b.Replace != 0 {
		t.Fatalf("rack B: %+v", b)
	}
	it := b.Items[0]
	if it.Kind != hearth.MaintenanceMiner || it.MinerID != "m4" || it.Faults != 3 || len(it.Alerts) != 2 ||
		it.Alerts[0] != "FanFailed" || it.Alerts[1] != "MinerOffline" || !it.Since.Equal(now.Add(-2*24*time.Hour-time.Minute)) {
		t.Errorf("item %+v", it)
	}
	// A ten-day window counts the old fault too.
	th.FaultDays, th.Faults = 10, 4
	if it := rack(t, f.queue(t, th), "B").Items[0]; it.Faults != 4 {
		t.Errorf("10-day window: %+v", it)
	}
	th.Faults = 0
	if _, err := f.service.MaintenanceQueue(ctx, hearth.MaintenanceFilter{Thresholds: th}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("K=0: %v, want EINVALID", err)
	}
}

package poller_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/poller"
)

// memInventory is an in-memory hearth.MinerService for the wrapper's tests.
type memInventory struct {
	hearth.MinerService
	created []*hearth.Miner
}

func (m *memInventory) CreateMiner(_ context.Context, mi *hearth.Miner) error {
	for _, c := range m.created {
		if c.Address == mi.Address && c.Port == mi.Port {
			return hearth.Errorf(hearth.ECONFLICT, "taken")
		}
	}
	m.created = append(m.created, mi)
	return nil
}

func TestMinerServiceNormalizesAndPolls(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) { return &hearth.Reading{}, nil }}
	p := newPoller(d, &sink{})
	p.Lookup = func(f hearth.Family) (hearth.Driver, error) {
		if f != "fake" {
			return nil, hearth.Errorf(hearth.EUNSUPPORTED, "no driver")
		}
		return d, nil
	}
	inv := &memInventory{}
	svc := &poller.MinerService{MinerService: inv, Poller: p}

	m := &hearth.Miner{ID: "a", Address: "10.0.0.1", Family: "fake"}
	if err := svc.CreateMiner(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if m.Port != 4028 {
		t.Errorf("port %d, want the driver's default 4028", m.Port)
	}
	if p.Len() != 1 {
		t.Errorf("the new miner is not polled")
	}
	// The same machine with its port spelled out is the same machine.
	err := svc.CreateMiner(context.Background(), &hearth.Miner{ID: "b", Address: "10.0.0.1", Port: 4028, Family: "fake"})
	if hearth.ErrorCode(err) != hearth.ECONFLICT {
		t.Errorf("duplicate added: %v", err)
	}
	err = svc.CreateMiner(context.Background(), &hearth.Miner{ID: "c", Address: "10.0.0.2", Family: "toaster"})
	if hearth.ErrorCode(err) != hearth.EINVALID || p.Len() != 1 {
		t.Errorf("unknown family: %v, %d polled", err, p.Len())
	}
}

// forgettingSink records which miners were forgotten.
type forgettingSink struct {
	sink
	forgotten []string
}

func (f *forgettingSink) ForgetMiner(_ context.Context, id string, _ time.Time) error {
	f.forgotten = append(f.forgotten, id)
	return nil
}

func (m *memInventory) DeleteMiner(_ context.Context, id string) error { return nil }

func TestMinerServiceDeleteForgetsSeries(t *testing.T) {
	d := &fakeDriver{poll: func(context.Context, hearth.Target) (*hearth.Reading, error) { return &hearth.Reading{}, nil }}
	fs := &forgettingSink{}
	p := newPoller(d, &fs.sink)
	p.Sink = fs
	svc := &poller.MinerService{MinerService: &memInventory{}, Poller: p}
	if err := svc.CreateMiner(context.Background(), &hearth.Miner{ID: "a", Address: "10.0.0.1", Family: "fake"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteMiner(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 0 || len(fs.forgotten) != 1 || fs.forgotten[0] != "a" {
		t.Errorf("after delete: %d polled, forgotten %v", p.Len(), fs.forgotten)
	}
}

package action_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/action"
	"github.com/hearth-fleet/hearth/driver"
)

// fakeDriver supports reboot and set-pools and records calls; caps adds
// capabilities.
type fakeDriver struct {
	driver.Unsupported
	caps     []hearth.Capability
	mu       sync.Mutex
	reboots  []string
	poolSets [][]hearth.PoolConfig
}

func (d *fakeDriver) Family() hearth.Family { return "fake" }
func (d *fakeDriver) Capabilities() []hearth.Capability {
	return append([]hearth.Capability{hearth.CapReboot, hearth.CapSetPools}, d.caps...)
}
func (d *fakeDriver) SetPools(_ context.Context, _ hearth.Target, pools []hearth.PoolConfig) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.poolSets = append(d.poolSets, pools)
	return nil
}
func (d *fakeDriver) DefaultPort() int { return 4028 }
func (d *fakeDriver) Identify(context.Context, hearth.Target) (*hearth.Identity, error) {
	return nil, hearth.Errorf(hearth.EUNSUPPORTED, "fake")
}
func (d *fakeDriver) Poll(context.Context, hearth.Target) (*hearth.Reading, error) { return nil, nil }
func (d *fakeDriver) Reboot(_ context.Context, t hearth.Target) error {
	if t.Address == "10.0.0.9" {
		return hearth.Errorf(hearth.ETIMEOUT, "Miner did not answer.")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reboots = append(d.reboots, t.Address)
	return nil
}

// inventory is a fixed list of miners.
type inventory struct {
	hearth.MinerService
	miners []*hearth.Miner
}

func (inv *inventory) FindMiners(_ context.Context, f hearth.MinerFilter) ([]*hearth.Miner, int, error) {
	var out []*hearth.Miner
	for _, m := range inv.miners {
		if (f.Site == "" || m.Site == f.Site) && (f.Family == "" || m.Family == f.Family) && (len(f.IDs) == 0 || contains(f.IDs, m.ID)) {
			out = append(out, m)
		}
	}
	return out, len(out), nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

type audit struct{ entries []*hearth.AuditEntry }

func (a *audit) RecordAudit(_ context.Context, e *hearth.AuditEntry) error {
	e.ID = int64(len(a.entries) + 1)
	a.entries = append(a.entries, e)
	return nil
}
func (a *audit) FindAudit(context.Context, hearth.AuditFilter) ([]*hearth.AuditEntry, error) {
	return a.entries, nil
}

func setup() (*action.Service, *fakeDriver, *audit) {
	d := &fakeDriver{Unsupported: driver.Unsupported{Family: "fake"}}
	inv := &inventory{miners: []*hearth.Miner{
		{ID: "a1", Address: "10.0.0.1", Family: "fake", Site: "barn", Tags: []string{"row3"}},
		{ID: "a2", Address: "10.0.0.2", Family: "fake", Site: "barn"},
		{ID: "b9", Address: "10.0.0.9", Family: "fake", Site: "garage", Tags: []string{"row3"}},
	}}
	au := &audit{}
	return &action.Service{Miners: inv, Audit: au, Lookup: func(hearth.Family) (hearth.Driver, error) { return d, nil },
		Now: func() time.Time { return time.Unix(1700000000, 0) }}, d, au
}

func TestDoRunsVerbOnSelectionAndAudits(t *testing.T) {
	svc, d, au := setup()
	sel, err := action.ParseSelector("tag=row3")
	if err != nil {
		t.Fatal(err)
	}
	e, err := svc.Do(context.Background(), "admin", sel, hearth.Action{Verb: hearth.VerbReboot})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Results) != 2 || e.Results[0].MinerID != "a1" || !e.Results[0].OK {
		t.Fatalf("results %+v", e.Results)
	}
	if r := e.Results[1]; r.MinerID != "b9" || r.OK || r.Code != hearth.ETIMEOUT || r.Error == "" {
		t.Errorf("failed miner's result %+v", r)
	}
	if len(d.reboots) != 1 || d.reboots[0] != "10.0.0.1" {
		t.Errorf("reboots %v", d.reboots)
	}
	if len(au.entries) != 1 || au.entries[0].Actor != "admin" || au.entries[0].Selector != "tag=row3" || au.entries[0].Action.Verb != hearth.VerbReboot {
		t.Errorf("audit %+v", au.entries)
	}
}

func TestDoUnsupportedVerbIsAResultNotASilence(t *testing.T) {
	svc, _, _ := setup()
	sel, _ := action.ParseSelector("a1,a2")
	e, err := svc.Do(context.Background(), "admin", sel, hearth.Action{Verb: hearth.VerbPause})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Results {
		if r.OK || r.Code != hearth.EUNSUPPORTED || !strings.Contains(r.Error, "pause") {
			t.Errorf("%+v", r)
		}
	}
}

func TestDoRedactsPoolPasswords(t *testing.T) {
	svc, _, au := setup()
	sel, _ := action.ParseSelector("site=garage")
	a := hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum+tcp://p:3333", User: "w", Password: "s3cret"}}}
	if _, err := svc.Do(context.Background(), "admin", sel, a); err != nil {
		t.Fatal(err)
	}
	if got := au.entries[0].Action.Pools[0].Password; got != "***" {
		t.Errorf("password in the audit log: %q", got)
	}
	if a.Pools[0].Password != "s3cret" {
		t.Error("the caller's action was changed")
	}
}

// A Stratum V2 pool reaches only firmware that speaks it; the others get
// EUNSUPPORTED and keep their pools, and a V2 URL without its authority key
// is refused before any miner is touched.
func TestDoStratumV2FailsClosed(t *testing.T) {
	svc, d, _ := setup()
	sel, _ := action.ParseSelector("a1")
	v2 := hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{
		{URL: "stratum2+tcp://v2.pool.example:3336/9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh", User: "farm.w1"},
		{URL: "stratum+tcp://v1.pool.example:3333", User: "farm.w1"},
	}}
	e, err := svc.Do(context.Background(), "admin", sel, v2)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Results[0]; r.OK || r.Code != hearth.EUNSUPPORTED || !strings.Contains(r.Error, "Stratum V2") || len(d.poolSets) != 0 {
		t.Fatalf("V2 pool on a V1-only driver: %+v, pools set %v", r, d.poolSets)
	}

	d.caps = []hearth.Capability{hearth.CapStratumV2}
	if e, err = svc.Do(context.Background(), "admin", sel, v2); err != nil || !e.Results[0].OK || len(d.poolSets) != 1 {
		t.Fatalf("V2 pool on a V2 driver: %v %+v", err, e)
	}

	noKey := hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum2+tcp://v2.pool.example:3336", User: "w"}}}
	if _, err := svc.Do(context.Background(), "admin", sel, noKey); hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), "authority public key") {
		t.Fatalf("V2 URL without a key: %v", err)
	}
}

func TestDoErrors(t *testing.T) {
	svc, _, _ := setup()
	ctx := context.Background()
	sel, _ := action.ParseSelector("nope")
	if _, err := svc.Do(ctx, "admin", sel, hearth.Action{Verb: hearth.VerbReboot}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}
	sel, _ = action.ParseSelector("site=moon")
	if _, err := svc.Do(ctx, "admin", sel, hearth.Action{Verb: hearth.VerbReboot}); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("empty selection: %v", err)
	}
	sel, _ = action.ParseSelector("all")
	for _, a := range []hearth.Action{{Verb: "explode"}, {Verb: hearth.VerbPowerTarget}, {Verb: hearth.VerbSetPools}} {
		if _, err := svc.Do(ctx, "admin", sel, a); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%+v: %v", a, err)
		}
	}
}

func TestParseSelector(t *testing.T) {
	for in, want := range map[string]string{
		"all": "all", "a1, a2": "a1,a2", "family=antminer,site=barn-a,tag=row3": "family=antminer,site=barn-a,tag=row3",
		"group=curtail first,site=barn-a": "site=barn-a,group=curtail first",
	} {
		sel, err := action.ParseSelector(in)
		if err != nil || sel.String() != want {
			t.Errorf("%q: %q, %v", in, sel.String(), err)
		}
	}
	for _, bad := range []string{"", ",", "color=red", "family=", "site=a,b"} {
		if _, err := action.ParseSelector(bad); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"all", "a,b", "family=antminer,tag=x", "site==", "=,="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := action.ParseSelector(s)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatal(err)
			}
			return
		}
		again, err := action.ParseSelector(sel.String())
		if err != nil || again.String() != sel.String() {
			t.Fatalf("%q -> %q does not parse back: %v", s, sel.String(), err)
		}
	})
}

// credentialDriver records the credentials each verb was given.
type credentialDriver struct {
	fakeDriver
	got hearth.Credentials
}

func (d *credentialDriver) Reboot(_ context.Context, t hearth.Target) error {
	d.got = t.Credentials
	return nil
}

type oneCredential struct{ hearth.CredentialService }

func (oneCredential) Resolve(_ context.Context, m *hearth.Miner) (hearth.Credentials, error) {
	return hearth.Credentials{User: "root", Password: "pw-" + m.ID}, nil
}

func TestDoUsesStoredCredentials(t *testing.T) {
	svc, _, _ := setup()
	d := &credentialDriver{}
	svc.Lookup = func(hearth.Family) (hearth.Driver, error) { return d, nil }
	svc.Credentials = oneCredential{}
	sel, _ := action.ParseSelector("a2")
	if _, err := svc.Do(context.Background(), "admin", sel, hearth.Action{Verb: hearth.VerbReboot}); err != nil {
		t.Fatal(err)
	}
	if d.got.Password != "pw-a2" {
		t.Errorf("driver got %+v", d.got)
	}
}

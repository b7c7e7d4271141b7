package diag_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/diag"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/reconcile"
)

var testNow = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

const (
	minerPassword = "miner-pass-9"
	poolPassword  = "pool-pass-7"
)

// miners is an inventory of fixed miners.
type miners map[string]*hearth.Miner

func (s miners) FindMinerByID(_ context.Context, id string) (*hearth.Miner, error) {
	if m, ok := s[id]; ok {
		cp := *m
		return &cp, nil
	}
	return nil, hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found.", id)
}
func (s miners) FindMiners(context.Context, hearth.MinerFilter) ([]*hearth.Miner, int, error) {
	return nil, 0, nil
}
func (s miners) CreateMiner(context.Context, *hearth.Miner) error { return nil }
func (s miners) UpdateMiner(context.Context, *hearth.Miner) error { return nil }
func (s miners) DeleteMiner(context.Context, string) error        { return nil }

type statuses map[string]hearth.MinerStatus

func (s statuses) MinerStatus(id string) hearth.MinerStatus { return s[id] }

// desired answers the records of the scopes asked for.
type desired []*hearth.DesiredRecord

func (d desired) SetDesired(context.Context, *hearth.DesiredRecord) error { return nil }
func (d desired) DeleteDesired(context.Context, hearth.Scope) error       { return nil }
func (d desired) FindDesired(_ context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	var out []*hearth.DesiredRecord
	for _, r := range d {
		for _, sc := range f.Scopes {
			if r.Scope == sc {
				cp := *r
				out = append(out, &cp)
			}
		}
	}
	return out, nil
}

type credentials struct{ hearth.CredentialService }

func (credentials) Resolve(context.Context, *hearth.Miner) (hearth.Credentials, error) {
	return hearth.Credentials{User: "root", Password: minerPassword}, nil
}

type journal []*hearth.JournalEntry

func (j journal) AddJournalEntry(context.Context, *hearth.JournalEntry) error    { return nil }
func (j journal) UpdateJournalEntry(context.Context, *hearth.JournalEntry) error { return nil }
func (j journal) FindJournal(_ context.Context, f hearth.JournalFilter) ([]*hearth.JournalEntry, error) {
	var out []*hearth.JournalEntry
	for _, e := range j {
		if e.MinerID == f.MinerID {
			out = append(out, e)
		}
	}
	return out, nil
}

type audit []*hearth.AuditEntry

func (a audit) RecordAudit(context.Context, *hearth.AuditEntry) error { return nil }

// FindAudit keeps what f keeps, up to f.Limit, as a store does; a is
// newest first.
func (a audit) FindAudit(_ context.Context, f hearth.AuditFilter) ([]*hearth.AuditEntry, error) {
	var out []*hearth.AuditEntry
	for _, e := range a {
		if f.Matches(e) && (f.Limit <= 0 || len(out) < f.Limit) {
			out = append(out, e)
		}
	}
	return out, nil
}

type alertHistory []*hearth.AlertEvent

func (h alertHistory) RecordAlertEvents(context.Context, []*hearth.AlertEvent) error { return nil }
func (h alertHistory) PruneAlertHistory(context.Context, time.Time) (int64, error)   { return 0, nil }
func (h alertHistory) FindAlertHistory(_ context.Context, f hearth.AlertHistoryFilter) ([]*hearth.AlertEvent, error) {
	var out []*hearth.AlertEvent
	for _, e := range h {
		if !f.Open || e.State == hearth.AlertFiring {
			out = append(out, e)
		}
	}
	return out, nil
}

// groupsOf places every miner in group "tank".
func groupsOf(context.Context, string) ([]string, error) { return []string{"tank"}, nil }

func reading(at time.Time) *hearth.Reading {
	return &hearth.Reading{MinerID: "m1", Time: at, HashRate: 200e12, Power: 3500, Accepted: 100, Rejected: 1,
		Boards: []hearth.Board{{Index: 0, HashRate: 100e12, ChipTemp: 70, Chips: 108}, {Index: 1, HashRate: 100e12, ChipTemp: 72, Chips: 108}},
		Fans:   []hearth.Fan{{Index: 0, RPM: 4200}},
		Pools:  []hearth.Pool{{URL: "stratum+tcp://pool.test:3333", User: "acct.m1", Status: "alive", Active: true}},
		Errors: []string{"Chain[1] chip temp 72 is high"}, PollErrors: []string{"stats: timeout"}}
}

// fullBuilder is a Builder with every service, a metrics store holding
// ten minutes of readings of miner m1, and secrets everywhere a careless
// bundle would copy them.
func fullBuilder(t *testing.T) *diag.Builder {
	t.Helper()
	m1 := &hearth.Miner{ID: "m1", Address: "10.0.0.5", Family: hearth.FamilyAntminer, Model: "Antminer S21", Firmware: "bmminer 58.0.1.3",
		Serial: "SN1", MAC: "02:00:00:00:00:01", Site: "barn", Position: hearth.Position{Row: "A", Rack: "3"}, Tags: []string{"hydro"}}
	store, err := metrics.Open(t.TempDir(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for i := 10; i >= 0; i-- {
		r := reading(testNow.Add(-time.Duration(i) * time.Minute))
		r.Accepted, r.Rejected = uint64(100+50*(10-i)), uint64(1+(10-i))
		if err := store.StoreReading(context.Background(), m1, r); err != nil {
			t.Fatal(err)
		}
	}
	on := true
	return &diag.Builder{
		Miners: miners{"m1": m1, "other": {ID: "other", Address: "10.0.0.6", Family: hearth.FamilyAvalon}},
		Status: statuses{"m1": {MinerID: "m1", State: hearth.StateOnline, LastSeen: testNow, LastPoll: testNow, Latest: reading(testNow)}},
		Logs: func(_ context.Context, id string) (*hearth.MinerLog, error) {
			if id != "m1" {
				return nil, hearth.Unsupported(hearth.FamilyAvalon, hearth.CapLogs)
			}
			// A firmware that echoes its password into its log.
			return &hearth.MinerLog{Source: "/cgi-bin/log.cgi", Text: "Init done!\nlogin root/" + minerPassword + "\npool pass " + poolPassword + "\n", Truncated: true}, nil
		},
		Metrics: store,
		Desired: desired{
			{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}, State: hearth.DesiredState{
				Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://pool.test:3333", UserPattern: "acct.{rack}", Password: poolPassword}},
				Power: &hearth.PowerProfile{Mode: hearth.PowerEco, Watts: 3000}}},
			{Scope: hearth.Scope{Kind: hearth.ScopeGroup, ID: "tank"}, State: hearth.DesiredState{Power: &hearth.PowerProfile{Mode: hearth.PowerMax}, Locate: &on}},
		},
		Locator: reconcile.MinerLocator{Groups: groupsOf},
		Drift: func(id string) reconcile.Drift {
			return reconcile.Drift{MinerID: id, Differences: []string{"power: want max"}}
		},
		AlertHistory: alertHistory{
			{ID: 2, Name: "ChipHot", Labels: map[string]string{"miner": "m1"}, State: hearth.AlertFiring, At: testNow.Add(-time.Minute)},
			{ID: 1, Name: "MinerOffline", Labels: map[string]string{"miner": "other"}, State: hearth.AlertFiring, At: testNow.Add(-time.Hour)},
		},
		Journal: journal{
			{ID: 1, MinerID: "m1", Action: hearth.Action{Verb: hearth.VerbLocateOn}, State: hearth.JournalApplied, Actor: "reconciler", CreatedAt: testNow.Add(-2 * time.Minute)},
			{ID: 2, MinerID: "m1", Action: hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum+tcp://pool.test:3333", User: "acct.3", Password: "***"}}},
				State: hearth.JournalFailed, Error: "timeout", Actor: "reconciler", CreatedAt: testNow.Add(-time.Minute)},
		},
		Audit: audit{
			{ID: 7, Actor: "admin", Selector: "all", Action: hearth.Action{Verb: hearth.VerbSetPools, Pools: []hearth.PoolConfig{{URL: "stratum+tcp://p:1", User: "u", Password: "***"}}},
				Results: []hearth.ActionResult{{MinerID: "other", OK: true}, {MinerID: "m1", OK: false, Error: "timeout"}}},
			{ID: 6, Actor: "admin", Selector: "other", Action: hearth.Action{Verb: hearth.VerbReboot}, Results: []hearth.ActionResult{{MinerID: "other", OK: true}}},
		},
		Credentials: credentials{},
		Version:     "v1.2.3",
		Now:         func() time.Time { return testNow },
	}
}

// unzip writes bd and reads it back, file by file.
func unzip(t *testing.T, bd *diag.Bundle) (map[string]string, []string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := bd.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	var order []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
		order = append(order, f.Name)
	}
	return files, order, buf.Bytes()
}

func TestBuildHoldsEveryPart(t *testing.T) {
	bd, err := fullBuilder(t).Build(context.Background(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	if bd.Filename != "hearth-diag-m1-20260314T120000Z.zip" {
		t.Errorf("filename %q", bd.Filename)
	}
	files, order, raw := unzip(t, bd)
	if order[0] != diag.ManifestName {
		t.Errorf("the archive starts with %s, want the manifest", order[0])
	}
	var m diag.Manifest
	if err := json.Unmarshal([]byte(files[diag.ManifestName]), &m); err != nil {
		t.Fatal(err)
	}
	if m.Version != "v1.2.3" || m.MinerID != "m1" || !m.GeneratedAt.Equal(testNow) {
		t.Errorf("manifest %+v", m)
	}
	for i, name := range diag.PartNames {
		if i >= len(m.Parts) || m.Parts[i].Name != name || m.Parts[i].Status != diag.PartOK {
			t.Errorf("part %d: %+v, want %s ok", i, m.Parts, name)
			continue
		}
		if files[name] == "" || m.Parts[i].Bytes != len(files[name]) {
			t.Errorf("%s: %d bytes in the archive, manifest says %d", name, len(files[name]), m.Parts[i].Bytes)
		}
	}
	if p := bd.Part(diag.PartFirmwareLog); p.Source != "/cgi-bin/log.cgi" || !p.Truncated {
		t.Errorf("log part %+v, want its source and truncation", p)
	}

	// Secrets: not in any form, anywhere, even where the miner wrote them.
	for _, secret := range []string{minerPassword, poolPassword, "***", `"password"`} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("compressed archive holds %q", secret)
		}
		for name, text := range files {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q:\n%s", name, secret, text)
			}
		}
	}
	if !strings.Contains(files[diag.PartFirmwareLog], "login root/"+diag.Redacted) {
		t.Errorf("log not scrubbed in place:\n%s", files[diag.PartFirmwareLog])
	}

	var miner map[string]any
	json.Unmarshal([]byte(files[diag.PartMiner]), &miner)
	for _, k := range []string{"family", "firmware", "model", "serial", "mac", "address", "site", "position", "tags", "groups"} {
		if miner[k] == nil {
			t.Errorf("miner.json lacks %s: %s", k, files[diag.PartMiner])
		}
	}

	// The desired state resolves as the reconciler resolves it: the group's
	// power beats the site's, the site's pools stay.
	var d struct {
		Effective hearth.DesiredState     `json:"effective"`
		Sources   map[string]hearth.Scope `json:"sources"`
	}
	json.Unmarshal([]byte(files[diag.PartDesired]), &d)
	if d.Effective.Power == nil || d.Effective.Power.Mode != hearth.PowerMax || len(d.Effective.Pools) != 1 {
		t.Errorf("effective %+v", d.Effective)
	}
	want := map[string]hearth.Scope{"pools": {Kind: hearth.ScopeSite, ID: "barn"}, "power": {Kind: hearth.ScopeGroup, ID: "tank"}, "locate": {Kind: hearth.ScopeGroup, ID: "tank"}}
	if len(d.Sources) != len(want) {
		t.Errorf("sources %v, want %v", d.Sources, want)
	}
	for k, v := range want {
		if d.Sources[k] != v {
			t.Errorf("source of %s: %v, want %v", k, d.Sources[k], v)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(files[diag.PartHistory])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[1]+"|"+r[2]] = true
	}
	for _, s := range []string{"mining_hash_rate|", "monitoring_power_consumption_watts|", "mining_board_chip_temperature_celsius|board=1", "mining_fan_speed_rpm|fan=fan1", "reject_rate|"} {
		if !seen[s] {
			t.Errorf("history lacks %s: %v", s, seen)
		}
	}
	if len(rows) < 11*5 {
		t.Errorf("history has %d rows for ten minutes of readings", len(rows))
	}

	for part, wants := range map[string][]string{
		diag.PartLatest:        {`"boards"`, `"chip_temp_c": 72`},
		diag.PartPools:         {`"acct.m1"`, `"acct.{rack}"`},
		diag.PartDrift:         {"power: want max"},
		diag.PartAlertsActive:  {"ChipHot"},
		diag.PartAlertsHistory: {"ChipHot"},
		diag.PartPollErrors:    {"stats: timeout", "Chain[1] chip temp 72 is high"},
		diag.PartCommands:      {`"set-pools"`, `"locate-on"`, `"id": 7`},
	} {
		for _, w := range wants {
			if !strings.Contains(files[part], w) {
				t.Errorf("%s lacks %s:\n%s", part, w, files[part])
			}
		}
	}
	if strings.Contains(files[diag.PartAlertsHistory], "MinerOffline") || strings.Contains(files[diag.PartCommands], `"id": 6`) ||
		strings.Contains(files[diag.PartCommands], `"miner_id": "other"`) {
		t.Errorf("another miner's alerts or commands in the bundle:\n%s\n%s", files[diag.PartAlertsHistory], files[diag.PartCommands])
	}
	if i, j := strings.Index(files[diag.PartCommands], `"id": 2`), strings.Index(files[diag.PartCommands], `"id": 1,`); i < 0 || j < 0 || i > j {
		t.Errorf("journal not recent first:\n%s", files[diag.PartCommands])
	}
}

// The bundle asks the audit log for the miner's own entries, so that an
// action on it is found behind any number of newer actions on other miners.
func TestBuildFindsOldAuditEntries(t *testing.T) {
	b := fullBuilder(t)
	log := audit{}
	for id := int64(3000); id > 1000; id-- {
		log = append(log, &hearth.AuditEntry{ID: id, Actor: "admin", Selector: "other", Action: hearth.Action{Verb: hearth.VerbReboot},
			Results: []hearth.ActionResult{{MinerID: "other", OK: true}}})
	}
	log = append(log, &hearth.AuditEntry{ID: 5, Actor: "admin", Selector: "m1,other", Action: hearth.Action{Verb: hearth.VerbLocateOn},
		Results: []hearth.ActionResult{{MinerID: "m1", OK: true}, {MinerID: "other", OK: true}}})
	b.Audit = log
	bd, err := b.Build(context.Background(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	files, _, _ := unzip(t, bd)
	if c := files[diag.PartCommands]; !strings.Contains(c, `"id": 5`) || strings.Contains(c, `"miner_id": "other"`) {
		t.Errorf("commands of m1 lack its old audit entry or hold another miner's result:\n%s", c)
	}
}

// A bundle is produced whatever fails, and says what and why.
func TestBuildListsWhatIsMissing(t *testing.T) {
	b := fullBuilder(t)
	bd, err := b.Build(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	files, _, _ := unzip(t, bd)
	p := bd.Part(diag.PartFirmwareLog)
	if p.Status != diag.PartUnavailable || p.Code != hearth.EUNSUPPORTED || p.Reason != "avalon miners do not support logs." {
		t.Errorf("log part %+v", p)
	}
	if _, ok := files[diag.PartFirmwareLog]; ok {
		t.Error("an unavailable part is in the archive")
	}
	if p := bd.Part(diag.PartLatest); p.Status != diag.PartUnavailable || p.Reason == "" {
		t.Errorf("latest part of a miner never polled: %+v", p)
	}
	if !strings.Contains(files[diag.ManifestName], `"unavailable"`) {
		t.Errorf("manifest:\n%s", files[diag.ManifestName])
	}

	t.Run("OnlyTheInventory", func(t *testing.T) {
		bare := &diag.Builder{Miners: b.Miners, Now: b.Now}
		bd, err := bare.Build(context.Background(), "m1")
		if err != nil {
			t.Fatal(err)
		}
		if len(bd.Manifest.Parts) != len(diag.PartNames) {
			t.Fatalf("%d parts listed, want %d", len(bd.Manifest.Parts), len(diag.PartNames))
		}
		for _, p := range bd.Manifest.Parts {
			ok := p.Name == diag.PartMiner
			if (p.Status == diag.PartOK) != ok || (!ok && !strings.Contains(p.Reason, "not enabled")) {
				t.Errorf("part %+v", p)
			}
		}
		if err := bd.WriteZip(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SlowLog", func(t *testing.T) {
		slow := *b
		slow.LogTimeout = 50 * time.Millisecond
		slow.Logs = func(ctx context.Context, id string) (*hearth.MinerLog, error) {
			<-ctx.Done()
			return nil, hearth.WrapError(hearth.ETIMEOUT, ctx.Err(), "No log from %s within the deadline.", id)
		}
		start := time.Now()
		bd, err := slow.Build(context.Background(), "m1")
		if err != nil || time.Since(start) > 5*time.Second {
			t.Fatalf("build: %v after %s", err, time.Since(start))
		}
		if p := bd.Part(diag.PartFirmwareLog); p.Status != diag.PartUnavailable || p.Code != hearth.ETIMEOUT {
			t.Errorf("slow log part %+v", p)
		}
	})
	t.Run("UnknownMiner", func(t *testing.T) {
		if _, err := b.Build(context.Background(), "nope"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("unknown miner: %v", err)
		}
	})
	t.Run("BrokenWriter", func(t *testing.T) {
		if err := bd.WriteZip(failingWriter{}); err == nil {
			t.Error("a failed write was not reported")
		}
	})
}

func TestFilename(t *testing.T) {
	if got := diag.Filename("../rack 3/m:1", testNow); got != "hearth-diag-.._rack_3_m_1-20260314T120000Z.zip" {
		t.Errorf("Filename = %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

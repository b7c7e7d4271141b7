package vnish_test

import (
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/vnish"
)

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyVNish)
	if err != nil {
		t.Fatal(err)
	}
	if d.Family() != hearth.FamilyVNish || d.DefaultPort() != 80 {
		t.Fatalf("family %q port %d", d.Family(), d.DefaultPort())
	}
	caps := map[hearth.Capability]bool{}
	for _, c := range d.Capabilities() {
		caps[c] = true
	}
	for _, c := range []hearth.Capability{hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapPower, hearth.CapLogs} {
		if !caps[c] {
			t.Errorf("capability %q missing", c)
		}
	}
	if caps[hearth.CapFanMode] {
		t.Error("fan_mode declared but not implemented")
	}
}

func TestIdentify(t *testing.T) {
	f := newFake(t)
	id, err := vnish.New().Identify(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	want := hearth.Identity{
		Address: f.target.Address, Port: f.target.Port, Family: hearth.FamilyVNish,
		Firmware: "Vnish 1.2.6", Model: "Antminer S19j Pro", Serial: "JYZZ3DBCAJCBJ0123",
		MAC: "02:1A:2B:3C:4D:5E", Hostname: "vnish-s19jpro", HashRate: 104350.5e9,
	}
	if *id != want {
		t.Fatalf("identity\n got %+v\nwant %+v", *id, want)
	}
	for _, r := range f.seen() {
		if strings.Contains(r, "unlock") {
			t.Fatalf("identification spent a password attempt: %v", f.seen())
		}
	}
}

func TestIdentifyChecksWebPageWhenFirmwareUnnamed(t *testing.T) {
	info := strings.Replace(string(fixture(t, "info.json")), `"fw_name": "Vnish"`, `"fw_name": "xminer"`, 1)
	for _, tc := range []struct {
		page string
		code string
	}{
		{`<!doctype html><title>AnthillOS</title>`, ""},
		{`<!doctype html><title>Some other miner</title>`, hearth.EUNSUPPORTED},
	} {
		f := newFake(t)
		f.handle("GET /api/v1/info", false, jsonBody([]byte(info)))
		f.handle("GET /", false, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tc.page)) })
		id, err := vnish.New().Identify(ctxFor(t, 5*time.Second), f.target)
		if tc.code == "" {
			if err != nil {
				t.Fatal(err)
			}
			if id.Firmware != "xminer 1.2.6" {
				t.Errorf("firmware %q", id.Firmware)
			}
			continue
		}
		wantCode(t, err, tc.code)
	}
}

func TestIdentifyOtherServers(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"antminer digest": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Digest realm="antMiner Configuration"`)
			w.WriteHeader(http.StatusUnauthorized)
		},
		"not found":  http.NotFound,
		"html":       func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>AxeOS</html>")) },
		"other json": jsonBody([]byte(`{"ASICModel":"BM1370","hashRate":1}`)),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /api/v1/info", false, h)
			_, err := vnish.New().Identify(ctxFor(t, 5*time.Second), f.target)
			wantCode(t, err, hearth.EUNSUPPORTED)
		})
	}
}

func TestPoll(t *testing.T) {
	f := newFake(t)
	r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6*math.Abs(want)+1e-9 {
			t.Errorf("%s = %g, want %g", name, got, want)
		}
	}
	near("HashRate", r.HashRate, 104350.5e9)
	near("HashRateAvg", r.HashRateAvg, 103990.25e9)
	near("IdealHashRate", r.IdealHashRate, 104000e9)
	near("Power", r.Power, 3068)
	if r.PowerEstimated {
		t.Error("measured power marked estimated")
	}
	if r.Uptime != 24*time.Hour || r.HardwareErrors != 27 || r.Paused {
		t.Errorf("uptime %v hw %d paused %v", r.Uptime, r.HardwareErrors, r.Paused)
	}
	if r.Time.IsZero() {
		t.Error("no time")
	}
	if len(r.Boards) != 3 {
		t.Fatalf("%d boards", len(r.Boards))
	}
	b := r.Boards[1]
	near("board 1 hash rate", b.HashRate, 34880.2e9)
	near("board 1 ideal", b.IdealHashRate, 34666.7e9)
	if b.Index != 1 || b.ChipTemp != 76 || b.BoardTemp != 61 || b.InletTemp != 45 || b.OutletTemp != 61 || b.FailedChips != 2 || b.FrequencyMHz != 525 || b.HardwareErrs != 8 {
		t.Errorf("board 1 = %+v", b)
	}
	if r.HottestChip() != 76 {
		t.Errorf("hottest chip %g", r.HottestChip())
	}
	wantFans := []hearth.Fan{{Index: 0, RPM: 5520, Percent: 62}, {Index: 1, RPM: 5490, Percent: 62}, {Index: 2, RPM: 5610, Percent: 62}, {Index: 3, RPM: 0, Percent: 62}}
	if !reflect.DeepEqual(r.Fans, wantFans) {
		t.Errorf("fans %+v", r.Fans)
	}
	if !reflect.DeepEqual(r.Errors, []string{"Fan 3 lost"}) {
		t.Errorf("errors %q", r.Errors)
	}
	wantPools := []hearth.Pool{
		{Index: 0, URL: "stratum+tcp://btc.example.org:3333", User: "worker.s19", Status: "alive", Active: true, Priority: 0, Accepted: 4120, Rejected: 3},
		{Index: 1, URL: "stratum+tcp://backup.example.org:3333", User: "worker.s19", Status: "alive", Priority: 1},
	}
	if !reflect.DeepEqual(r.Pools, wantPools) {
		t.Errorf("pools %+v", r.Pools)
	}
	if r.Accepted != 4120 || r.Rejected != 3 {
		t.Errorf("shares %d/%d (dev-fee pool must not count)", r.Accepted, r.Rejected)
	}
	if len(r.PollErrors) != 0 {
		t.Errorf("poll errors %q", r.PollErrors)
	}
	for _, req := range f.seen() {
		if strings.Contains(req, "unlock") {
			t.Errorf("poll unlocked although /summary is open: %v", f.seen())
		}
	}
}

func TestPollRemembersUnit(t *testing.T) {
	f := newFake(t)
	d := vnish.New()
	for i := 0; i < 3; i++ {
		if _, err := d.Poll(ctxFor(t, 5*time.Second), f.target); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, r := range f.seen() {
		if r == "GET /api/v1/info" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("/info read %d times over 3 polls: %v", n, f.seen())
	}
}

func TestPollScryptUnit(t *testing.T) {
	f := newFake(t)
	info := strings.Replace(string(fixture(t, "info.json")), `"GH/s"`, `"MH/s"`, 1)
	f.handle("GET /api/v1/info", false, jsonBody([]byte(info)))
	r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.HashRate-104350.5e6) > 1 {
		t.Fatalf("hash rate %g, want MH/s scaling", r.HashRate)
	}
}

func TestPollInfoFailureIsPartial(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/info", false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"err":"busy"}`))
	})
	r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 1 || !strings.Contains(r.PollErrors[0], "busy") {
		t.Fatalf("poll errors %q", r.PollErrors)
	}
	if math.Abs(r.HashRate-104350.5e9) > 1 {
		t.Fatalf("hash rate %g, want GH/s default", r.HashRate)
	}
}

func TestPollFailure(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/summary", false, jsonBody(fixture(t, "summary_failure.json")))
	r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Miner failure: Chain 2 not found (code 3)", "Chain 2: failure: no chips found"}
	if !reflect.DeepEqual(r.Errors, want) {
		t.Errorf("errors %q", r.Errors)
	}
	if len(r.Boards) != 2 {
		t.Errorf("%d boards, want 2 (the disabled chain is absent)", len(r.Boards))
	}
	if r.HashRate != 0 || r.Uptime != 0 || len(r.Fans) != 0 || len(r.Pools) != 0 {
		t.Errorf("reading %+v", r)
	}
}

func TestPollStoppedAndNoMiner(t *testing.T) {
	for name, body := range map[string][]byte{"stopped": fixture(t, "summary_stopped.json"), "null": []byte(`{"miner":null}`)} {
		f := newFake(t)
		f.handle("GET /api/v1/summary", false, jsonBody(body))
		r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !r.Paused || r.HashRate != 0 {
			t.Errorf("%s: paused %v hash rate %g", name, r.Paused, r.HashRate)
		}
	}
}

func TestPollUnlocksWhenSummaryProtected(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/summary", true, jsonBody(fixture(t, "summary.json")))
	r, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatal(err)
	}
	if r.HashRate == 0 {
		t.Fatal("no hash rate")
	}
	u, ok := f.last("POST", "/api/v1/unlock")
	if !ok {
		t.Fatalf("no unlock: %v", f.seen())
	}
	sameJSON(t, u.Body, `{"pw":"admin"}`)
	s, _ := f.last("GET", "/api/v1/summary")
	if s.Auth != "Bearer tok-1" {
		t.Fatalf("summary sent with Authorization %q", s.Auth)
	}
}

package vnish_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/vnish"
)

// ok answers a control endpoint as VNish does.
func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

func TestSimpleVerbs(t *testing.T) {
	cases := []struct {
		name string
		do   func(*vnish.Driver, hearth.Target) error
		path string
		body string
	}{
		{"reboot", func(d *vnish.Driver, tg hearth.Target) error { return d.Reboot(ctxFor(t, 5*time.Second), tg) }, "/api/v1/system/reboot", `{"after":3}`},
		{"restart", func(d *vnish.Driver, tg hearth.Target) error { return d.RestartMining(ctxFor(t, 5*time.Second), tg) }, "/api/v1/mining/restart", ``},
		{"pause", func(d *vnish.Driver, tg hearth.Target) error { return d.Pause(ctxFor(t, 5*time.Second), tg) }, "/api/v1/mining/pause", ``},
		{"resume", func(d *vnish.Driver, tg hearth.Target) error { return d.Resume(ctxFor(t, 5*time.Second), tg) }, "/api/v1/mining/resume", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("POST "+tc.path, true, ok(tc.body))
			if err := tc.do(vnish.New(), f.target); err != nil {
				t.Fatal(err)
			}
			want := []string{"POST /api/v1/unlock", "POST " + tc.path}
			if got := f.seen(); !reflect.DeepEqual(got, want) {
				t.Fatalf("requests %v, want %v", got, want)
			}
			r, _ := f.last("POST", tc.path)
			if r.Auth != "Bearer tok-1" || r.Body != "" {
				t.Fatalf("request auth %q body %q", r.Auth, r.Body)
			}
		})
	}
}

func TestPauseFallsBackToStop(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/mining/stop", true, ok(""))
	f.handle("POST /api/v1/mining/start", true, ok(""))
	d := vnish.New()
	if err := d.Pause(ctxFor(t, 5*time.Second), f.target); err != nil {
		t.Fatal(err)
	}
	if err := d.Resume(ctxFor(t, 5*time.Second), f.target); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /api/v1/unlock", "POST /api/v1/mining/pause", "POST /api/v1/mining/stop", "POST /api/v1/mining/resume", "POST /api/v1/mining/start"}
	if got := f.seen(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v", got)
	}
}

func TestTokenReusedAndRenewed(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/mining/restart", true, ok(""))
	d := vnish.New()
	for i := 0; i < 2; i++ {
		if err := d.RestartMining(ctxFor(t, 5*time.Second), f.target); err != nil {
			t.Fatal(err)
		}
	}
	f.rotate()
	if err := d.RestartMining(ctxFor(t, 5*time.Second), f.target); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /api/v1/unlock", "POST /api/v1/mining/restart", "POST /api/v1/mining/restart",
		"POST /api/v1/mining/restart", "POST /api/v1/unlock", "POST /api/v1/mining/restart",
	}
	if got := f.seen(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v\nwant     %v", got, want)
	}
	if r, _ := f.last("POST", "/api/v1/mining/restart"); r.Auth != "Bearer tok-2" {
		t.Fatalf("retry sent %q", r.Auth)
	}
}

func TestCredentialsUsedAndNeverShown(t *testing.T) {
	f := newFake(t)
	f.password = "s3cret-pw"
	f.handle("POST /api/v1/system/reboot", true, ok(`{"after":3}`))
	tg := f.target
	tg.Credentials = hearth.Credentials{Password: "s3cret-pw"}
	if err := vnish.New().Reboot(ctxFor(t, 5*time.Second), tg); err != nil {
		t.Fatal(err)
	}
	u, _ := f.last("POST", "/api/v1/unlock")
	sameJSON(t, u.Body, `{"pw":"s3cret-pw"}`)

	tg.Credentials.Password = "wrong-pw"
	err := vnish.New().Reboot(ctxFor(t, 5*time.Second), tg)
	wantCode(t, err, hearth.EAUTH)
	if strings.Contains(err.Error(), "wrong-pw") || strings.Contains(hearth.ErrorMessage(err), "wrong-pw") {
		t.Fatalf("error shows the password: %v", err)
	}
}

func TestLockoutBacksOff(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		f := newFake(t)
		f.unlockStatus, f.unlockBody = status, `{"unlock_timeout":120}`
		f.handle("POST /api/v1/system/reboot", true, ok(`{"after":3}`))
		d := vnish.New()
		for i := 0; i < 3; i++ {
			err := d.Reboot(ctxFor(t, 5*time.Second), f.target)
			wantCode(t, err, hearth.EAUTH)
			if i > 0 && !strings.Contains(hearth.ErrorMessage(err), "not trying again") {
				t.Errorf("message %q", hearth.ErrorMessage(err))
			}
		}
		if got := f.seen(); !reflect.DeepEqual(got, []string{"POST /api/v1/unlock"}) {
			t.Fatalf("HTTP %d: requests %v, want a single unlock attempt", status, got)
		}
	}
}

// locateMiner is a fake find-miner toggle; reply decides what POST
// /find-miner answers given the new state.
type locateMiner struct {
	mu sync.Mutex
	on bool
}

func (l *locateMiner) toggle(reply func(on bool) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.on = !l.on
		on := l.on
		l.mu.Unlock()
		io.WriteString(w, reply(on))
	}
}

func (l *locateMiner) status(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"miner_state": "mining", "find_miner": l.on, "unlocked": false})
	w.Write(b)
}

func TestSetLocate(t *testing.T) {
	withState := func(on bool) string { b, _ := json.Marshal(map[string]bool{"on": on}); return string(b) }
	null := func(bool) string { return "null" }
	for _, tc := range []struct {
		name      string
		initially bool
		want      bool
		reply     func(bool) string
		requests  []string
	}{
		{"on", false, true, withState, []string{"POST /api/v1/unlock", "POST /api/v1/find-miner"}},
		{"already on", true, true, withState, []string{"POST /api/v1/unlock", "POST /api/v1/find-miner", "POST /api/v1/find-miner"}},
		{"off", true, false, withState, []string{"POST /api/v1/unlock", "POST /api/v1/find-miner"}},
		{"null reply", false, true, null, []string{"POST /api/v1/unlock", "POST /api/v1/find-miner", "GET /api/v1/status"}},
		{"null reply wrong", true, true, null, []string{"POST /api/v1/unlock", "POST /api/v1/find-miner", "GET /api/v1/status", "POST /api/v1/find-miner", "GET /api/v1/status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			l := &locateMiner{on: tc.initially}
			f.handle("POST /api/v1/find-miner", true, l.toggle(tc.reply))
			f.handle("GET /api/v1/status", false, l.status)
			if err := vnish.New().SetLocate(ctxFor(t, 5*time.Second), f.target, tc.want, time.Minute); err != nil {
				t.Fatal(err)
			}
			if l.on != tc.want {
				t.Fatalf("light on = %v", l.on)
			}
			if got := f.seen(); !reflect.DeepEqual(got, tc.requests) {
				t.Fatalf("requests %v\nwant     %v", got, tc.requests)
			}
		})
	}
}

func TestSetLocateStuck(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/find-miner", true, ok(`{"on":false}`))
	err := vnish.New().SetLocate(ctxFor(t, 5*time.Second), f.target, true, 0)
	wantCode(t, err, hearth.EPROTOCOL)
}

// settingsMiner serves /settings and /autotune/presets, recording the
// overclock preset a POST sets (unless ignore is set, as a firmware that
// answers success without applying).
type settingsMiner struct {
	mu      sync.Mutex
	doc     map[string]any
	ignore  bool
	restart bool
}

func newSettingsMiner(t *testing.T, f *fakeMiner, presets []byte) *settingsMiner {
	s := &settingsMiner{}
	if err := json.Unmarshal(fixture(t, "settings.json"), &s.doc); err != nil {
		t.Fatal(err)
	}
	f.handle("GET /api/v1/autotune/presets", true, jsonBody(presets))
	f.handle("GET /api/v1/settings", true, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, _ := json.Marshal(s.doc)
		w.Write(b)
	})
	f.handle("POST /api/v1/settings", true, func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Miner struct {
				Overclock map[string]any `json:"overclock"`
			} `json:"miner"`
		}
		json.NewDecoder(r.Body).Decode(&in)
		s.mu.Lock()
		defer s.mu.Unlock()
		if p, ok := in.Miner.Overclock["preset"]; ok && !s.ignore {
			s.doc["miner"].(map[string]any)["overclock"].(map[string]any)["preset"] = p
		}
		b, _ := json.Marshal(map[string]bool{"restart_required": s.restart, "reboot_required": false})
		w.Write(b)
	})
	f.handle("POST /api/v1/mining/restart", true, ok(""))
	return s
}

func TestSetPowerTarget(t *testing.T) {
	f := newFake(t)
	newSettingsMiner(t, f, fixture(t, "presets.json"))
	got, err := vnish.New().SetPowerTarget(ctxFor(t, 5*time.Second), f.target, 3200)
	if err != nil {
		t.Fatal(err)
	}
	want := hearth.PowerSetting{RequestedWatts: 3200, Watts: 3068, Mechanism: "profile", Value: "3068"}
	if *got != want {
		t.Fatalf("applied %+v, want %+v", *got, want)
	}
	wantReq := []string{"POST /api/v1/unlock", "GET /api/v1/autotune/presets", "GET /api/v1/settings", "POST /api/v1/settings", "GET /api/v1/settings"}
	if got := f.seen(); !reflect.DeepEqual(got, wantReq) {
		t.Fatalf("requests %v", got)
	}
	post, _ := f.last("POST", "/api/v1/settings")
	sameJSON(t, post.Body, `{"miner":{"overclock":{"preset":"3068","modded_psu":false,"globals":{"freq":525,"volt":1360},"chains":null,
		"preset_switcher":{"enabled":false,"top_preset":null,"decrease_temp":75,"rise_temp":65,"check_time":300,"autochange_top_preset":false,"ignore_fan_speed":false,"min_preset":null,"power_delta":0}}}}`)
}

func TestSetPowerTargetLowerPreset(t *testing.T) {
	f := newFake(t)
	wrapped := `{"presets":` + string(fixture(t, "presets.json")) + `}`
	s := newSettingsMiner(t, f, []byte(wrapped))
	s.restart = true
	got, err := vnish.New().SetPowerTarget(ctxFor(t, 5*time.Second), f.target, 2499.9)
	if err != nil {
		t.Fatal(err)
	}
	if got.Value != "2100" || got.Watts != 2100 {
		t.Fatalf("applied %+v", *got)
	}
	if _, ok := f.last("POST", "/api/v1/mining/restart"); !ok {
		t.Fatal("restart_required ignored")
	}
}

func TestSetPowerTargetRefusals(t *testing.T) {
	f := newFake(t)
	newSettingsMiner(t, f, fixture(t, "presets.json"))
	_, err := vnish.New().SetPowerTarget(ctxFor(t, 5*time.Second), f.target, 1500)
	wantCode(t, err, hearth.EINVALID)
	if !strings.Contains(hearth.ErrorMessage(err), "2100 W") {
		t.Errorf("message %q does not name the lowest preset", hearth.ErrorMessage(err))
	}
	if _, posted := f.last("POST", "/api/v1/settings"); posted {
		t.Fatal("settings changed although no preset fits")
	}

	f = newFake(t)
	s := newSettingsMiner(t, f, fixture(t, "presets.json"))
	s.ignore = true
	_, err = vnish.New().SetPowerTarget(ctxFor(t, 5*time.Second), f.target, 2600)
	wantCode(t, err, hearth.EPROTOCOL)

	f = newFake(t)
	newSettingsMiner(t, f, []byte(`[{"name":"disabled","pretty":"Disabled","status":"tuned"}]`))
	_, err = vnish.New().SetPowerTarget(ctxFor(t, 5*time.Second), f.target, 2600)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestSetPools(t *testing.T) {
	f := newFake(t)
	s := newSettingsMiner(t, f, fixture(t, "presets.json"))
	s.restart = true
	pools := []hearth.PoolConfig{
		{URL: "stratum+tcp://a.example:3333", User: "w.1", Password: "x"},
		{URL: "stratum+tcp://b.example:3333", User: "w.2"},
	}
	if err := vnish.New().SetPools(ctxFor(t, 5*time.Second), f.target, pools); err != nil {
		t.Fatal(err)
	}
	post, _ := f.last("POST", "/api/v1/settings")
	sameJSON(t, post.Body, `{"miner":{"pools":[{"url":"stratum+tcp://a.example:3333","user":"w.1","pass":"x"},{"url":"stratum+tcp://b.example:3333","user":"w.2","pass":""}]}}`)
	want := []string{"POST /api/v1/unlock", "POST /api/v1/settings", "POST /api/v1/mining/restart"}
	if got := f.seen(); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v", got)
	}
}

func TestSetPoolsInvalid(t *testing.T) {
	f := newFake(t)
	p := hearth.PoolConfig{URL: "stratum+tcp://a.example:3333", User: "w"}
	for _, pools := range [][]hearth.PoolConfig{nil, {p, p, p, p}, {{URL: "x"}}} {
		err := vnish.New().SetPools(ctxFor(t, 5*time.Second), f.target, pools)
		wantCode(t, err, hearth.EINVALID)
	}
	if n := len(f.seen()); n != 0 {
		t.Fatalf("%d requests sent for invalid pools", n)
	}
}

func TestFanModeUnsupported(t *testing.T) {
	f := newFake(t)
	err := vnish.New().SetFanMode(ctxFor(t, 5*time.Second), f.target, hearth.FanMode{Auto: true})
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestControlErrors(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/system/reboot", true, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"err":"reboot already scheduled"}`)
	})
	err := vnish.New().Reboot(ctxFor(t, 5*time.Second), f.target)
	wantCode(t, err, hearth.EUNAVAILABLE)
	if !strings.Contains(hearth.ErrorMessage(err), "reboot already scheduled") {
		t.Errorf("message %q lacks the firmware's reason", hearth.ErrorMessage(err))
	}
	// A release without the endpoint.
	err = vnish.New().RestartMining(ctxFor(t, 5*time.Second), f.target)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

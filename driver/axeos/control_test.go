package axeos_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/axeos"
)

// request is what the fake firmware saw of one request.
type request struct {
	method, path, contentType string
	body                      []byte
}

// recorder keeps the requests a fake firmware received.
type recorder struct {
	mu   sync.Mutex
	reqs []request
}

func (r *recorder) record(req *http.Request) request {
	b, _ := io.ReadAll(req.Body)
	got := request{method: req.Method, path: req.URL.Path, contentType: req.Header.Get("Content-Type"), body: b}
	r.mu.Lock()
	r.reqs = append(r.reqs, got)
	r.mu.Unlock()
	return got
}

func (r *recorder) all() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

// post answers a POST the way ESP-Miner's handlers do: 405 for other
// methods (the route is registered for POST only), and body otherwise.
func post(rec *recorder, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		if r.Method != http.MethodPost {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", contentType)
		io.WriteString(w, body)
	}
}

func TestRebootAcceptsTextAndJSONReplies(t *testing.T) {
	for name, reply := range map[string]struct{ contentType, body string }{
		"v2.12 text": {"text/plain", "System will restart shortly."},
		"v2.13 JSON": {"application/json", `{"message":"System will restart shortly."}`},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			target := newMiner(t, map[string]http.HandlerFunc{"/api/system/restart": post(rec, reply.contentType, reply.body)})
			if err := axeos.New().Reboot(timeoutCtx(t, 5*time.Second), target); err != nil {
				t.Fatalf("Reboot: %v", err)
			}
			reqs := rec.all()
			if len(reqs) != 1 || reqs[0].method != http.MethodPost || reqs[0].path != "/api/system/restart" {
				t.Fatalf("requests = %+v, want one POST /api/system/restart", reqs)
			}
		})
	}
}

func TestRestartMiningIsUnsupported(t *testing.T) {
	err := axeos.New().RestartMining(timeoutCtx(t, time.Second), hearth.Target{Address: "127.0.0.1"})
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestPauseResume(t *testing.T) {
	rec := &recorder{}
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/pause":  post(rec, "application/json", `{"message":"Mining paused"}`),
		"/api/system/resume": post(rec, "application/json", `{"message":"Mining resumed"}`),
	})
	d := axeos.New()
	if err := d.Pause(timeoutCtx(t, 5*time.Second), target); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	if err := d.Resume(timeoutCtx(t, 5*time.Second), target); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 2 || reqs[0].path != "/api/system/pause" || reqs[1].path != "/api/system/resume" ||
		reqs[0].method != http.MethodPost || reqs[1].method != http.MethodPost {
		t.Fatalf("requests = %+v", reqs)
	}
}

// TestOldFirmwareIsUnsupported covers the ways ESP-Miner answers a route
// it lacks: 404 under /api/, 405 from a GET-only wildcard, a 302 to the
// captive portal.
func TestOldFirmwareIsUnsupported(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"404": http.NotFound,
		"405": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		},
		"302": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/")
			w.WriteHeader(http.StatusFound)
			io.WriteString(w, "Redirect to the captive portal")
		},
	} {
		t.Run(name, func(t *testing.T) {
			target := newMiner(t, map[string]http.HandlerFunc{"/": h})
			d := axeos.New()
			err := d.Pause(timeoutCtx(t, 5*time.Second), target)
			wantCode(t, err, hearth.EUNSUPPORTED)
			if !strings.Contains(err.Error(), "v2.14.0") {
				t.Errorf("error %q does not name the release needed", err)
			}
			err = d.SetLocate(timeoutCtx(t, 5*time.Second), target, true, 0)
			wantCode(t, err, hearth.EUNSUPPORTED)
			if !strings.Contains(err.Error(), "v2.12.0") {
				t.Errorf("error %q does not name the release needed", err)
			}
			_, err = d.FetchLogs(timeoutCtx(t, 5*time.Second), target)
			wantCode(t, err, hearth.EUNSUPPORTED)
			if !strings.Contains(err.Error(), "v2.15.0") {
				t.Errorf("error %q does not name the release needed", err)
			}
		})
	}
}

func TestFetchLogs(t *testing.T) {
	const text = "I (1234) stratum_task: Connected to public-pool.io:21496\nW (2345) power: VR temperature high\n"
	var rec recorder
	target := newMiner(t, map[string]http.HandlerFunc{"/api/system/logs": func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, text)
	}})
	l, err := axeos.New().FetchLogs(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	if l.Text != text || l.Source != "/api/system/logs" || l.Truncated {
		t.Fatalf("got %+v", l)
	}
	if reqs := rec.all(); len(reqs) != 1 || reqs[0].method != http.MethodGet {
		t.Fatalf("requests %+v", reqs)
	}
}

// identifyFirmware toggles identify mode like ESP-Miner's POST_identify.
func identifyFirmware(rec *recorder, on *bool) http.HandlerFunc {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		if r.Method != http.MethodPost {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		*on = !*on
		msg := `The device no longer says "Hi!".`
		if *on {
			msg = `The device says "Hi!" for 30 seconds.`
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
}

func TestSetLocateReachesTheWantedState(t *testing.T) {
	for _, tc := range []struct {
		start, want bool
		posts       int
	}{
		{false, true, 1}, {true, true, 2}, {true, false, 1}, {false, false, 2},
	} {
		rec := &recorder{}
		state := tc.start
		target := newMiner(t, map[string]http.HandlerFunc{"/api/system/identify": identifyFirmware(rec, &state)})
		if err := axeos.New().SetLocate(timeoutCtx(t, 5*time.Second), target, tc.want, time.Minute); err != nil {
			t.Fatalf("SetLocate(%v) from %v: %v", tc.want, tc.start, err)
		}
		if state != tc.want || len(rec.all()) != tc.posts {
			t.Errorf("SetLocate(%v) from %v: state %v after %d posts, want %v after %d", tc.want, tc.start, state, len(rec.all()), tc.want, tc.posts)
		}
	}
}

func TestSetLocateRejectsAnUnknownReply(t *testing.T) {
	rec := &recorder{}
	target := newMiner(t, map[string]http.HandlerFunc{"/api/system/identify": post(rec, "application/json", `{"message":"ok"}`)})
	wantCode(t, axeos.New().SetLocate(timeoutCtx(t, 5*time.Second), target, true, 0), hearth.EPROTOCOL)
}

// settingsFirmware serves info and asic replies and records PATCH
// /api/system, answering 200 with an empty body as AxeOS does.
func settingsFirmware(t *testing.T, rec *recorder, info, asic string) hearth.Target {
	routes := map[string]http.HandlerFunc{
		"/api/system/info": serveJSON([]byte(info)),
		"/api/system": func(w http.ResponseWriter, r *http.Request) {
			got := rec.record(r)
			if r.Method != http.MethodPatch {
				http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
				return
			}
			if !json.Valid(got.body) {
				http.Error(w, "Invalid JSON", http.StatusBadRequest)
			}
		},
	}
	if asic != "" {
		routes["/api/system/asic"] = serveJSON([]byte(asic))
	}
	return newMiner(t, routes)
}

const gammaInfo = `{"ASICModel":"BM1370","hashRate":1200,"power":20,"frequency":600}`

func TestSetPowerTargetPicksTheNearestFrequency(t *testing.T) {
	rec := &recorder{}
	target := settingsFirmware(t, rec, gammaInfo, string(fixture(t, "head_v2_15_0_system_asic.json")))
	// 15 W of 20 W at 600 MHz is 450 MHz; the options are 400 490 525 550 600 625.
	got, err := axeos.New().SetPowerTarget(timeoutCtx(t, 5*time.Second), target, 15)
	if err != nil {
		t.Fatalf("SetPowerTarget: %v", err)
	}
	want := hearth.PowerSetting{RequestedWatts: 15, Watts: 16.3, Mechanism: "frequency", Value: "490"}
	if *got != want {
		t.Errorf("setting = %+v, want %+v", *got, want)
	}
	reqs := rec.all()
	if len(reqs) != 1 || reqs[0].method != http.MethodPatch || string(reqs[0].body) != `{"frequency":490}` || reqs[0].contentType != "application/json" {
		t.Fatalf("requests = %+v, want one PATCH /api/system {\"frequency\":490}", reqs)
	}
}

func TestSetPowerTargetWithoutFrequencyOptionsNeverRaisesTheClock(t *testing.T) {
	rec := &recorder{}
	target := settingsFirmware(t, rec, gammaInfo, "")
	got, err := axeos.New().SetPowerTarget(timeoutCtx(t, 5*time.Second), target, 40)
	if err != nil {
		t.Fatalf("SetPowerTarget: %v", err)
	}
	if got.Value != "600" || got.Watts != 20 {
		t.Errorf("setting = %+v, want 600 MHz at 20 W", *got)
	}
}

func TestSetPowerTargetRejectsBadWatts(t *testing.T) {
	for _, w := range []float64{0, -5} {
		_, err := axeos.New().SetPowerTarget(timeoutCtx(t, time.Second), hearth.Target{Address: "127.0.0.1"}, w)
		wantCode(t, err, hearth.EINVALID)
	}
}

func TestSetPoolsSplitsHostAndPort(t *testing.T) {
	rec := &recorder{}
	target := settingsFirmware(t, rec, gammaInfo, "")
	err := axeos.New().SetPools(timeoutCtx(t, 5*time.Second), target, []hearth.PoolConfig{
		{URL: "stratum+tcp://public-pool.io:21496", User: "bc1qabc.bitaxe", Password: "x"},
		{URL: "solo.ckpool.org:3333", User: "bc1qabc", Password: ""},
	})
	if err != nil {
		t.Fatalf("SetPools: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 1 || reqs[0].method != http.MethodPatch || reqs[0].path != "/api/system" {
		t.Fatalf("requests = %+v", reqs)
	}
	var got map[string]any
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"stratumURL": "public-pool.io", "stratumPort": 21496.0, "stratumUser": "bc1qabc.bitaxe", "stratumPassword": "x",
		"fallbackStratumURL": "solo.ckpool.org", "fallbackStratumPort": 3333.0, "fallbackStratumUser": "bc1qabc",
	}
	if len(got) != len(want) {
		t.Errorf("body = %s, want the fields %v", reqs[0].body, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// TestSetPoolsV2_15UsesThePoolList checks that firmware listing pools[]
// (v2.15.0+, whose settings no longer have the flat stratumURL) gets the
// pools as pools[] entries with ids and the primary and fallback indexes.
func TestSetPoolsV2_15UsesThePoolList(t *testing.T) {
	rec := &recorder{}
	target := settingsFirmware(t, rec, string(fixture(t, "head_v2_15_0_system_info.json")), "")
	err := axeos.New().SetPools(timeoutCtx(t, 5*time.Second), target, []hearth.PoolConfig{
		{URL: "stratum+tcp://public-pool.io:21496", User: "bc1qabc.bitaxe", Password: "x"},
		{URL: "stratum+tcp://solo.ckpool.org:3333", User: "bc1qabc", Password: "y"},
	})
	if err != nil {
		t.Fatalf("SetPools: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 1 || reqs[0].method != http.MethodPatch {
		t.Fatalf("requests = %+v", reqs)
	}
	want := `{"pools":[{"id":0,"stratumURL":"public-pool.io","stratumPort":21496,"stratumUser":"bc1qabc.bitaxe","stratumPassword":"x"},` +
		`{"id":1,"stratumURL":"solo.ckpool.org","stratumPort":3333,"stratumUser":"bc1qabc","stratumPassword":"y"}],"primaryPoolIndex":0,"secondaryPoolIndex":1}`
	if string(reqs[0].body) != want {
		t.Errorf("body\n%s\nwant\n%s", reqs[0].body, want)
	}
}

func TestSetPoolsRejects(t *testing.T) {
	three := []hearth.PoolConfig{{URL: "stratum+tcp://a:1", User: "u"}, {URL: "stratum+tcp://b:1", User: "u"}, {URL: "stratum+tcp://c:1", User: "u"}}
	for name, pools := range map[string][]hearth.PoolConfig{
		"none":    nil,
		"three":   three,
		"no port": {{URL: "stratum+tcp://pool.example", User: "u"}},
		"tls":     {{URL: "stratum+ssl://pool.example:443", User: "u"}},
		"no user": {{URL: "stratum+tcp://pool.example:3333"}},
	} {
		err := axeos.New().SetPools(timeoutCtx(t, time.Second), hearth.Target{Address: "127.0.0.1", Port: 1}, pools)
		if hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", name, err)
		}
	}
}

func TestControlErrors(t *testing.T) {
	t.Run("401 is EAUTH", func(t *testing.T) {
		target := newMiner(t, map[string]http.HandlerFunc{"/": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		}})
		wantCode(t, axeos.New().Reboot(timeoutCtx(t, 5*time.Second), target), hearth.EAUTH)
	})
	t.Run("400 is EINVALID", func(t *testing.T) {
		target := newMiner(t, map[string]http.HandlerFunc{
			"/api/system/info": serveJSON([]byte(gammaInfo)),
			"/api/system": func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "Wrong API input", http.StatusBadRequest)
			},
		})
		err := axeos.New().SetPools(timeoutCtx(t, 5*time.Second), target, []hearth.PoolConfig{{URL: "stratum+tcp://a:1", User: "u"}})
		wantCode(t, err, hearth.EINVALID)
	})
	t.Run("silence is ETIMEOUT", func(t *testing.T) {
		release := make(chan struct{})
		target := newMiner(t, map[string]http.HandlerFunc{"/": func(w http.ResponseWriter, r *http.Request) {
			<-release
		}})
		defer close(release)
		wantCode(t, axeos.New().Pause(timeoutCtx(t, 200*time.Millisecond), target), hearth.ETIMEOUT)
	})
}

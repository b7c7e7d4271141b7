package antminer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/antminer"
)

// stockWeb is a fake stock Antminer web interface for the control verbs:
// Digest-protected CGIs keeping a configuration and a blink state, written
// from asic-rs's and pyasic's use of them.
type stockWeb struct {
	user, password string
	minerType      string
	// nonce is the Digest nonce the interface issues; empty means the
	// default. challenges counts the 401s it answered.
	nonce      string
	challenges int

	mu    sync.Mutex
	conf  map[string]any
	blink bool
	log   string
	// posts holds the decoded JSON bodies of the POSTs, by CGI path.
	posts map[string][]map[string]any
	// paths lists every authorised request as "METHOD path".
	paths []string
}

func newStockWeb(t *testing.T) (*stockWeb, hearth.Target) {
	t.Helper()
	var conf map[string]any
	b, err := os.ReadFile("testdata/get_miner_conf.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &conf); err != nil {
		t.Fatal(err)
	}
	w := &stockWeb{user: "root", password: "root", conf: conf, posts: map[string][]map[string]any{}, minerType: "Antminer S21"}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return w, hearth.Target{Address: host, WebPort: p}
}

func (w *stockWeb) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	nonce := w.nonce
	if nonce == "" {
		nonce = "6c1f5e3a9b2d4c8e0f7a1b3c5d7e9f01"
	}
	if !checkDigestNonce(rw, r, w.user, w.password, nonce) {
		w.challenges++
		return
	}
	w.paths = append(w.paths, r.Method+" "+r.URL.Path)
	var body map[string]any
	if r.Method == http.MethodPost {
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(rw, "bad json", http.StatusBadRequest)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			http.Error(rw, "content type "+ct, http.StatusBadRequest)
			return
		}
		w.posts[r.URL.Path] = append(w.posts[r.URL.Path], body)
	}
	reply := func(v any) {
		rw.Header().Set("Content-Type", "application/json")
		json.NewEncoder(rw).Encode(v)
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /cgi-bin/get_miner_conf.cgi":
		reply(w.conf)
	case "POST /cgi-bin/set_miner_conf.cgi":
		w.conf = body // the firmware replaces the whole configuration
		reply(map[string]string{"stats": "success", "code": "M000", "msg": "OK!"})
	case "POST /cgi-bin/blink.cgi":
		w.blink = body["blink"] == "true"
		code := "B100"
		if w.blink {
			code = "B000"
		}
		reply(map[string]string{"code": code})
	case "GET /cgi-bin/get_blink_status.cgi":
		reply(map[string]bool{"blink": w.blink})
	case "POST /cgi-bin/reboot.cgi":
		reply(map[string]string{})
	case "GET /cgi-bin/get_system_info.cgi":
		reply(map[string]string{"minertype": w.minerType})
	case "GET /cgi-bin/log.cgi":
		rw.Header().Set("Content-Type", "text/plain")
		io.WriteString(rw, w.log)
	default:
		http.NotFound(rw, r)
	}
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := hearth.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestPauseResumeSendsTheWholeConfigBack(t *testing.T) {
	web, target := newStockWeb(t)
	original := map[string]any{}
	for k, v := range web.conf {
		original[k] = v
	}
	d := antminer.New()
	if err := d.Pause(ctx5s(t), target); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	sent := web.posts["/cgi-bin/set_miner_conf.cgi"][0]
	if sent["miner-mode"] != 1.0 || sent["bitmain-work-mode"] != "1" || sent["freq-level"] != "100" {
		t.Errorf("sleep config: miner-mode %v, bitmain-work-mode %v, freq-level %v", sent["miner-mode"], sent["bitmain-work-mode"], sent["freq-level"])
	}
	for k, v := range original {
		if k == "bitmain-work-mode" {
			continue
		}
		got, _ := json.Marshal(sent[k])
		want, _ := json.Marshal(v)
		if !bytes.Equal(got, want) {
			t.Errorf("set_miner_conf %s = %s, want %s as read", k, got, want)
		}
	}
	if err := d.Resume(ctx5s(t), target); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	sent = web.posts["/cgi-bin/set_miner_conf.cgi"][1]
	if sent["miner-mode"] != 0.0 || sent["bitmain-work-mode"] != "0" {
		t.Errorf("resume config: miner-mode %v, bitmain-work-mode %v", sent["miner-mode"], sent["bitmain-work-mode"])
	}
	want := "GET /cgi-bin/get_miner_conf.cgi,POST /cgi-bin/set_miner_conf.cgi,GET /cgi-bin/get_miner_conf.cgi,POST /cgi-bin/set_miner_conf.cgi"
	if got := strings.Join(web.paths, ","); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
}

func TestPauseRefusesAPartialConfig(t *testing.T) {
	web, target := newStockWeb(t)
	web.conf = map[string]any{"bitmain-work-mode": "0"} // no pools: not a configuration to send back
	wantCode(t, antminer.New().Pause(ctx5s(t), target), hearth.EPROTOCOL)
	if len(web.posts) != 0 {
		t.Errorf("posted %v", web.posts)
	}
}

func TestSetPoolsFillsThreeSlots(t *testing.T) {
	web, target := newStockWeb(t)
	err := antminer.New().SetPools(ctx5s(t), target, []hearth.PoolConfig{{URL: "stratum+tcp://ocean.xyz:3334", User: "bc1q.rig7", Password: "x"}})
	if err != nil {
		t.Fatalf("SetPools: %v", err)
	}
	sent := web.posts["/cgi-bin/set_miner_conf.cgi"][0]
	got, _ := json.Marshal(sent["pools"])
	want := `[{"pass":"x","url":"stratum+tcp://ocean.xyz:3334","user":"bc1q.rig7"},{"pass":"","url":"","user":""},{"pass":"","url":"","user":""}]`
	if string(got) != want {
		t.Errorf("pools %s, want %s", got, want)
	}
	if sent["bitmain-fan-pwm"] != "100" || sent["api-allow"] != "A:0/0,W:*" || sent["bitmain-work-mode"] != "0" {
		t.Errorf("the rest of the config was not kept: %v", sent)
	}
	if _, ok := sent["miner-mode"]; ok {
		t.Errorf("SetPools changed the work mode")
	}
}

func TestSetPoolsRejects(t *testing.T) {
	four := make([]hearth.PoolConfig, 4)
	for i := range four {
		four[i] = hearth.PoolConfig{URL: "stratum+tcp://a:1", User: "u"}
	}
	for name, pools := range map[string][]hearth.PoolConfig{"none": nil, "four": four, "no user": {{URL: "stratum+tcp://a:1"}}} {
		err := antminer.New().SetPools(ctx5s(t), hearth.Target{Address: "127.0.0.1", WebPort: 1}, pools)
		if hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestSetLocate(t *testing.T) {
	web, target := newStockWeb(t)
	d := antminer.New()
	if err := d.SetLocate(ctx5s(t), target, true, time.Minute); err != nil {
		t.Fatalf("SetLocate on: %v", err)
	}
	if !web.blink || web.posts["/cgi-bin/blink.cgi"][0]["blink"] != "true" {
		t.Fatalf("blink %v after %v", web.blink, web.posts)
	}
	if err := d.SetLocate(ctx5s(t), target, false, 0); err != nil {
		t.Fatalf("SetLocate off: %v", err)
	}
	if web.blink || web.posts["/cgi-bin/blink.cgi"][1]["blink"] != "false" {
		t.Fatalf("blink %v after %v", web.blink, web.posts)
	}
	want := "POST /cgi-bin/blink.cgi,GET /cgi-bin/get_blink_status.cgi,POST /cgi-bin/blink.cgi,GET /cgi-bin/get_blink_status.cgi"
	if got := strings.Join(web.paths, ","); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
}

func TestReboot(t *testing.T) {
	web, target := newStockWeb(t)
	if err := antminer.New().Reboot(ctx5s(t), target); err != nil {
		t.Fatalf("Reboot: %v", err)
	}
	if strings.Join(web.paths, ",") != "POST /cgi-bin/reboot.cgi" {
		t.Errorf("requests %v", web.paths)
	}
}

func TestFetchLogs(t *testing.T) {
	web, target := newStockWeb(t)
	web.log = "2025-10-09 18:55:45 driver-btm-api.c:1460:check_asic_number_with_power_on: Chain[0]: find 108 asic, times 0\n"
	l, err := antminer.New().FetchLogs(ctx5s(t), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if l.Text != web.log || l.Source != "/cgi-bin/log.cgi" || l.Truncated || l.FetchedAt.IsZero() {
		t.Fatalf("got %+v", l)
	}
	if strings.Join(web.paths, ",") != "GET /cgi-bin/log.cgi" {
		t.Errorf("requests %v", web.paths)
	}

	web.password = "changed"
	_, err = antminer.New().FetchLogs(ctx5s(t), target)
	wantCode(t, err, hearth.EAUTH)
}

func TestRestartMiningIsUnsupported(t *testing.T) {
	wantCode(t, antminer.New().RestartMining(ctx5s(t), hearth.Target{Address: "127.0.0.1"}), hearth.EUNSUPPORTED)
}

func TestSetPowerTargetModes(t *testing.T) {
	for _, tc := range []struct {
		model string
		watts float64
		value string
		mode  float64
		est   float64
	}{
		{"Antminer S21", 3500, "normal", 0, 3500},
		{"Antminer S21", 2975, "normal", 0, 3500},
		{"Antminer S21", 2974, "low-power", 3, 2100},
		{"Antminer S21", 700, "low-power", 3, 2100},
		{"Antminer S21", 699, "sleep", 1, 35},
		{"Antminer S21 XP Hyd.", 3000, "low-power", 3, 3406},
		{"", 3500, "normal", 0, 3500}, // model from get_system_info
	} {
		web, target := newStockWeb(t)
		target.Model = tc.model
		got, err := antminer.New().SetPowerTarget(ctx5s(t), target, tc.watts)
		if err != nil {
			t.Fatalf("%s %g W: %v", tc.model, tc.watts, err)
		}
		want := hearth.PowerSetting{RequestedWatts: tc.watts, Watts: tc.est, Mechanism: "mode", Value: tc.value}
		if *got != want {
			t.Errorf("%s %g W: %+v, want %+v", tc.model, tc.watts, *got, want)
		}
		if sent := web.posts["/cgi-bin/set_miner_conf.cgi"]; len(sent) != 1 || sent[0]["miner-mode"] != tc.mode {
			t.Errorf("%s %g W: sent %v, want miner-mode %g", tc.model, tc.watts, sent, tc.mode)
		}
	}
}

func TestSetPowerTargetUnknownModel(t *testing.T) {
	web, target := newStockWeb(t)
	target.Model = "Antminer S9"
	_, err := antminer.New().SetPowerTarget(ctx5s(t), target, 1000)
	wantCode(t, err, hearth.EUNSUPPORTED)
	if !strings.Contains(err.Error(), "Antminer S9") || len(web.posts) != 0 {
		t.Errorf("error %v, posts %v", err, web.posts)
	}
}

func TestControlAuth(t *testing.T) {
	web, target := newStockWeb(t)
	web.password = "s3cret-pw"
	err := antminer.New().Reboot(ctx5s(t), target)
	wantCode(t, err, hearth.EAUTH)
	if !strings.Contains(err.Error(), `"root"`) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q should name the web user and never a password", err)
	}
	target.Credentials = hearth.Credentials{User: "root", Password: "s3cret-pw"}
	if err := antminer.New().Reboot(ctx5s(t), target); err != nil {
		t.Fatalf("Reboot with the target's credentials: %v", err)
	}
}

func TestControlErrors(t *testing.T) {
	t.Run("404 is EUNSUPPORTED", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		wantCode(t, antminer.New().SetLocate(ctx5s(t), hearth.Target{Address: "127.0.0.1", WebPort: p}, true, 0), hearth.EUNSUPPORTED)
	})
	t.Run("failure reply", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "get_miner_conf.cgi") {
				io.WriteString(w, `{"pools":[]}`)
				return
			}
			io.WriteString(w, `{"stats":"error","code":"M001","msg":"Bad config"}`)
		}))
		defer srv.Close()
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		wantCode(t, antminer.New().Pause(ctx5s(t), hearth.Target{Address: "127.0.0.1", WebPort: p}), hearth.EUNAVAILABLE)
	})
	t.Run("silence is ETIMEOUT", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		wantCode(t, antminer.New().Reboot(ctx, hearth.Target{Address: "127.0.0.1", WebPort: p}), hearth.ETIMEOUT)
	})
	t.Run("huge reply is ETOOLARGE", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), 1<<20))
		}))
		defer srv.Close()
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		wantCode(t, antminer.New().Pause(ctx5s(t), hearth.Target{Address: "127.0.0.1", WebPort: p}), hearth.ETOOLARGE)
	})
}

// A verb's requests answer the miner's Digest challenge at once once it is
// known, instead of each drawing a 401 first; a new nonce (the old one
// stale) costs one 401 and is answered.
func TestDigestChallengeIsReused(t *testing.T) {
	web, target := newStockWeb(t)
	d := antminer.New()
	if err := d.Pause(ctx5s(t), target); err != nil {
		t.Fatal(err)
	}
	if err := d.Resume(ctx5s(t), target); err != nil {
		t.Fatal(err)
	}
	web.mu.Lock()
	got := web.challenges
	web.nonce = "0f9e8d7c6b5a49382716051423324150"
	web.mu.Unlock()
	if got != 1 {
		t.Errorf("%d challenges for four requests, want 1", got)
	}
	if err := d.Pause(ctx5s(t), target); err != nil {
		t.Fatalf("after the nonce changed: %v", err)
	}
	web.mu.Lock()
	defer web.mu.Unlock()
	if web.challenges != 2 || len(web.paths) != 6 {
		t.Errorf("%d challenges and %d requests served after a new nonce, want 2 and 6", web.challenges, len(web.paths))
	}
}

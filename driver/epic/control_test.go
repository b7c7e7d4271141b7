package epic_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/epic"
)

const ok = `{"result":true,"error":null}`

// Every verb must send exactly the request the UMC API spec documents:
// a POST of {"param":…,"password":…} as JSON to the verb's path.
func TestVerbRequests(t *testing.T) {
	ctx := context.Background()
	pools := []hearth.PoolConfig{
		{URL: "stratum+tcp://mine.ocean.xyz:3334", User: "bc1qexample.w1", Password: "x"},
		{URL: "stratum+tcp://backup.example:3333", User: "acct.w1"},
	}
	cases := []struct {
		name string
		call func(d *epic.Driver, t hearth.Target) error
		path string
		body string
	}{
		{"reboot", func(d *epic.Driver, t hearth.Target) error { return d.Reboot(ctx, t) },
			"/reboot", `{"param":0,"password":"letmein"}`},
		{"restart", func(d *epic.Driver, t hearth.Target) error { return d.RestartMining(ctx, t) },
			"/softreboot", `{"param":null,"password":"letmein"}`},
		{"locate-on", func(d *epic.Driver, t hearth.Target) error { return d.SetLocate(ctx, t, true, time.Minute) },
			"/identify", `{"param":true,"password":"letmein"}`},
		{"locate-off", func(d *epic.Driver, t hearth.Target) error { return d.SetLocate(ctx, t, false, 0) },
			"/identify", `{"param":false,"password":"letmein"}`},
		{"pause", func(d *epic.Driver, t hearth.Target) error { return d.Pause(ctx, t) },
			"/miner", `{"param":"Stop","password":"letmein"}`},
		{"resume", func(d *epic.Driver, t hearth.Target) error { return d.Resume(ctx, t) },
			"/miner", `{"param":"Autostart","password":"letmein"}`},
		{"set-pools", func(d *epic.Driver, t hearth.Target) error { return d.SetPools(ctx, t, pools) },
			"/coin", `{"param":{"coin":"BTC","stratum_configs":[{"pool":"stratum+tcp://mine.ocean.xyz:3334","login":"bc1qexample.w1","password":"x"},{"pool":"stratum+tcp://backup.example:3333","login":"acct.w1","password":""}],"unique_id":false},"password":"letmein"}`},
		{"fan-manual", func(d *epic.Driver, t hearth.Target) error { return d.SetFanMode(ctx, t, hearth.FanMode{Percent: 70}) },
			"/fanspeed", `{"param":{"Manual":70},"password":"letmein"}`},
		// No /summary to read the current settings from: the defaults.
		{"fan-auto-default", func(d *epic.Driver, t hearth.Target) error { return d.SetFanMode(ctx, t, hearth.FanMode{Auto: true}) },
			"/fanspeed", `{"param":{"Auto":{"Target Temperature":60,"Idle Speed":20}},"password":"letmein"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, target := newRecorder(t, ok, nil)
			if err := c.call(epic.New(), target); err != nil {
				t.Fatal(err)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("requests = %+v, want one", reqs)
			}
			want := recorded{http.MethodPost, c.path, "application/json", c.body}
			if reqs[0] != want {
				t.Errorf("request = %+v\nwant      %+v", reqs[0], want)
			}
		})
	}
}

func TestFanAutoKeepsMinerSettings(t *testing.T) {
	summary := strings.Replace(string(fixture(t, "asic-rs/summary.json")), `"Idle Speed": 20`, `"Idle Speed": 35`, 1)
	summary = strings.Replace(summary, `"Target Temperature": 60`, `"Target Temperature": 72`, 1)
	rec, target := newRecorder(t, ok, map[string]http.HandlerFunc{"GET /summary": serveJSON([]byte(summary))})
	if err := epic.New().SetFanMode(context.Background(), target, hearth.FanMode{Auto: true}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 1 || reqs[0].body != `{"param":{"Auto":{"Target Temperature":72,"Idle Speed":35}},"password":"letmein"}` {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestCustomPassword(t *testing.T) {
	rec, target := newRecorder(t, ok, nil)
	target.Credentials = hearth.Credentials{User: "ignored", Password: "s3cret"}
	if err := epic.New().Pause(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if reqs := rec.requests(); len(reqs) != 1 || reqs[0].body != `{"param":"Stop","password":"s3cret"}` {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestBadPassword(t *testing.T) {
	_, target := newRecorder(t, `{"result":false,"error":"BadPassword"}`, nil)
	target.Credentials.Password = "wrong-pass-42"
	err := epic.New().Reboot(context.Background(), target)
	wantCode(t, err, hearth.EAUTH)
	if strings.Contains(err.Error(), "wrong-pass-42") {
		t.Errorf("error %q reveals the password", err)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		reply string
		code  string
	}{
		{`{"result":false,"error":{"InvalidPoolAddr":"nope://x"}}`, hearth.EINVALID},
		{`{"result":false,"error":"MissingParam"}`, hearth.EINVALID},
		{`{"result":false,"error":{"LastCmdStillPending":"Stop"}}`, hearth.EUNAVAILABLE},
		{`{"result":false,"error":null}`, hearth.EUNAVAILABLE},
		{`{"error":null}`, hearth.EPROTOCOL},
		{`OK`, hearth.EPROTOCOL},
		{``, hearth.EPROTOCOL},
	}
	for _, c := range cases {
		_, target := newRecorder(t, c.reply, nil)
		err := epic.New().SetPools(context.Background(), target, []hearth.PoolConfig{{URL: "stratum+tcp://p:1", User: "u"}})
		if hearth.ErrorCode(err) != c.code {
			t.Errorf("reply %s: error %v, want code %s", c.reply, err, c.code)
		}
	}
}

func TestMissingEndpoint(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{})
	err := epic.New().RestartMining(context.Background(), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestRefusedBeforeSending(t *testing.T) {
	rec, target := newRecorder(t, ok, nil)
	d := epic.New()
	_, err := d.SetPowerTarget(context.Background(), target, 3000)
	wantCode(t, err, hearth.EUNSUPPORTED)
	four := make([]hearth.PoolConfig, 4)
	for i := range four {
		four[i] = hearth.PoolConfig{URL: "stratum+tcp://p:1", User: "u"}
	}
	wantCode(t, d.SetPools(context.Background(), target, four), hearth.EINVALID)
	wantCode(t, d.SetPools(context.Background(), target, nil), hearth.EINVALID)
	wantCode(t, d.SetPools(context.Background(), target, []hearth.PoolConfig{{URL: "stratum+tcp://p:1"}}), hearth.EINVALID)
	wantCode(t, d.SetFanMode(context.Background(), target, hearth.FanMode{Percent: 101}), hearth.EINVALID)
	if reqs := rec.requests(); len(reqs) != 0 {
		t.Errorf("requests = %+v, want none", reqs)
	}
}

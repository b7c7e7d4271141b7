package whatsminer_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
)

// verbs are the control verbs with the exact API v2 and v3 writes each
// must send (v2 as the decrypted command without its token, v3 as cmd and
// param).
var verbs = []struct {
	name  string
	do    func(*whatsminer.Driver, hearth.Target) error
	v2    string
	v3Cmd string
	v3    string
}{
	{"reboot", func(d *whatsminer.Driver, t hearth.Target) error { return d.Reboot(context.Background(), t) },
		`{"cmd":"reboot"}`, "set.system.reboot", `null`},
	{"restart", func(d *whatsminer.Driver, t hearth.Target) error { return d.RestartMining(context.Background(), t) },
		`{"cmd":"restart_btminer"}`, "set.miner.service", `"restart"`},
	{"pause", func(d *whatsminer.Driver, t hearth.Target) error { return d.Pause(context.Background(), t) },
		`{"cmd":"power_off","respbefore":"true"}`, "set.miner.service", `"stop"`},
	{"resume", func(d *whatsminer.Driver, t hearth.Target) error { return d.Resume(context.Background(), t) },
		`{"cmd":"power_on"}`, "set.miner.service", `"start"`},
	{"locate on", func(d *whatsminer.Driver, t hearth.Target) error {
		return d.SetLocate(context.Background(), t, true, time.Minute)
	}, `{"cmd":"set_led","color":"red","period":200,"duration":100,"start":0}`,
		"set.system.led", `[{"color":"red","period":200,"duration":100,"start":0}]`},
	{"locate off", func(d *whatsminer.Driver, t hearth.Target) error {
		return d.SetLocate(context.Background(), t, false, 0)
	}, `{"cmd":"set_led","param":"auto"}`, "set.system.led", `"auto"`},
	{"power target", func(d *whatsminer.Driver, t hearth.Target) error {
		p, err := d.SetPowerTarget(context.Background(), t, 3000.4)
		if err == nil && (p.Watts != 3000 || p.RequestedWatts != 3000.4 || p.Mechanism != "watts" || p.Value != "3000") {
			return hearth.Errorf(hearth.EINTERNAL, "power setting %+v", p)
		}
		return err
	}, `{"cmd":"adjust_power_limit","power_limit":"3000"}`, "set.miner.power_limit", `3000`},
	{"pools", func(d *whatsminer.Driver, t hearth.Target) error {
		return d.SetPools(context.Background(), t, []hearth.PoolConfig{
			{URL: "stratum+tcp://a.example:3333", User: "w.1", Password: "x"},
			{URL: "stratum+tcp://b.example:3333", User: "w.2"},
		})
	}, `{"cmd":"update_pools","pool1":"stratum+tcp://a.example:3333","worker1":"w.1","passwd1":"x",` +
		`"pool2":"stratum+tcp://b.example:3333","worker2":"w.2","passwd2":"","pool3":"","worker3":"","passwd3":""}`,
		"set.miner.pools", `[{"pool":"stratum+tcp://a.example:3333","worker":"w.1","passwd":"x"},{"pool":"stratum+tcp://b.example:3333","worker":"w.2","passwd":""}]`},
}

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVerbsV2: every verb sends its encrypted, token-signed write, which
// the fake miner decrypts with the default password "admin".
func TestVerbsV2(t *testing.T) {
	for _, v := range verbs {
		t.Run(v.name, func(t *testing.T) {
			m := newV2Miner(t)
			if err := v.do(newDriver(closedPort(t)), targetOf(t, m.Addr)); err != nil {
				t.Fatal(err)
			}
			w := m.Writes()
			if len(w) != 1 || !reflect.DeepEqual(any(w[0]), jsonValue(t, v.v2)) {
				t.Errorf("writes = %v, want %s", w, v.v2)
			}
			if got := m.Commands(); len(got) != 3 || got[0] != "get_version" || got[1] != "get_token" {
				t.Errorf("commands = %q", got)
			}
		})
	}
}

// TestVerbsV3: every verb sends its signed API v3 write (pools encrypted).
func TestVerbsV3(t *testing.T) {
	for _, v := range verbs {
		t.Run(v.name, func(t *testing.T) {
			d, target, m := v3ByVersion(t)
			if err := v.do(d, target); err != nil {
				t.Fatal(err)
			}
			w := m.Writes()
			if len(w) != 1 || w[0].Cmd != v.v3Cmd || !reflect.DeepEqual(w[0].Param, jsonValue(t, v.v3)) {
				t.Errorf("writes = %+v, want %s %s", w, v.v3Cmd, v.v3)
			}
		})
	}
}

// TestCredentials: a wrong password is EAUTH on both APIs; the right
// non-default one works; the password never shows in the error.
func TestCredentials(t *testing.T) {
	m := newV2Miner(t)
	m.Password = "s3cret-pw"
	d := newDriver(closedPort(t))
	target := targetOf(t, m.Addr)
	err := d.Reboot(context.Background(), target)
	if hearth.ErrorCode(err) != hearth.EAUTH {
		t.Fatalf("default password on changed miner = %v (%s)", err, hearth.ErrorCode(err))
	}
	target.Credentials.Password = "s3cret-pw"
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	target.Credentials.Password = "wrong-pw"
	if err := d.Reboot(context.Background(), target); hearth.ErrorCode(err) != hearth.EAUTH || containsAny(err.Error(), "wrong-pw", "s3cret") {
		t.Fatalf("wrong password = %v", err)
	}

	d3, t3, m3 := v3Only(t)
	t3.Credentials = hearth.Credentials{User: "super", Password: "nope"}
	if err := d3.Reboot(context.Background(), t3); hearth.ErrorCode(err) != hearth.EAUTH || containsAny(err.Error(), "nope") {
		t.Fatalf("v3 wrong password = %v", err)
	}
	if len(m3.Writes()) != 0 {
		t.Fatal("fake accepted a bad token")
	}
}

// TestWriteAPIDisabled: btminer's "can't access write cmd" tells the user
// to enable the write API.
func TestWriteAPIDisabled(t *testing.T) {
	m := newV2Miner(t)
	m.WriteReply = []byte(`{"STATUS":"E","When":1773871985,"Code":45,"Msg":"can't access write cmd","Description":""}`)
	err := newDriver(closedPort(t)).Pause(context.Background(), targetOf(t, m.Addr))
	if hearth.ErrorCode(err) != hearth.EUNSUPPORTED || !containsAny(hearth.ErrorMessage(err), "write API disabled") {
		t.Fatalf("err = %v (%s)", err, hearth.ErrorCode(err))
	}
}

func TestInvalidArguments(t *testing.T) {
	d := newDriver(closedPort(t))
	target := hearth.Target{Address: "127.0.0.1", Port: closedPort(t)}
	for _, w := range []float64{0, -5, 1e9} {
		if _, err := d.SetPowerTarget(context.Background(), target, w); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("SetPowerTarget(%g) = %v", w, err)
		}
	}
	four := make([]hearth.PoolConfig, 4)
	for i := range four {
		four[i] = hearth.PoolConfig{URL: "stratum+tcp://a:1", User: "u"}
	}
	if err := d.SetPools(context.Background(), target, four); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("four pools = %v", err)
	}
	if err := d.SetFanMode(context.Background(), target, hearth.FanMode{Auto: true}); hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
		t.Errorf("fan mode = %v", err)
	}
}

// TestRequestTooLong: pools too long for btminer's single read are
// refused before anything is sent.
func TestRequestTooLong(t *testing.T) {
	m := newV2Miner(t)
	long := "stratum+tcp://" + strings.Repeat("a", 3000) + ":3333"
	err := newDriver(closedPort(t)).SetPools(context.Background(), targetOf(t, m.Addr),
		[]hearth.PoolConfig{{URL: long, User: "u"}})
	if hearth.ErrorCode(err) != hearth.EINVALID || len(m.Writes()) != 0 {
		t.Fatalf("err = %v", err)
	}
}

// TestTokenReuse: a second write within the token's life asks neither
// get_version nor get_token again.
func TestTokenReuse(t *testing.T) {
	m := newV2Miner(t)
	d, target := newDriver(closedPort(t)), targetOf(t, m.Addr)
	for range 3 {
		if err := d.Reboot(context.Background(), target); err != nil {
			t.Fatal(err)
		}
	}
	if w := m.Writes(); len(w) != 3 {
		t.Errorf("%d writes", len(w))
	}
	want := []string{"get_version", "get_token", "", "", ""} // the fake logs encrypted writes without a command
	if got := m.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("commands = %q, want %q", got, want)
	}
}

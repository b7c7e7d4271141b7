package luxos_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/luxos"
)

// TestVerbsUseOneSessionAndLogOff checks each simple verb's commands on
// the wire: logon, the privileged command carrying the session id, logoff.
func TestVerbsUseOneSessionAndLogOff(t *testing.T) {
	ctx := context.Background()
	d := luxos.New()
	for name, tc := range map[string]struct {
		run  func(hearth.Target) error
		want string
	}{
		"reboot":     {func(tg hearth.Target) error { return d.Reboot(ctx, tg) }, "rebootdevice sid1"},
		"restart":    {func(tg hearth.Target) error { return d.RestartMining(ctx, tg) }, "resetminer sid1"},
		"locate on":  {func(tg hearth.Target) error { return d.SetLocate(ctx, tg, true, 0) }, "ledset sid1,red,blink"},
		"locate off": {func(tg hearth.Target) error { return d.SetLocate(ctx, tg, false, 0) }, "ledset sid1,red,off"},
		"pause":      {func(tg hearth.Target) error { return d.Pause(ctx, tg) }, "curtail sid1,sleep"},
		"resume":     {func(tg hearth.Target) error { return d.Resume(ctx, tg) }, "curtail sid1,wakeup"},
		"fan auto":   {func(tg hearth.Target) error { return d.SetFanMode(ctx, tg, hearth.FanMode{Auto: true}) }, "fanset sid1,speed=-1"},
		"fan 70 %":   {func(tg hearth.Target) error { return d.SetFanMode(ctx, tg, hearth.FanMode{Percent: 70}) }, "fanset sid1,speed=70"},
	} {
		t.Run(name, func(t *testing.T) {
			f, target := newFakeLux(t)
			if err := tc.run(target); err != nil {
				t.Fatal(err)
			}
			log, open := f.log()
			if got := strings.Join(log, " | "); got != "logon | "+tc.want+" | logoff sid1" {
				t.Errorf("requests %q", got)
			}
			if open {
				t.Error("session left open")
			}
		})
	}
}

// TestFailedVerbStillLogsOff: the session is closed even when the
// privileged command fails.
func TestFailedVerbStillLogsOff(t *testing.T) {
	f, target := newFakeLux(t)
	f.fail["curtail"] = true
	err := luxos.New().Pause(context.Background(), target)
	if err == nil || !strings.Contains(err.Error(), "failed on purpose") {
		t.Fatalf("err %v", err)
	}
	log, open := f.log()
	if open || log[len(log)-1] != "logoff sid1" {
		t.Errorf("session open %v, requests %q", open, log)
	}
}

// TestSessionInUseIsReused: when another client holds the session, the
// driver works in it (as pyasic does) and logs it off.
func TestSessionInUseIsReused(t *testing.T) {
	f, target := newFakeLux(t)
	f.session = "theirs"
	if err := luxos.New().SetLocate(context.Background(), target, true, 0); err != nil {
		t.Fatal(err)
	}
	log, open := f.log()
	if got := strings.Join(log, " | "); got != "logon | session | ledset theirs,red,blink | logoff theirs" {
		t.Errorf("requests %q", got)
	}
	if open {
		t.Error("session left open")
	}
}

func TestSetPowerTarget(t *testing.T) {
	for name, tc := range map[string]struct {
		watts   float64
		atm     bool
		profile string
		applied float64
		want    string
	}{
		"highest at or below":        {1100, false, "265MHz", 1080, "logon | profileset sid1,265MHz | logoff sid1"},
		"exact":                      {1188, false, "290MHz", 1188, "logon | profileset sid1,290MHz | logoff sid1"},
		"below all takes the lowest": {500, false, "190MHz", 784, "logon | profileset sid1,190MHz | logoff sid1"},
		"ATM switched off first":     {1000, true, "240MHz", 978, "logon | atmset sid1,enabled=false | profileset sid1,240MHz | logoff sid1"},
	} {
		t.Run(name, func(t *testing.T) {
			f, target := newFakeLux(t)
			f.atm = tc.atm
			ps, err := luxos.New().SetPowerTarget(context.Background(), target, tc.watts)
			if err != nil {
				t.Fatal(err)
			}
			want := hearth.PowerSetting{RequestedWatts: tc.watts, Watts: tc.applied, Mechanism: "profile", Value: tc.profile}
			if *ps != want {
				t.Errorf("setting %+v, want %+v", *ps, want)
			}
			log, open := f.log()
			if got := strings.Join(log[2:], " | "); got != tc.want || log[0] != "profiles" || log[1] != "atm" {
				t.Errorf("requests %q", log)
			}
			if open {
				t.Error("session left open")
			}
		})
	}
	_, target := newFakeLux(t)
	for _, w := range []float64{0, -5, 1e12} {
		if _, err := luxos.New().SetPowerTarget(context.Background(), target, w); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%v W: err %v, want EINVALID", w, err)
		}
	}
}

func TestSetPools(t *testing.T) {
	f, target := newFakeLux(t)
	pools := []hearth.PoolConfig{
		{URL: "stratum+tcp://a.example:3333", User: "acct.w1", Password: "x"},
		{URL: "stratum+tcp://b.example:3333", User: "acct,w2"},
	}
	if err := luxos.New().SetPools(context.Background(), target, pools); err != nil {
		t.Fatal(err)
	}
	log, _ := f.log()
	want := "pools | addpool stratum+tcp://a.example:3333,acct.w1,x | addpool stratum+tcp://b.example:3333,acct\\,w2, | pools | switchpool 2 | removepool 1 | removepool 0"
	if got := strings.Join(log, " | "); got != want {
		t.Errorf("requests\n%s\nwant\n%s", got, want)
	}
	if strings.Join(f.pools, " ") != "stratum+tcp://a.example:3333 stratum+tcp://b.example:3333" || f.active != 0 {
		t.Errorf("pools %v active %d", f.pools, f.active)
	}
	for _, bad := range [][]hearth.PoolConfig{nil, {{URL: ""}}, {{URL: "a"}, {URL: "b"}, {URL: "c"}, {URL: "d"}}, {{URL: "a\nb"}}} {
		if err := luxos.New().SetPools(context.Background(), target, bad); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%v: err %v, want EINVALID", bad, err)
		}
	}
}

func TestFanModeRejectsBadSpeed(t *testing.T) {
	f, target := newFakeLux(t)
	if err := luxos.New().SetFanMode(context.Background(), target, hearth.FanMode{Percent: 150}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("err %v, want EINVALID", err)
	}
	if log, _ := f.log(); len(log) != 0 {
		t.Errorf("a refused speed reached the miner: %q", log)
	}
}

func TestFetchLogsUnsupported(t *testing.T) {
	_, target := newFakeLux(t)
	if _, err := luxos.New().FetchLogs(context.Background(), target); hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
		t.Errorf("err %v", err)
	}
}

package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/mqtt"
	"github.com/hearth-fleet/hearth/mqtt/mqtttest"
	"github.com/hearth-fleet/hearth/program"
	"github.com/hearth-fleet/hearth/sqlite"
)

// rig runs an mqtt program against a real mosquitto and a SQLite store.
type rig struct {
	t        *testing.T
	broker   *mqtttest.Broker
	requests *sqlite.PowerRequestService
	mu       sync.Mutex
	now      time.Time
}

func newRig(t *testing.T) *rig {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &rig{t: t, broker: mqtttest.Start(t), requests: sqlite.NewPowerRequestService(db), now: time.Now().UTC().Truncate(time.Second)}
}

func (g *rig) clock() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

// start runs a program with settings (BROKER stands for the broker's URL)
// until the test ends.
func (g *rig) start(settings string, sites ...string) {
	g.t.Helper()
	p := &hearth.PowerProgram{Name: "ha", Kind: hearth.ProgramMQTT, Sites: sites, FailMode: hearth.FailHold, Enabled: true,
		Settings: json.RawMessage(fmt.Sprintf(settings, g.broker.URL))}
	r, err := mqtt.NewRunner(p, program.Env{Requests: g.requests, Health: &program.Health{}, Now: g.clock})
	if err != nil {
		g.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	g.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			g.t.Error(err)
		}
	})
}

// request returns the program's request on site, or nil.
func (g *rig) request(site string) *hearth.PowerRequest {
	reqs, err := g.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{Site: site, Source: hearth.SourceSignal})
	if err != nil {
		g.t.Fatal(err)
	}
	for _, r := range reqs {
		if r.ID == "ha/signal" {
			return r
		}
	}
	return nil
}

// publishUntil publishes payload until want holds of the request on site
// (the subscription may not be in place for the first message).
func (g *rig) publishUntil(payload, site, what string, want func(*hearth.PowerRequest) bool) *hearth.PowerRequest {
	g.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		g.broker.Publish(g.t, "hearth/barn/power", payload, false)
		for range 20 {
			if r := g.request(site); r != nil && want(r) {
				return r
			}
			time.Sleep(25 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("%s: after publishing %q the request is %+v", what, payload, g.request(site))
		}
	}
}

func isKind(k hearth.PowerRequestKind, watts, shed float64) func(*hearth.PowerRequest) bool {
	return func(r *hearth.PowerRequest) bool {
		return r.Kind == k && r.LimitWatts == watts && r.ShedFraction == shed
	}
}

// Each kind of payload becomes the request it describes on every site of
// the program, holding for the TTL; malformed and stale messages change
// nothing.
func TestMQTTProgramFollowsTheTopic(t *testing.T) {
	g := newRig(t)
	g.start(`{"broker":"%s","topic":"hearth/barn/power","ttl":"2m","debounce":"100ms"}`, "barn", "shed")

	r := g.publishUntil("OFF", "barn", "OFF", isKind(hearth.RequestShed, 0, 1))
	if !r.Start.Equal(g.clock()) || !r.End.Equal(g.clock().Add(2*time.Minute)) || r.Reason != "mqtt hearth/barn/power: OFF" {
		t.Errorf("OFF request %+v, want from now for the 2m TTL", r)
	}
	// Both sites follow the topic.
	g.publishUntil("OFF", "shed", "OFF on the second site", isKind(hearth.RequestShed, 0, 1))
	g.publishUntil("ON", "barn", "ON", isKind(hearth.RequestResume, 0, 0))
	g.publishUntil("12.5", "barn", "a limit in kW", isKind(hearth.RequestLimit, 12500, 0))
	g.publishUntil(`{"shed": 0.25}`, "barn", "a JSON shed", isKind(hearth.RequestShed, 0, 0.25))
	g.publishUntil(`{"limit_kw": 4, "timestamp": "`+g.clock().Add(-time.Minute).Format(time.RFC3339)+`"}`, "barn", "a JSON limit a minute old",
		isKind(hearth.RequestLimit, 4000, 0))

	// Garbage and a message older than the TTL are ignored.
	for _, bad := range []string{"maybe", `{"shed": 3}`, `{"state": "off", "timestamp": "` + g.clock().Add(-time.Hour).Format(time.RFC3339) + `"}`} {
		g.broker.Publish(t, "hearth/barn/power", bad, false)
	}
	time.Sleep(300 * time.Millisecond)
	if r := g.request("barn"); r == nil || r.Kind != hearth.RequestLimit || r.LimitWatts != 4000 {
		t.Errorf("after malformed and stale messages the request is %+v, want the 4 kW limit kept", r)
	}
}

// A quick OFF→ON→OFF does not wake the miners: an ON after an OFF waits
// for the debounce, and an OFF meanwhile cancels it.
func TestMQTTProgramDebouncesWaking(t *testing.T) {
	g := newRig(t)
	g.start(`{"broker":"%s","topic":"hearth/barn/power","debounce":"1s"}`, "barn")
	g.publishUntil("OFF", "barn", "OFF", isKind(hearth.RequestShed, 0, 1))
	g.broker.Publish(t, "hearth/barn/power", "ON", false)
	g.broker.Publish(t, "hearth/barn/power", "OFF", false)
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if r := g.request("barn"); r == nil || r.Kind != hearth.RequestShed {
			t.Fatalf("the miners woke on an ON cancelled within the debounce: %+v", r)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An ON that stands wakes them after the debounce, not before.
	g.broker.Publish(t, "hearth/barn/power", "ON", false)
	sent := time.Now()
	for g.request("barn").Kind != hearth.RequestResume {
		if time.Since(sent) > 5*time.Second {
			t.Fatal("an ON never applied")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if waited := time.Since(sent); waited < 900*time.Millisecond {
		t.Errorf("ON applied after %s, inside the 1s debounce", waited)
	}
}

// The runner reconnects and subscribes again after the broker restarts.
func TestMQTTProgramReconnects(t *testing.T) {
	g := newRig(t)
	g.start(`{"broker":"%s","topic":"hearth/barn/power","debounce":"10ms"}`, "barn")
	g.publishUntil("OFF", "barn", "OFF", isKind(hearth.RequestShed, 0, 1))
	g.broker.Restart()
	g.publishUntil("7", "barn", "a limit after the broker restarted", isKind(hearth.RequestLimit, 7000, 0))
}

// The password is the program's secret; a broker that requires it admits
// the runner, and the signal flows.
func TestMQTTProgramLogsIn(t *testing.T) {
	broker := mqtttest.StartWithUser(t, "hearth", "s3cret pass")
	requests := newRig(t).requests
	p := &hearth.PowerProgram{Name: "ha", Kind: hearth.ProgramMQTT, Sites: []string{"barn"}, Secret: "s3cret pass", Enabled: true,
		Settings: json.RawMessage(`{"broker":"` + broker.URL + `","topic":"t/power","username":"hearth","qos":2}`)}
	r, err := mqtt.NewRunner(p, program.Env{Requests: requests, Health: &program.Health{}, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		broker.PublishAs(t, "hearth", "s3cret pass", "t/power", "OFF", false)
		time.Sleep(100 * time.Millisecond)
		reqs, _ := requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{Site: "barn"})
		if len(reqs) == 1 && reqs[0].Kind == hearth.RequestShed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request after publishing OFF with a login: %+v", reqs)
		}
	}
}

func TestMQTTProgramSettings(t *testing.T) {
	for _, bad := range []string{``, `{}`, `{"broker":"tcp://h:1883"}`, `{"topic":"t"}`, `{"broker":"http://h","topic":"t"}`,
		`{"broker":"tcp://user:pw@h:1883","topic":"t"}`, `{"broker":"tcp://h:1883","topic":"t","qos":3}`,
		`{"broker":"tcp://h:1883","topic":"t","ttl":"forever"}`, `{"broker":"tcp://h:1883","topic":"t","password":"x"}`} {
		p := &hearth.PowerProgram{Name: "ha", Kind: hearth.ProgramMQTT, Sites: []string{"barn"}, Settings: json.RawMessage(bad)}
		if _, err := mqtt.NewRunner(p, program.Env{}); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("settings %s: %v, want EINVALID", bad, err)
		}
	}
	p := &hearth.PowerProgram{Name: "ha", Kind: hearth.ProgramMQTT, Sites: []string{"barn"}, Secret: "pw",
		Settings: json.RawMessage(`{"broker":"ssl://broker.example:8883","topic":"a/b","username":"hearth","qos":0,"ttl":"30s"}`)}
	if _, err := mqtt.NewRunner(p, program.Env{}); err != nil {
		t.Errorf("good settings: %v", err)
	}
}

// Settings are JSON an operator or an API client sends: whatever they
// hold, ParseSettings refuses them with EINVALID or returns usable ones.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{`{"broker":"tcp://127.0.0.1:1883","topic":"hearth/barn/power"}`,
		`{"broker":"ssl://h:8883","topic":"a/#","client_id":"c","username":"u","qos":2,"ttl":"30s","debounce":"1s"}`, `{}`, `{"qos":-1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := mqtt.ParseSettings(raw)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			return
		}
		if s.Broker == "" || s.Topic == "" || *s.QoS < 0 || *s.QoS > 2 || s.TTL <= 0 || s.Debounce <= 0 {
			t.Fatalf("settings %+v taken", s)
		}
	})
}

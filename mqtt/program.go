// Package mqtt runs power programs of kind mqtt: a plain signal on an MQTT
// topic, as home-automation systems (Home Assistant) and small aggregators
// send, turned into power requests for the program's sites. It speaks MQTT
// 3.1.1 through github.com/eclipse/paho.mqtt.golang.
//
// Settings (the program's Settings JSON; the broker password is the
// program's secret, never a setting):
//
//	{"broker": "tcp://10.0.0.2:1883",   // or ssl://host:8883
//	 "topic": "hearth/barn/power",
//	 "client_id": "hearth-barn",         // default hearth-<program>
//	 "username": "hearth",               // password = the program's secret
//	 "qos": 1,                           // 0, 1 or 2; default 1
//	 "ttl": "5m",                        // how long a message holds
//	 "debounce": "5s"}                   // how long an OFF→ON flip waits
//
// Payloads: ON, OFF, a limit in kW ("12.5"), or JSON {"limit_kw": 12.5},
// {"shed": 0.5}, {"state": "on"|"off"}, each with an optional "timestamp"
// (RFC 3339 or Unix seconds). A message older than the TTL, or one that
// does not parse, is ignored with a log line. Each valid message replaces
// the program's request on its sites, ending TTL later, and counts as
// contact with the source: a publisher silent past the program's
// silent_after puts the sites in its fail mode.
package mqtt

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
)

// The defaults of the settings.
const (
	DefaultTTL      = 5 * time.Minute
	DefaultDebounce = 5 * time.Second
	DefaultQoS      = 1
)

// Settings are a program's MQTT settings; see the package documentation.
type Settings struct {
	Broker   string   `json:"broker"`
	Topic    string   `json:"topic"`
	ClientID string   `json:"client_id,omitempty"`
	Username string   `json:"username,omitempty"`
	QoS      *int     `json:"qos,omitempty"`
	TTL      Duration `json:"ttl,omitempty"`
	Debounce Duration `json:"debounce,omitempty"`
}

// Duration is a time.Duration read from JSON as a Go duration string
// ("5m").
type Duration time.Duration

// UnmarshalJSON reads "5m"-style strings.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"5m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as \"5m\"", s)
	}
	*d = Duration(v)
	return nil
}

// ParseSettings reads and checks the settings; errors are EINVALID.
func ParseSettings(raw []byte) (*Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT settings: %v.", err)
	}
	u, err := url.Parse(s.Broker)
	switch {
	case s.Broker == "":
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT settings need a broker, such as tcp://10.0.0.2:1883.")
	case err != nil || u.Host == "" || (u.Scheme != "tcp" && u.Scheme != "ssl" && u.Scheme != "tls" && u.Scheme != "mqtt" && u.Scheme != "mqtts"):
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT broker %q: use tcp://host:port or ssl://host:port.", s.Broker)
	case u.User != nil:
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT broker: give the username in username and the password as the program's secret, not in the URL.")
	case s.Topic == "" || strings.ContainsRune(s.Topic, 0) || len(s.Topic) > 1024:
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT settings need a topic, such as hearth/barn/power.")
	case s.QoS != nil && (*s.QoS < 0 || *s.QoS > 2):
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT qos must be 0, 1 or 2, not %d.", *s.QoS)
	case time.Duration(s.TTL) > 366*24*time.Hour:
		return nil, hearth.Errorf(hearth.EINVALID, "MQTT ttl must be at most a year.")
	}
	if s.QoS == nil {
		q := DefaultQoS
		s.QoS = &q
	}
	if s.TTL == 0 {
		s.TTL = Duration(DefaultTTL)
	}
	if s.Debounce == 0 {
		s.Debounce = Duration(DefaultDebounce)
	}
	return &s, nil
}

func init() { program.Register(hearth.ProgramMQTT, NewRunner) }

// Runner listens to a program's topic and publishes what it says.
type Runner struct {
	program  *hearth.PowerProgram
	env      program.Env
	set      *Settings
	password string

	// applied is the last signal published; pending an ON held back by
	// the debounce, received at pendingAt.
	applied   *Signal
	pending   *Signal
	pendingAt time.Time
}

// NewRunner is the program.Factory of the mqtt kind.
func NewRunner(p *hearth.PowerProgram, env program.Env) (program.Runner, error) {
	s, err := ParseSettings(p.Settings)
	if err != nil {
		return nil, err
	}
	if s.ClientID == "" {
		s.ClientID = "hearth-" + p.Name
	}
	return &Runner{program: p, env: env, set: s, password: p.Secret}, nil
}

// Run connects to the broker (retrying, and reconnecting after a lost
// connection), subscribes to the topic on every connection, and handles
// messages until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	msgs := make(chan []byte, 64)
	opts := paho.NewClientOptions().AddBroker(r.set.Broker).SetClientID(r.set.ClientID).
		SetCleanSession(true).SetOrderMatters(false).
		SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(2 * time.Second).SetMaxReconnectInterval(30 * time.Second).
		SetConnectTimeout(10 * time.Second).SetKeepAlive(30 * time.Second).SetPingTimeout(10 * time.Second).SetWriteTimeout(10 * time.Second)
	if r.set.Username != "" {
		opts.SetUsername(r.set.Username)
	}
	if r.password != "" {
		opts.SetPassword(r.password)
	}
	if u, _ := url.Parse(r.set.Broker); u != nil && u.Scheme != "tcp" && u.Scheme != "mqtt" {
		opts.SetTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	onMessage := func(_ paho.Client, m paho.Message) {
		select {
		case msgs <- bytes.Clone(m.Payload()):
		default:
			r.logger().Warn("mqtt signal dropped: messages arrive faster than they are handled", "program", r.program.Name)
		}
	}
	opts.SetOnConnectHandler(func(c paho.Client) {
		r.logger().Info("mqtt connected", "program", r.program.Name, "broker", r.set.Broker)
		tok := c.Subscribe(r.set.Topic, byte(*r.set.QoS), onMessage)
		go func() {
			if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
				err := fmt.Errorf("mqtt subscribe %s: %v", r.set.Topic, tok.Error())
				r.env.Health.Failed(r.env.Now(), err)
				r.logger().Warn("mqtt subscribe", "program", r.program.Name, "topic", r.set.Topic, "err", tok.Error())
			}
		}()
	})
	opts.SetConnectionLostHandler(func(_ paho.Client, err error) {
		r.env.Health.Failed(r.env.Now(), fmt.Errorf("mqtt connection to %s lost: %w", r.set.Broker, err))
		r.logger().Warn("mqtt connection lost; reconnecting", "program", r.program.Name, "broker", r.set.Broker, "err", err)
	})
	c := paho.NewClient(opts)
	// With ConnectRetry the token completes only once connected; the
	// client keeps trying meanwhile.
	c.Connect()
	defer c.Disconnect(250)

	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	defer debounce.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case payload := <-msgs:
			if wait := r.Handle(ctx, payload); wait > 0 {
				debounce.Reset(wait)
			}
		case <-debounce.C:
			r.Flush(ctx)
		}
	}
}

// Handle acts on one message at the environment's clock: it ignores a
// malformed or stale one with a log line, and otherwise records contact
// and publishes the signal, unless it is an ON that follows an OFF, which
// waits for the debounce. It returns how long to wait before Flush
// applies a held-back ON, or 0.
func (r *Runner) Handle(ctx context.Context, payload []byte) time.Duration {
	now := r.env.Now()
	s, err := ParseSignal(payload)
	if err != nil {
		r.logger().Warn("mqtt signal ignored", "program", r.program.Name, "topic", r.set.Topic, "err", err)
		return 0
	}
	ttl := time.Duration(r.set.TTL)
	if !s.At.IsZero() && (now.Sub(s.At) > ttl || s.At.Sub(now) > ttl) {
		r.logger().Warn("mqtt signal ignored: stale", "program", r.program.Name, "topic", r.set.Topic, "signal", s.String(),
			"timestamp", s.At.UTC().Format(time.RFC3339))
		return 0
	}
	r.env.Health.Contact(now)
	if s.Kind == SignalOn && r.applied != nil && r.applied.Kind == SignalOff {
		if r.pending == nil {
			r.pending, r.pendingAt = &s, now
			return time.Duration(r.set.Debounce)
		}
		return 0 // the ON already waiting stands
	}
	r.pending = nil
	r.publish(ctx, s, now)
	return 0
}

// Flush applies an ON held back by the debounce, if no other message
// replaced it meanwhile.
func (r *Runner) Flush(ctx context.Context) {
	if r.pending == nil {
		return
	}
	s, at := *r.pending, r.pendingAt
	r.pending = nil
	r.publish(ctx, s, at)
}

// publish replaces the program's request on each of its sites.
func (r *Runner) publish(ctx context.Context, s Signal, at time.Time) {
	req := s.Request(at, time.Duration(r.set.TTL), fmt.Sprintf("mqtt %s: %s", r.set.Topic, s))
	req.CreatedBy = "program " + r.program.Name
	for _, site := range r.program.Sites {
		if err := program.ReplaceRequests(ctx, r.env.Requests, r.program, site, []hearth.PowerRequest{req}); err != nil {
			if ctx.Err() == nil {
				r.logger().Warn("mqtt signal not stored", "program", r.program.Name, "site", site, "err", err)
			}
			return
		}
	}
	r.applied = &s
	r.logger().Info("mqtt signal", "program", r.program.Name, "topic", r.set.Topic, "signal", s.String())
}

func (r *Runner) logger() *slog.Logger {
	if r.env.Logger != nil {
		return r.env.Logger
	}
	return slog.Default()
}

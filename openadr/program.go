package openadr

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
)

// The openadr power-program kind: `hearth power programs set NAME --kind
// openadr --site S --settings JSON --secret-file F` makes hearth a VEN of a
// VTN. The secret file holds the OAuth client secret; the settings are a
// JSON object (see Settings):
//
//	{
//	  "url": "https://vtn.example.com/openadr3/3.1.0",
//	  "version": "3.1.0",
//	  "client_id": "hearth-barn",
//	  "ven_name": "hearth-barn",
//	  "poll_interval": "1m",
//	  "programs": [{"name": "DR-Summer", "simple_levels": {"1": 0.5, "2": 1}}]
//	}
//
// Every followed VTN program drives all the hearth program's sites. The
// program's fail mode and silent_after apply when the VTN stops answering
// (the program Manager applies them; the runner reports contact on every
// good poll). Reports of measured site power go back for events whose
// reportDescriptors ask (DEMAND in kW by default).

func init() { program.Register(hearth.ProgramOpenADR, newRunner) }

// Settings is the JSON settings object of an openadr program. Durations
// are Go duration strings ("30s", "1m"). The client secret is never a
// setting: it is the program's secret.
type Settings struct {
	// URL is the VTN's base URL; Version "3.0.1" or "3.1.0" (required).
	URL     string  `json:"url"`
	Version Version `json:"version"`
	// ClientID is the OAuth client ID the VTN's operator provisioned.
	ClientID string `json:"client_id"`
	// Scope, when set, is sent with the token request.
	Scope string `json:"scope,omitempty"`
	// VENName is this VEN's name at the VTN (clientName of reports).
	// Default "hearth-" and the program's name.
	VENName string `json:"ven_name,omitempty"`
	// PollInterval: default one minute. RequestTimeout: default 30 s.
	PollInterval   string `json:"poll_interval,omitempty"`
	RequestTimeout string `json:"request_timeout,omitempty"`
	// InsecureSkipVerify accepts a VTN certificate that does not verify.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
	// CallbackURL, when set, is the public URL at which the VTN reaches
	// this hearth's webhook, ending in /api/v1/power/webhooks/<program
	// name>: hearth subscribes to event changes and polls at once on a
	// notification.
	CallbackURL string `json:"callback_url,omitempty"`
	// SampleInterval is how often site power is sampled for reports.
	// Default 5 s.
	SampleInterval string `json:"sample_interval,omitempty"`
	// Programs are the VTN programs followed, by name or ID.
	Programs []SettingsProgram `json:"programs"`
}

// SettingsProgram is one followed VTN program.
type SettingsProgram struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
	// SimpleLevels maps a SIMPLE level to the fraction of flexible power
	// shed; absent means 0, 0.5, 0.75 and 1 for levels 0 to 3.
	SimpleLevels map[int]float64 `json:"simple_levels,omitempty"`
}

// DefaultSampleInterval is how often a program samples site power for
// reports when its settings do not say.
const DefaultSampleInterval = 5 * time.Second

// ConfigFromProgram turns a stored power program into a VEN configuration
// and the report sampling interval, or an EINVALID error saying what is
// wrong with its settings. The secret is the client secret.
func ConfigFromProgram(p *hearth.PowerProgram) (Config, time.Duration, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(p.Settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Config{}, 0, hearth.Errorf(hearth.EINVALID, "OpenADR program %s: settings are not the expected JSON object: %s", p.Name, clip(err.Error()))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, 0, hearth.Errorf(hearth.EINVALID, "OpenADR program %s: settings hold more than one JSON object.", p.Name)
	}
	durations := map[string]time.Duration{}
	for name, v := range map[string]string{"poll_interval": s.PollInterval, "request_timeout": s.RequestTimeout, "sample_interval": s.SampleInterval} {
		if v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > 24*time.Hour {
			return Config{}, 0, hearth.Errorf(hearth.EINVALID, "OpenADR program %s: %s %q must be a duration between 10ms and 24h.", p.Name, name, clip(v))
		}
		durations[name] = d
	}
	cfg := Config{
		URL: s.URL, Version: s.Version, ClientID: s.ClientID, ClientSecret: p.Secret, Scope: s.Scope,
		VENName: s.VENName, PollInterval: durations["poll_interval"], RequestTimeout: durations["request_timeout"],
		InsecureSkipVerify: s.InsecureSkipVerify, CallbackURL: s.CallbackURL,
	}
	if cfg.VENName == "" {
		cfg.VENName = "hearth-" + p.Name
	}
	if cfg.CallbackURL != "" && p.Secret != "" {
		cfg.CallbackToken = callbackToken(p)
	}
	for _, sp := range s.Programs {
		cfg.Programs = append(cfg.Programs, ProgramConfig{
			Name: sp.Name, ID: sp.ID, Sites: slices.Clone(p.Sites), SimpleLevels: sp.SimpleLevels,
			FailMode: p.FailMode, SilentAfter: p.Silence(),
		})
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, 0, fmt.Errorf("OpenADR program %s: %w", p.Name, err)
	}
	sample := DefaultSampleInterval
	if d, ok := durations["sample_interval"]; ok {
		sample = d
	}
	return cfg, sample, nil
}

// callbackToken derives the bearer token the VTN presents on webhook
// notifications from the client secret and the program's name: it is
// secret, needs no storage, and stays the same across restarts so that a
// subscription of an earlier run still works.
func callbackToken(p *hearth.PowerProgram) string {
	mac := hmac.New(sha256.New, []byte(p.Secret))
	io.WriteString(mac, "hearth openadr webhook "+p.Name)
	return hex.EncodeToString(mac.Sum(nil))
}

// runner runs one openadr program: a VEN whose requests go to the
// program's sites and whose polls are the program's contact with its
// source.
type runner struct {
	p      *hearth.PowerProgram
	env    program.Env
	ven    *VEN
	meter  *meter
	sample time.Duration

	mu     sync.Mutex
	dirty  map[string]bool // sites whose last ReplaceRequests failed
	prices map[string][]hearth.PricePoint
}

// newRunner is the openadr program.Factory.
func newRunner(p *hearth.PowerProgram, env program.Env) (program.Runner, error) {
	cfg, sample, err := ConfigFromProgram(p)
	if err != nil {
		return nil, err
	}
	v, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if env.Now != nil {
		v.Now = env.Now
	}
	v.Logger = env.Logger
	r := &runner{p: p, env: env, ven: v, sample: sample, dirty: map[string]bool{}, prices: map[string][]hearth.PricePoint{}}
	r.meter = newMeter(v, env.Status, env.Logger)
	v.OnPoll = r.polled
	return r, nil
}

// Run runs the VEN and the report meter until ctx ends; while it runs,
// Webhooks serves its webhook and Prices reads its prices.
func (r *runner) Run(ctx context.Context) error {
	defer register(r)()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	metered := make(chan struct{})
	go func() {
		defer close(metered)
		r.meter.run(ctx, r.sample, r.now)
	}()
	err := r.ven.Run(ctx, sink{r})
	cancel()
	<-metered
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (r *runner) now() time.Time {
	if r.env.Now != nil {
		return r.env.Now()
	}
	return time.Now()
}

// polled records the outcome of every poll with the program's health and
// retries the sites whose requests could not be stored.
func (r *runner) polled(ctx context.Context, snap *Snapshot) {
	now := r.now()
	if snap.Heard && r.env.Health != nil {
		r.env.Health.Contact(now)
	}
	for _, err := range snap.Errors {
		if r.env.Health != nil {
			r.env.Health.Failed(now, err)
		}
	}
	r.mu.Lock()
	var retry []string
	for site := range r.dirty {
		retry = append(retry, site)
	}
	r.mu.Unlock()
	for _, site := range retry {
		_ = r.replace(ctx, site, snap.Requests[site])
	}
}

// replace stores the requests of a site, remembering a failure so that
// the next poll tries again.
func (r *runner) replace(ctx context.Context, site string, reqs []hearth.PowerRequest) error {
	err := program.ReplaceRequests(ctx, r.env.Requests, r.p, site, reqs)
	if err != nil && ctx.Err() != nil {
		return nil // the program is stopping; the Manager withdraws its requests
	}
	r.mu.Lock()
	if err != nil {
		r.dirty[site] = true
	} else {
		delete(r.dirty, site)
	}
	r.mu.Unlock()
	if err != nil && r.env.Health != nil {
		r.env.Health.Failed(r.now(), err)
	}
	return err
}

// sink is the runner seen by its VEN.
type sink struct{ r *runner }

func (s sink) ReplaceRequests(ctx context.Context, site string, reqs []hearth.PowerRequest) error {
	return s.r.replace(ctx, site, reqs)
}

func (s sink) ReplacePrices(_ context.Context, label string, prices []hearth.PricePoint) error {
	s.r.mu.Lock()
	s.r.prices[label] = slices.Clone(prices)
	s.r.mu.Unlock()
	if s.r.env.Logger != nil && len(prices) > 0 {
		s.r.env.Logger.Info("OpenADR prices", "program", s.r.p.Name, "vtn_program", label, "points", len(prices))
	}
	return nil
}

// Silent is left to the program Manager, which applies the fail mode
// from the program's health; the VEN's own silence signal is only logged.
func (s sink) Silent(_ context.Context, site string, mode hearth.FailMode, since time.Time) error {
	if s.r.env.Logger != nil {
		s.r.env.Logger.Warn("OpenADR VTN silent", "program", s.r.p.Name, "site", site, "since", since, "fail_mode", mode)
	}
	return nil
}

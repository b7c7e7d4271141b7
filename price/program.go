package price

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
)

// Settings are the settings of a power program of kind price, as JSON in
// the program's Settings:
//
//	{"feed": "https://web-api.tp.entsoe.eu/api?securityToken={secret}&documentType=A44&…",
//	 "format": "entsoe", "currency": "EUR", "refresh": "30m",
//	 "strike_per_kwh": 0.12, "hysteresis_per_kwh": 0.01,
//	 "min_on": "1h", "min_off": "30m"}
//
// or, with the strike following the live hashprice:
//
//	{"feed": "/var/lib/hearth/tariff.csv", "unit": "per_kwh", "currency": "USD",
//	 "breakeven": true, "joules_per_th": 17.5, "margin_per_kwh": 0.005,
//	 "hashprice_url": "https://ops.example/hashprice.json", "hashprice_refresh": "5m"}
//
// A literal {secret} in the feed is replaced by the program's secret
// (query-escaped), so that an ENTSO-E securityToken is sealed with the
// secret and never stored in the settings. Durations are Go durations
// ("90s", "15m", "1h").
type Settings struct {
	// Feed is a file path, a file:// URL or an http(s) URL.
	Feed string `json:"feed"`
	// Format is csv, json, entsoe or ercot; empty means detected.
	Format Format `json:"format,omitempty"`
	// Unit is the unit of a CSV or JSON feed that does not name one:
	// per_kwh or per_mwh.
	Unit Unit `json:"unit,omitempty"`
	// SettlementPoint is the ERCOT hub, load zone or node.
	SettlementPoint string `json:"settlement_point,omitempty"`
	// Currency is the currency of the strike, and of a feed that does
	// not name its own.
	Currency string `json:"currency,omitempty"`
	// Resolution is the length of a last CSV or JSON row without an end
	// (default 1h).
	Resolution Duration `json:"resolution,omitempty"`
	// Refresh is how often the feed is read again (default 15m).
	Refresh Duration `json:"refresh,omitempty"`
	// Timeout bounds one read of the feed or the hashprice (default 30s).
	Timeout Duration `json:"timeout,omitempty"`

	// StrikePerKWh is the fixed strike, unless Breakeven.
	StrikePerKWh float64 `json:"strike_per_kwh,omitempty"`
	// Breakeven makes the strike what a fleet at JoulesPerTH earns per
	// kWh at the hashprice, times USDRate, less MarginPerKWh.
	Breakeven    bool    `json:"breakeven,omitempty"`
	JoulesPerTH  float64 `json:"joules_per_th,omitempty"`
	MarginPerKWh float64 `json:"margin_per_kwh,omitempty"`
	USDRate      float64 `json:"usd_rate,omitempty"`
	// HashpriceUSDPerPHDay is a fixed hashprice; HashpriceURL a JSON
	// document to read it from (see HashpriceURL), every
	// HashpriceRefresh (default 5m).
	HashpriceUSDPerPHDay float64  `json:"hashprice_usd_per_ph_day,omitempty"`
	HashpriceURL         string   `json:"hashprice_url,omitempty"`
	HashpriceRefresh     Duration `json:"hashprice_refresh,omitempty"`

	HysteresisPerKWh float64  `json:"hysteresis_per_kwh,omitempty"`
	MinOn            Duration `json:"min_on,omitempty"`
	MinOff           Duration `json:"min_off,omitempty"`
}

// Duration is a time.Duration that reads and writes as a Go duration
// string in JSON.
type Duration time.Duration

// UnmarshalJSON reads "15m"-style strings.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"15m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as \"15m\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// The defaults of the settings.
const (
	DefaultRefresh          = 15 * time.Minute
	DefaultHashpriceRefresh = 5 * time.Minute
	DefaultResolution       = time.Hour
)

// ParseSettings reads and checks a price program's settings; errors are
// EINVALID.
func ParseSettings(raw []byte) (*Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "Price settings: %v.", err)
	}
	switch {
	case strings.TrimSpace(s.Feed) == "":
		return nil, hearth.Errorf(hearth.EINVALID, "Price settings need a feed: a file path or an http(s) URL.")
	case s.Format != "" && s.Format != FormatCSV && s.Format != FormatJSON && s.Format != FormatENTSOE && s.Format != FormatERCOT:
		return nil, hearth.Errorf(hearth.EINVALID, "Unknown price feed format %q; use csv, json, entsoe or ercot.", s.Format)
	case s.Format == FormatERCOT && s.SettlementPoint == "":
		return nil, hearth.Errorf(hearth.EINVALID, "An ERCOT price feed needs a settlement_point (HB_NORTH, LZ_WEST…).")
	case s.Breakeven && s.HashpriceURL == "" && !(s.HashpriceUSDPerPHDay > 0):
		return nil, hearth.Errorf(hearth.EINVALID, "A breakeven strike needs a hashprice: hashprice_usd_per_ph_day or hashprice_url.")
	case !s.Breakeven && !(s.StrikePerKWh > 0):
		return nil, hearth.Errorf(hearth.EINVALID, "Price settings need a strike_per_kwh above zero, or breakeven.")
	case math.IsInf(s.HashpriceUSDPerPHDay, 0) || s.HashpriceUSDPerPHDay < 0:
		return nil, hearth.Errorf(hearth.EINVALID, "hashprice_usd_per_ph_day must be a positive number.")
	}
	if s.Unit != "" {
		u, ok := parseUnit(string(s.Unit))
		if !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "Unknown price unit %q; use per_kwh or per_mwh.", s.Unit)
		}
		s.Unit = u
	}
	if u, err := url.Parse(s.Feed); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "The price feed URL has no host.")
	}
	return &s, nil
}

// policy returns the Policy the settings describe for site.
func (s *Settings) policy(site string) *Policy {
	return &Policy{Site: site, StrikePerKWh: s.StrikePerKWh, Breakeven: s.Breakeven, JoulesPerTH: s.JoulesPerTH,
		MarginPerKWh: s.MarginPerKWh, USDRate: s.USDRate, Currency: strings.ToUpper(s.Currency),
		HysteresisPerKWh: s.HysteresisPerKWh, MinOn: time.Duration(s.MinOn), MinOff: time.Duration(s.MinOff)}
}

func init() { program.Register(hearth.ProgramPrice, NewRunner) }

// Runner runs a power program of kind price: it reads the feed every
// Refresh (and the hashprice, in breakeven mode), decides at every price
// boundary and after every refresh, and publishes the decision's shed for
// each of the program's sites.
type Runner struct {
	program *hearth.PowerProgram
	env     program.Env
	set     *Settings
	policy  *Policy
	source  *Source
	hash    Hashprice
	secret  string

	mu          sync.Mutex
	prices      []hearth.PricePoint
	hashprice   float64
	state       State
	restored    bool
	nextFeed    time.Time
	nextHash    time.Time
	nextDecide  time.Time
	lastReason  string
	lastPublish bool
}

// NewRunner is the program.Factory of the price kind: it checks the
// settings and builds the runner.
func NewRunner(p *hearth.PowerProgram, env program.Env) (program.Runner, error) {
	s, err := ParseSettings(p.Settings)
	if err != nil {
		return nil, err
	}
	loc := s.Feed
	if strings.Contains(loc, "{secret}") {
		if p.Secret == "" {
			return nil, hearth.Errorf(hearth.EINVALID, "The price feed has {secret} in it but the program has no secret.")
		}
		loc = strings.ReplaceAll(loc, "{secret}", url.QueryEscape(p.Secret))
	}
	r := &Runner{program: p, env: env, set: s, secret: p.Secret,
		policy: s.policy(p.Sites[0]),
		source: &Source{Location: loc, Format: s.Format, Timeout: time.Duration(s.Timeout),
			Options: Options{Unit: s.Unit, Currency: s.Currency, SettlementPoint: s.SettlementPoint,
				Resolution: orDefault(time.Duration(s.Resolution), DefaultResolution)}},
	}
	if err := r.policy.Validate(); err != nil {
		return nil, err
	}
	switch {
	case s.HashpriceURL != "":
		r.hash = &HashpriceURL{URL: s.HashpriceURL, Timeout: time.Duration(s.Timeout)}
	case s.HashpriceUSDPerPHDay > 0:
		r.hash = FixedHashprice(s.HashpriceUSDPerPHDay)
	}
	return r, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Run refreshes and decides until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		next := r.Step(ctx)
		// Sleep until the next thing to do, but look again at least
		// every second: the clock may jump (a suspended machine).
		timer.Reset(min(max(next.Sub(r.env.Now()), 10*time.Millisecond), time.Second))
	}
}

// Step does what is due at the environment's clock: read the feed and
// the hashprice when their refresh is due, then decide and publish when
// something was refreshed or a decision is due. It returns when the next
// thing is due. Run calls it in a loop; tests call it with a fake clock.
func (r *Runner) Step(ctx context.Context) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.env.Now()
	if !r.restored {
		r.restore(ctx, now)
	}
	refreshed := false
	if !now.Before(r.nextFeed) {
		r.nextFeed = now.Add(orDefault(time.Duration(r.set.Refresh), DefaultRefresh))
		points, err := r.source.Fetch(ctx)
		if err != nil {
			err = r.redact(err)
			r.env.Health.Failed(now, err)
			r.logger().Warn("price feed", "program", r.program.Name, "err", err)
		} else {
			r.prices, refreshed = points, true
			r.env.Health.Contact(now)
		}
	}
	if r.hash != nil && !now.Before(r.nextHash) {
		r.nextHash = now.Add(orDefault(time.Duration(r.set.HashpriceRefresh), DefaultHashpriceRefresh))
		v, err := r.hash.HashpriceUSDPerPHDay(ctx)
		if err != nil {
			r.logger().Warn("hashprice", "program", r.program.Name, "err", err)
		} else {
			r.hashprice, refreshed = v, true
		}
	}
	if refreshed || !now.Before(r.nextDecide) {
		r.decide(ctx, now)
	}
	next := r.nextFeed
	if r.hash != nil && r.nextHash.Before(next) {
		next = r.nextHash
	}
	if !r.nextDecide.IsZero() && r.nextDecide.Before(next) {
		next = r.nextDecide
	}
	return next
}

// decide runs the policy and publishes its request for every site.
func (r *Runner) decide(ctx context.Context, now time.Time) {
	d, state := r.policy.Decide(now, r.prices, r.hashprice, r.state)
	r.nextDecide = d.Next
	if d.Next.IsZero() {
		// Nothing known changes the decision; look again at the next
		// refresh.
		r.nextDecide = r.nextFeed
	}
	var reqs []hearth.PowerRequest
	if req := r.policy.PowerRequest(d); req != nil {
		// The request starts when the site fell asleep, so that a
		// restart finds the dwell time in the stored request.
		if !state.Since.IsZero() {
			req.Start = state.Since
		}
		req.CreatedBy = "program " + r.program.Name
		req.CreatedAt = time.Time{}
		// A shed always ends with the known prices; one that would end
		// before it starts holds nothing.
		if req.End.After(req.Start) {
			reqs = append(reqs, *req)
		}
	}
	for _, site := range r.program.Sites {
		if err := program.ReplaceRequests(ctx, r.env.Requests, r.program, site, reqs); err != nil {
			if ctx.Err() == nil {
				r.logger().Warn("price response", "program", r.program.Name, "site", site, "err", err)
				// Decide again soon: the store did not take it.
				r.nextDecide = now.Add(5 * time.Second)
			}
			return
		}
	}
	r.state = state
	if d.Changed || d.Reason != r.lastReason || r.lastPublish != d.Sleep {
		r.logger().Info("price response", "program", r.program.Name, "sleep", d.Sleep, "reason", d.Reason)
	}
	r.lastReason, r.lastPublish = d.Reason, d.Sleep
}

// restore derives the dwell state from the requests a previous run
// stored: a request in force at any of the program's sites means the
// sites sleep since its start (the earliest, when a site joined the
// program later). An awake state has no record and starts without a
// dwell time.
func (r *Runner) restore(ctx context.Context, now time.Time) {
	id := program.RequestID(r.program, RequestID)
	var since time.Time
	for _, site := range r.program.Sites {
		reqs, err := r.env.Requests.FindPowerRequests(ctx, hearth.PowerRequestFilter{Site: site, Source: hearth.SourcePrice})
		if err != nil {
			r.logger().Warn("price response: stored request", "program", r.program.Name, "site", site, "err", err)
			return
		}
		for _, q := range reqs {
			if q.ID == id && q.ActiveAt(now) && (since.IsZero() || q.Start.Before(since)) {
				since = q.Start
			}
		}
	}
	r.restored = true
	if !since.IsZero() {
		r.state = State{Asleep: true, Since: since}
	}
}

// redact keeps the program's secret out of an error text, whatever the
// feed URL put it in.
func (r *Runner) redact(err error) error {
	if r.secret == "" {
		return err
	}
	msg := err.Error()
	for _, s := range []string{r.secret, url.QueryEscape(r.secret)} {
		msg = strings.ReplaceAll(msg, s, hearth.RedactedSecret)
	}
	if msg == err.Error() {
		return err
	}
	return hearth.Errorf(hearth.ErrorCode(err), "%s", msg)
}

// State returns the runner's dwell state, for tests and status pages.
func (r *Runner) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

func (r *Runner) logger() *slog.Logger {
	if r.env.Logger != nil {
		return r.env.Logger
	}
	return slog.Default()
}

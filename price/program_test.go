package price_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
	"github.com/hearth-fleet/hearth/program"
)

// memRequests is a PowerRequestService in memory.
type memRequests struct {
	mu   sync.Mutex
	reqs map[string]hearth.PowerRequest
}

func (m *memRequests) key(s hearth.PowerSource, site, id string) string {
	return string(s) + " " + site + " " + id
}

func (m *memRequests) SetPowerRequest(_ context.Context, r *hearth.PowerRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reqs == nil {
		m.reqs = map[string]hearth.PowerRequest{}
	}
	m.reqs[m.key(r.Source, r.Site, r.ID)] = *r
	return nil
}

func (m *memRequests) DeletePowerRequest(_ context.Context, s hearth.PowerSource, site, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.reqs[m.key(s, site, id)]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "no request")
	}
	delete(m.reqs, m.key(s, site, id))
	return nil
}

func (m *memRequests) FindPowerRequests(_ context.Context, f hearth.PowerRequestFilter) ([]*hearth.PowerRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*hearth.PowerRequest
	for _, r := range m.reqs {
		if f.Match(&r) {
			out = append(out, &r)
		}
	}
	slices.SortFunc(out, func(a, b *hearth.PowerRequest) int { return strings.Compare(a.Site+a.ID, b.Site+b.ID) })
	return out, nil
}

// priceRig is a price program against a feed file, an in-memory store
// and a fake clock.
type priceRig struct {
	t        *testing.T
	feed     string
	requests *memRequests
	now      time.Time
	health   *program.Health
}

func newPriceRig(t *testing.T, start time.Time) *priceRig {
	return &priceRig{t: t, feed: filepath.Join(t.TempDir(), "tariff.csv"), requests: &memRequests{}, now: start, health: &program.Health{}}
}

// writeFeed writes hourly per-kWh prices from start.
func (g *priceRig) writeFeed(start time.Time, step time.Duration, prices ...float64) {
	g.t.Helper()
	var b strings.Builder
	b.WriteString("start,end,price,currency,unit\n")
	for i, p := range prices {
		s := start.Add(time.Duration(i) * step)
		fmt.Fprintf(&b, "%s,%s,%g,USD,per_kwh\n", s.Format(time.RFC3339), s.Add(step).Format(time.RFC3339), p)
	}
	if err := os.WriteFile(g.feed, []byte(b.String()), 0o600); err != nil {
		g.t.Fatal(err)
	}
}

func (g *priceRig) runner(settings string, sites ...string) *price.Runner {
	g.t.Helper()
	if len(sites) == 0 {
		sites = []string{"barn"}
	}
	p := &hearth.PowerProgram{Name: "tariff", Kind: hearth.ProgramPrice, Sites: sites, FailMode: hearth.FailHold, Enabled: true,
		Settings: json.RawMessage(strings.ReplaceAll(settings, "FEED", g.feed))}
	r, err := price.NewRunner(p, program.Env{Requests: g.requests, Health: g.health, Now: func() time.Time { return g.now }})
	if err != nil {
		g.t.Fatal(err)
	}
	return r.(*price.Runner)
}

// asleep reports whether site holds the program's price request now.
func (g *priceRig) asleep(site string) bool {
	reqs, _ := g.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{Site: site, Source: hearth.SourcePrice, ActiveAt: g.now})
	for _, r := range reqs {
		if r.ID == "tariff/price" && r.Kind == hearth.RequestShed && r.ShedFraction == 1 {
			return true
		}
	}
	return false
}

// run steps r from the rig's clock to until, as Run would, and returns
// the times the sites changed between mining and sleeping.
func (g *priceRig) run(r *price.Runner, until time.Time) (flips []time.Time) {
	ctx := context.Background()
	was := g.asleep("barn")
	for g.now.Before(until) {
		next := r.Step(ctx)
		if now := g.asleep("barn"); now != was {
			flips, was = append(flips, g.now), now
		}
		if !next.After(g.now) {
			g.t.Fatalf("Step at %s asked to run again at %s", g.now, next)
		}
		g.now = next
	}
	return flips
}

var p0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// The price response sleeps the site in the hour above the strike, keeps
// it asleep while the price is within the hysteresis, and wakes it once
// the price falls below strike less hysteresis — on every site of the
// program.
func TestPriceProgramSleepsAboveStrikeAndWakesBelowHysteresis(t *testing.T) {
	g := newPriceRig(t, p0)
	g.writeFeed(p0, time.Hour, 0.10, 0.15, 0.115, 0.105, 0.09)
	r := g.runner(`{"feed":"FEED","strike_per_kwh":0.12,"hysteresis_per_kwh":0.01,"currency":"USD","refresh":"1h"}`, "barn", "shed")
	ctx := context.Background()
	for _, c := range []struct {
		at     time.Duration
		asleep bool
	}{{0, false}, {30 * time.Minute, false}, {time.Hour, true}, {2 * time.Hour, true}, {2*time.Hour + 59*time.Minute, true}, {3 * time.Hour, false}, {4 * time.Hour, false}} {
		g.now = p0.Add(c.at)
		r.Step(ctx)
		if got := g.asleep("barn"); got != c.asleep {
			t.Errorf("at +%s: asleep %v, want %v", c.at, got, c.asleep)
		}
		if got := g.asleep("shed"); got != c.asleep {
			t.Errorf("at +%s: the second site asleep %v, want %v", c.at, got, c.asleep)
		}
	}
}

// The request published while asleep is a full shed from when the site
// fell asleep until the expensive run ends, with the price in its reason.
func TestPriceProgramRequest(t *testing.T) {
	g := newPriceRig(t, p0.Add(time.Hour+10*time.Minute))
	g.writeFeed(p0, time.Hour, 0.10, 0.15, 0.14, 0.05)
	r := g.runner(`{"feed":"FEED","strike_per_kwh":0.12,"currency":"USD"}`)
	r.Step(context.Background())
	reqs, _ := g.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{})
	if len(reqs) != 1 {
		t.Fatalf("requests %+v, want one", reqs)
	}
	q := reqs[0]
	if q.Source != hearth.SourcePrice || q.ID != "tariff/price" || q.Kind != hearth.RequestShed || q.ShedFraction != 1 ||
		!q.Start.Equal(g.now) || !q.End.Equal(p0.Add(3*time.Hour)) || !strings.Contains(q.Reason, "0.150 USD/kWh above strike 0.120") {
		t.Errorf("request %+v", q)
	}
	// A step later in the same run keeps the request as it was.
	g.now = g.now.Add(30 * time.Minute)
	r.Step(context.Background())
	reqs, _ = g.requests.FindPowerRequests(context.Background(), hearth.PowerRequestFilter{})
	if len(reqs) != 1 || !reqs[0].Start.Equal(q.Start) {
		t.Errorf("after another step: %+v, want the request to keep its start %s", reqs, q.Start)
	}
}

// A price that saws around the strike every five minutes does not cycle
// the miners: the hysteresis holds them asleep while the price is within
// it, and the dwell times bound how often they may change when the saw is
// deeper than the hysteresis.
func TestPriceProgramDoesNotFlapOnASawtooth(t *testing.T) {
	saw := func(hi, lo float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = hi
			if i%2 == 1 {
				out[i] = lo
			}
		}
		return out
	}
	t.Run("within the hysteresis", func(t *testing.T) {
		g := newPriceRig(t, p0)
		g.writeFeed(p0, 5*time.Minute, saw(0.125, 0.115, 48)...)
		r := g.runner(`{"feed":"FEED","strike_per_kwh":0.12,"hysteresis_per_kwh":0.01,"refresh":"1h"}`)
		flips := g.run(r, p0.Add(4*time.Hour))
		// It sleeps once, at the first peak, then stays asleep until the
		// prices run out.
		if len(flips) < 1 || !flips[0].Equal(p0) {
			t.Fatalf("flips %v, want to sleep at %s", flips, p0)
		}
		if len(flips) > 2 {
			t.Errorf("%d changes on a sawtooth within the hysteresis: %v", len(flips), flips)
		}
	})
	t.Run("deeper than the hysteresis", func(t *testing.T) {
		g := newPriceRig(t, p0)
		g.writeFeed(p0, 5*time.Minute, saw(0.15, 0.05, 48)...)
		r := g.runner(`{"feed":"FEED","strike_per_kwh":0.12,"hysteresis_per_kwh":0.01,"min_off":"30m","min_on":"1h","refresh":"1h"}`)
		flips := g.run(r, p0.Add(4*time.Hour))
		if len(flips) == 0 {
			t.Fatal("never slept on prices above the strike")
		}
		for i := 1; i < len(flips); i++ {
			gap := flips[i].Sub(flips[i-1])
			want := time.Hour // awake at least MinOn
			if i%2 == 1 {
				want = 30 * time.Minute // asleep at least MinOff
			}
			if gap < want {
				t.Errorf("change %d after %s, under the dwell time %s: %v", i, gap, want, flips)
			}
		}
		// Four hours of a five-minute saw would be 48 changes; the dwell
		// times allow at most one sleep and one wake each 90 minutes.
		if len(flips) > 6 {
			t.Errorf("%d changes in four hours: %v", len(flips), flips)
		}
	})
}

// A new price file is read at the next refresh: a cheap price written
// over an expensive one wakes the site without waiting for the hour.
func TestPriceProgramFollowsARefreshedFeed(t *testing.T) {
	g := newPriceRig(t, p0.Add(10*time.Minute))
	g.writeFeed(p0, time.Hour, 0.30, 0.30)
	r := g.runner(`{"feed":"FEED","strike_per_kwh":0.12,"refresh":"1m"}`)
	r.Step(context.Background())
	if !g.asleep("barn") {
		t.Fatal("not asleep at 0.30 above a strike of 0.12")
	}
	g.writeFeed(p0, time.Hour, 0.05, 0.05)
	g.run(r, g.now.Add(90*time.Second))
	if g.asleep("barn") {
		t.Fatal("still asleep a refresh after the price fell to 0.05")
	}
}

// The dwell state survives a restart: a new runner finds the stored
// request and keeps the site asleep for MinOff from when it fell asleep,
// even though the price is now cheap.
func TestPriceProgramKeepsDwellAcrossRestart(t *testing.T) {
	g := newPriceRig(t, p0)
	g.writeFeed(p0, 15*time.Minute, 0.20, 0.05, 0.05, 0.05, 0.05, 0.05)
	settings := `{"feed":"FEED","strike_per_kwh":0.12,"min_off":"45m","refresh":"1h"}`
	r := g.runner(settings)
	r.Step(context.Background())
	if !g.asleep("barn") {
		t.Fatal("not asleep above the strike")
	}
	// hearth restarts at +20 minutes, with the price cheap.
	g.now = p0.Add(20 * time.Minute)
	r = g.runner(settings)
	r.Step(context.Background())
	if st := r.State(); !st.Asleep || !st.Since.Equal(p0) {
		t.Errorf("restored state %+v, want asleep since %s", st, p0)
	}
	if !g.asleep("barn") {
		t.Fatal("woke at +20m, inside the 45m minimum off time")
	}
	flips := g.run(r, p0.Add(time.Hour))
	if len(flips) != 1 || !flips[0].Equal(p0.Add(45*time.Minute)) {
		t.Errorf("changes %v, want one wake at +45m", flips)
	}
}

// A site added to the program while it sleeps (first in its list) does not
// make a restarted runner forget the dwell: the other site's stored
// request still says since when the sites sleep, and both stay asleep.
func TestPriceProgramKeepsDwellWhenASiteJoins(t *testing.T) {
	g := newPriceRig(t, p0)
	g.writeFeed(p0, 15*time.Minute, 0.20, 0.05, 0.05, 0.05, 0.05, 0.05)
	settings := `{"feed":"FEED","strike_per_kwh":0.12,"min_off":"45m","refresh":"1h"}`
	r := g.runner(settings, "barn")
	r.Step(context.Background())
	if !g.asleep("barn") {
		t.Fatal("not asleep above the strike")
	}
	g.now = p0.Add(20 * time.Minute)
	r = g.runner(settings, "garage", "barn")
	r.Step(context.Background())
	if st := r.State(); !st.Asleep || !st.Since.Equal(p0) {
		t.Errorf("restored state %+v, want asleep since %s", st, p0)
	}
	if !g.asleep("barn") || !g.asleep("garage") {
		t.Errorf("barn asleep %v, garage asleep %v at +20m; want both inside the 45m minimum off time", g.asleep("barn"), g.asleep("garage"))
	}
}

// The breakeven strike follows the hashprice: at $48/PH/day and 20 J/TH
// mining earns $0.10/kWh, so $0.105 sleeps the site and $0.095 does not.
func TestPriceProgramBreakeven(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"usd_per_ph_day": 48}`)
	}))
	defer srv.Close()
	g := newPriceRig(t, p0)
	g.writeFeed(p0, time.Hour, 0.095, 0.105)
	r := g.runner(`{"feed":"FEED","breakeven":true,"joules_per_th":20,"hashprice_url":"` + srv.URL + `"}`)
	r.Step(context.Background())
	if g.asleep("barn") {
		t.Error("asleep at 0.095 under a breakeven of 0.100")
	}
	g.now = p0.Add(time.Hour)
	r.Step(context.Background())
	if !g.asleep("barn") {
		t.Error("awake at 0.105 over a breakeven of 0.100")
	}
}

// The secret fills {secret} in the feed URL and never shows in errors;
// settings that cannot work are refused with EINVALID.
func TestPriceProgramSettings(t *testing.T) {
	const token = "3f1c-secret-token"
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query().Get("securityToken")
		http.Error(w, "unauthorized "+r.URL.String(), http.StatusUnauthorized)
	}))
	defer srv.Close()
	g := newPriceRig(t, p0)
	p := &hearth.PowerProgram{Name: "tariff", Kind: hearth.ProgramPrice, Sites: []string{"barn"}, FailMode: hearth.FailHold, Secret: token,
		Settings: json.RawMessage(`{"feed":"` + srv.URL + `/api?securityToken={secret}&documentType=A44","format":"entsoe","strike_per_kwh":0.1}`)}
	var logs strings.Builder
	env := program.Env{Requests: g.requests, Health: g.health, Now: func() time.Time { return g.now }, Logger: newTextLogger(&logs)}
	r, err := price.NewRunner(p, env)
	if err != nil {
		t.Fatal(err)
	}
	r.(*price.Runner).Step(context.Background())
	if got != token {
		t.Errorf("the feed got token %q, want the secret", got)
	}
	if strings.Contains(logs.String(), token) || !strings.Contains(logs.String(), "401") {
		t.Errorf("logs: %s", logs.String())
	}

	for _, bad := range []string{``, `{}`, `{"feed":"x"}`, `{"feed":"x","strike_per_kwh":-1}`, `{"feed":"x","strike_per_kwh":0.1,"color":"red"}`,
		`{"feed":"x","breakeven":true,"joules_per_th":15}`, `{"feed":"x","strike_per_kwh":0.1,"refresh":"soon"}`,
		`{"feed":"x","strike_per_kwh":0.1,"unit":"per_gallon"}`, `{"feed":"x","format":"ercot","strike_per_kwh":0.1}`,
		`{"feed":"https://x/?t={secret}","strike_per_kwh":0.1}`} {
		p := &hearth.PowerProgram{Name: "tariff", Kind: hearth.ProgramPrice, Sites: []string{"barn"}, Settings: json.RawMessage(bad)}
		if _, err := price.NewRunner(p, env); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("settings %s: %v, want EINVALID", bad, err)
		}
	}
}

func newTextLogger(w *strings.Builder) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// Settings are JSON an operator or an API client sends: whatever they
// hold, ParseSettings refuses them with EINVALID or returns settings a
// runner can be built from.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{`{"feed":"x.csv","unit":"per_kwh","strike_per_kwh":0.12,"refresh":"1m"}`,
		`{"feed":"https://h/api?securityToken={secret}","format":"entsoe","breakeven":true,"joules_per_th":15,"hashprice_usd_per_ph_day":40}`,
		`{"feed":"x","format":"ercot","settlement_point":"HB_WEST","strike_per_kwh":0.1,"min_on":"1h","min_off":"30m"}`, `{}`, `{"feed":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := price.ParseSettings(raw)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			return
		}
		p := &hearth.PowerProgram{Name: "tariff", Kind: hearth.ProgramPrice, Sites: []string{"barn"}, Secret: "s", Settings: raw}
		if _, err := price.NewRunner(p, program.Env{}); err != nil && hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("settings %+v: runner error %v", s, err)
		}
	})
}

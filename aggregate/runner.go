package aggregate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
)

// Defaults of the child side.
const (
	// DefaultInterval is the time between two reports of a child.
	DefaultInterval = 5 * time.Second
	// MinInterval bounds how often a child may report.
	MinInterval = 100 * time.Millisecond
	// ReportPath is the aggregator's endpoint.
	ReportPath = "/api/v1/aggregate/report"
)

func init() {
	program.Register(hearth.ProgramAggregator, NewRunner)
}

// Settings are the aggregator program's settings (see the package doc).
type Settings struct {
	// URL is the aggregating hearth's base URL (http or https).
	URL string `json:"url"`
	// Aggregate is the aggregate site this hearth joins there.
	Aggregate string `json:"aggregate"`
	// Child, when set, must be the name of the token (the secret).
	Child string `json:"child,omitempty"`
	// Interval is a Go duration ("5s"); empty means DefaultInterval.
	Interval string `json:"interval,omitempty"`
}

// Runner is a child's runner: it reports its sites to the aggregator and
// publishes the targets it answers.
type Runner struct {
	program  *hearth.PowerProgram
	env      program.Env
	endpoint string
	settings Settings
	interval time.Duration
	// Client makes the requests; nil means one whose timeout is the
	// interval, at most 10 s.
	Client *http.Client
}

// NewRunner checks p's settings and secret and returns its runner; it is
// the Factory of hearth.ProgramAggregator.
func NewRunner(p *hearth.PowerProgram, env program.Env) (program.Runner, error) {
	return newRunner(p, env)
}

func newRunner(p *hearth.PowerProgram, env program.Env) (*Runner, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(p.Settings))
	dec.DisallowUnknownFields()
	if len(p.Settings) == 0 || dec.Decode(&s) != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "Aggregator settings must be a JSON object with url, aggregate and optionally child and interval.")
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, hearth.Errorf(hearth.EINVALID, "Aggregator url must be an http or https URL without credentials, such as https://aggregator:8080.")
	}
	if err := hearth.ValidateName("Aggregate site", s.Aggregate); err != nil {
		return nil, err
	}
	if s.Child != "" {
		if err := hearth.ValidateName("Child", s.Child); err != nil {
			return nil, err
		}
	}
	interval := DefaultInterval
	if s.Interval != "" {
		if interval, err = time.ParseDuration(s.Interval); err != nil || interval < MinInterval || interval > time.Hour {
			return nil, hearth.Errorf(hearth.EINVALID, "Aggregator interval must be a duration from %s to 1h, such as 5s.", MinInterval)
		}
	}
	// "***" stands for a secret already stored (a change of settings).
	if p.Secret == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "An aggregator program needs the aggregator's API token as its secret.")
	}
	return &Runner{program: p, env: env, settings: s, interval: interval,
		endpoint: strings.TrimRight(s.URL, "/") + ReportPath}, nil
}

// Run reports every interval until ctx ends. A failed exchange is
// recorded and retried at the next interval; the Manager applies the fail
// mode once the aggregator has been silent too long.
func (r *Runner) Run(ctx context.Context) error {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		if err := r.Exchange(ctx); err != nil && ctx.Err() == nil {
			r.env.Health.Failed(r.env.Now(), err)
			r.logger().Warn("aggregator report failed", "program", r.program.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (r *Runner) logger() *slog.Logger {
	if r.env.Logger != nil {
		return r.env.Logger
	}
	return slog.Default()
}

// Exchange sends one report and publishes the targets of the answer.
func (r *Runner) Exchange(ctx context.Context) error {
	rep := Report{Child: r.settings.Child, Aggregate: r.settings.Aggregate, At: r.env.Now()}
	for _, site := range r.program.Sites {
		sr := SiteReport{Site: site, State: StateUnknown}
		if r.env.Status != nil {
			if st, ok := r.env.Status(site); ok {
				sr = SiteReport{Site: site, FlexibleWatts: st.FlexibleWatts, FixedWatts: st.FixedWatts,
					MeasuredWatts: st.MeasuredWatts, PlannedWatts: st.PlannedWatts, State: string(st.State)}
			}
		}
		rep.Sites = append(rep.Sites, sr)
	}
	ans, err := r.post(ctx, &rep)
	if err != nil {
		return err
	}
	r.env.Health.Contact(r.env.Now())
	for _, site := range r.program.Sites {
		var reqs []hearth.PowerRequest
		for _, t := range ans.Targets {
			if t.Site == site {
				reqs = append(reqs, t.request())
			}
		}
		if err := program.ReplaceRequests(ctx, r.env.Requests, r.program, site, reqs); err != nil {
			return err
		}
	}
	return nil
}

// post sends rep and decodes the answer, bounded in size and time.
func (r *Runner) post(ctx context.Context, rep *Report) (*Answer, error) {
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, min(r.interval*2, 10*time.Second)+time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("aggregator report: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.program.Secret)
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, hearth.Errorf(hearth.ETIMEOUT, "The aggregator at %s did not answer in time.", hostOf(r.endpoint))
		}
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "The aggregator at %s cannot be reached: %v", hostOf(r.endpoint), errors.Unwrap(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "Reading the aggregator's answer: %v", err)
	}
	if len(data) > MaxBody {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "The aggregator's answer is over %d bytes.", MaxBody)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		code := hearth.EUNAVAILABLE
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			code = hearth.EAUTH
		}
		return nil, hearth.Errorf(code, "The aggregator refused the report (%s): %s", resp.Status, truncate(e.Message, 200))
	}
	return DecodeAnswer(data)
}

// DecodeAnswer parses an aggregator's answer and checks every target.
func DecodeAnswer(data []byte) (*Answer, error) {
	if len(data) > MaxBody {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "The aggregator's answer is over %d bytes.", MaxBody)
	}
	var a Answer
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "The aggregator's answer is not JSON targets: %v", err)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &a, nil
}

// hostOf returns the host of an endpoint, for errors that must not carry
// anything else of the settings.
func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Host
	}
	return "?"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

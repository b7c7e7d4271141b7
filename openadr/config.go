// Package openadr makes hearth a VEN (virtual end node) of an OpenADR 3
// VTN (virtual top node): it polls the VTN's programs and events, turns
// them into hearth power requests and price points, posts reports of
// measured site power back, and listens for the VTN's webhook
// notifications so that a new event acts at once rather than at the next
// poll.
//
// Both published versions of the specification are spoken: 3.0.1 and
// 3.1.0, which differ in their token discovery, target shapes,
// notification operations and report fields.
//
// The package registers the power-program kind "openadr" (see Settings
// for its JSON settings; the program's secret is the OAuth client
// secret): its runner runs a VEN whose events become the program's power
// requests for its sites, reports every good poll as contact with the
// source (the program Manager applies the fail mode when the VTN goes
// silent), posts DEMAND reports of the sites' measured power, and serves
// its webhook through Webhooks when the settings give a callback_url.
package openadr

import (
	"fmt"
	"net/url"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Version is the OpenADR 3 specification version a VTN speaks. 3.1.0 is not
// backwards compatible with 3.0.1, so the operator says which one.
type Version string

// The supported specification versions.
const (
	Version301 Version = "3.0.1"
	Version310 Version = "3.1.0"
)

// Valid reports whether v is a version this package speaks.
func (v Version) Valid() bool { return v == Version301 || v == Version310 }

// Defaults applied by Config.Validate when a field is left zero.
const (
	DefaultPollInterval   = time.Minute
	DefaultRequestTimeout = 30 * time.Second
	DefaultSilentAfter    = 15 * time.Minute
)

// Config is what hearth's configuration and command line fill to make a
// VEN. It holds a secret (ClientSecret, CallbackToken) and so formats
// itself without it: String and GoString never show either.
type Config struct {
	// URL is the VTN's base URL, e.g. https://vtn.example.com/openadr3/3.1.0.
	URL string
	// Version is the specification version the VTN speaks.
	Version Version
	// ClientID and ClientSecret are the OAuth 2.0 client credentials the
	// VTN's operator provisioned out of band.
	ClientID     string
	ClientSecret string
	// Scope, when set, is sent with the token request (space separated).
	Scope string
	// VENName names this VEN to the VTN: the clientName of its reports
	// and subscriptions.
	VENName string
	// PollInterval is how often the VTN is polled. Default one minute.
	PollInterval time.Duration
	// RequestTimeout bounds each HTTP exchange with the VTN. Default 30 s.
	RequestTimeout time.Duration
	// InsecureSkipVerify accepts a VTN certificate that does not verify.
	// The specification asks VENs to allow this "unverified TLS" setting;
	// it is off unless the operator turns it on.
	InsecureSkipVerify bool
	// CallbackURL, when set, is the public URL of this VEN's webhook
	// (WebhookHandler): the VEN subscribes to event and program changes
	// and the VTN POSTs notifications there.
	CallbackURL string
	// CallbackToken is the bearer token the VTN must present on
	// notifications; it is given to the VTN in the subscription.
	CallbackToken string
	// Programs are the VTN programs this VEN follows.
	Programs []ProgramConfig
}

// ProgramConfig says which hearth sites a VTN program drives and how.
type ProgramConfig struct {
	// Name is the programName on the VTN; ID, when set, is used instead
	// and saves the lookup.
	Name string
	ID   string
	// Sites are the hearth sites the program's events apply to.
	Sites []string
	// SimpleLevels maps a SIMPLE payload level to the fraction of
	// flexible power to shed. Nil means DefaultSimpleLevels.
	SimpleLevels map[int]float64
	// FailMode is what the sites do when the VTN has been unreachable for
	// longer than SilentAfter (default 15 minutes).
	FailMode    hearth.FailMode
	SilentAfter time.Duration
}

// DefaultSimpleLevels is the usual reading of SIMPLE levels: normal
// operation, moderate, high and emergency load shed.
var DefaultSimpleLevels = map[int]float64{0: 0, 1: 0.5, 2: 0.75, 3: 1}

// label names the program for messages and as the key of its prices.
func (p *ProgramConfig) label() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// Validate reports an EINVALID error for a configuration the VEN cannot
// run with and fills the defaults of zero fields.
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return hearth.Errorf(hearth.EINVALID, "The OpenADR VTN URL %q must be an absolute http or https URL.", c.URL)
	}
	if !c.Version.Valid() {
		return hearth.Errorf(hearth.EINVALID, "Unknown OpenADR version %q; use 3.0.1 or 3.1.0.", c.Version)
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return hearth.Errorf(hearth.EINVALID, "The OpenADR VEN needs a client ID and a client secret.")
	}
	if c.VENName == "" || len(c.VENName) > 128 {
		return hearth.Errorf(hearth.EINVALID, "The OpenADR VEN needs a name of 1 to 128 characters.")
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.CallbackURL != "" {
		if u, err := url.Parse(c.CallbackURL); err != nil || u.Host == "" {
			return hearth.Errorf(hearth.EINVALID, "The OpenADR callback URL %q is not an absolute URL.", c.CallbackURL)
		}
		if c.CallbackToken == "" {
			return hearth.Errorf(hearth.EINVALID, "An OpenADR callback URL needs a callback token, so that only the VTN can trigger a poll.")
		}
	}
	if len(c.Programs) == 0 {
		return hearth.Errorf(hearth.EINVALID, "The OpenADR VEN follows no program.")
	}
	labels := map[string]bool{}
	for i := range c.Programs {
		p := &c.Programs[i]
		if p.Name == "" && p.ID == "" {
			return hearth.Errorf(hearth.EINVALID, "OpenADR program %d needs a name or an ID.", i+1)
		}
		if labels[p.label()] {
			return hearth.Errorf(hearth.EINVALID, "OpenADR program %q is configured twice.", p.label())
		}
		labels[p.label()] = true
		if len(p.Sites) == 0 {
			return hearth.Errorf(hearth.EINVALID, "OpenADR program %q drives no site.", p.label())
		}
		if p.FailMode == "" {
			p.FailMode = hearth.FailHold
		}
		if err := p.FailMode.Validate(); err != nil {
			return err
		}
		if p.SilentAfter <= 0 {
			p.SilentAfter = DefaultSilentAfter
		}
		if p.SimpleLevels == nil {
			p.SimpleLevels = DefaultSimpleLevels
		}
		for level, f := range p.SimpleLevels {
			if !(f >= 0 && f <= 1) {
				return hearth.Errorf(hearth.EINVALID, "OpenADR program %q sheds %v at SIMPLE level %d; a fraction is between 0 and 1.", p.label(), f, level)
			}
		}
	}
	return nil
}

// String describes c without its secrets, for logs.
func (c Config) String() string {
	return fmt.Sprintf("openadr.Config{URL:%q Version:%s ClientID:%q ClientSecret:%s VENName:%q PollInterval:%s CallbackURL:%q CallbackToken:%s Programs:%d}",
		c.URL, c.Version, c.ClientID, redacted(c.ClientSecret), c.VENName, c.PollInterval, c.CallbackURL, redacted(c.CallbackToken), len(c.Programs))
}

// GoString keeps %#v from printing the secrets.
func (c Config) GoString() string { return c.String() }

// redacted says whether a secret is set without showing it.
func redacted(s string) string {
	if s == "" {
		return "unset"
	}
	return "redacted"
}

package hearth

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MatchType is how a Matcher compares a label's value, as in Alertmanager.
type MatchType string

// The match types.
const (
	MatchEqual     MatchType = "="
	MatchNotEqual  MatchType = "!="
	MatchRegexp    MatchType = "=~"
	MatchNotRegexp MatchType = "!~"
)

// Matcher selects alerts by one label: `site="barn"`, `alertname=~"Fan.*"`.
// The label "alertname" is the alert's name. A label an alert lacks has
// the empty value, as in Prometheus.
type Matcher struct {
	Name  string    `json:"name"`
	Type  MatchType `json:"type"`
	Value string    `json:"value"`
}

// Validate reports an EINVALID error when m cannot match anything sound.
func (m Matcher) Validate() error {
	if m.Name == "" || len(m.Name) > 256 || len(m.Value) > 4096 {
		return Errorf(EINVALID, "Matcher %s%s%q needs a label name and a value under 4096 bytes.", m.Name, m.Type, m.Value)
	}
	switch m.Type {
	case MatchEqual, MatchNotEqual:
	case MatchRegexp, MatchNotRegexp:
		if _, err := anchored(m.Value); err != nil {
			return WrapError(EINVALID, err, "Matcher %s%s%q: not a regular expression.", m.Name, m.Type, m.Value)
		}
	default:
		return Errorf(EINVALID, "Matcher %s: type %q must be =, !=, =~ or !~.", m.Name, m.Type)
	}
	return nil
}

// Matches reports whether the alert's labels (with alertname) satisfy m.
// A regular expression is anchored at both ends, as in Prometheus.
func (m Matcher) Matches(a *Alert) bool {
	v := a.Labels[m.Name]
	if m.Name == "alertname" && v == "" {
		v = a.Name
	}
	switch m.Type {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	case MatchRegexp, MatchNotRegexp:
		re, err := anchored(m.Value)
		if err != nil {
			return false
		}
		return re.MatchString(v) == (m.Type == MatchRegexp)
	}
	return false
}

// regexps caches the compiled expressions of matchers, which the
// notification dispatcher evaluates against every alert at every tick;
// it holds at most maxCachedRegexps, beyond which expressions are
// compiled each time.
var regexps = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

const maxCachedRegexps = 4096

// anchored compiles expr anchored at both ends, as Prometheus matches.
func anchored(expr string) (*regexp.Regexp, error) {
	regexps.Lock()
	re, ok := regexps.m[expr]
	regexps.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return nil, err
	}
	regexps.Lock()
	if len(regexps.m) < maxCachedRegexps {
		regexps.m[expr] = re
	}
	regexps.Unlock()
	return re, nil
}

// String writes m as ParseMatcher reads it.
func (m Matcher) String() string {
	return m.Name + string(m.Type) + strconv.Quote(m.Value)
}

// ParseMatcher reads one matcher as `name=value`, `name!="value"`,
// `name=~"re"` or `name!~re`; the value may be quoted as a Go string.
func ParseMatcher(s string) (Matcher, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "=!")
	if i <= 0 {
		return Matcher{}, Errorf(EINVALID, "Matcher %q must read name=value, name!=value, name=~regexp or name!~regexp.", s)
	}
	m := Matcher{Name: strings.TrimSpace(s[:i])}
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "=~"), strings.HasPrefix(rest, "!~"), strings.HasPrefix(rest, "!="):
		m.Type, rest = MatchType(rest[:2]), rest[2:]
	case strings.HasPrefix(rest, "="):
		m.Type, rest = MatchEqual, rest[1:]
	default:
		return Matcher{}, Errorf(EINVALID, "Matcher %q: expected =, !=, =~ or !~ after the label name.", s)
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, `"`) {
		v, err := strconv.Unquote(rest)
		if err != nil {
			return Matcher{}, WrapError(EINVALID, err, "Matcher %q: the quoted value is not closed or has a bad escape.", s)
		}
		rest = v
	}
	m.Value = rest
	return m, m.Validate()
}

// Silence mutes the alerts its matchers all select between StartsAt and
// EndsAt: they still fire and stay in the history, but no receiver is
// told of them.
type Silence struct {
	ID        int64     `json:"id"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Validate reports an EINVALID error when s cannot be stored.
func (s *Silence) Validate() error {
	if len(s.Matchers) == 0 {
		return Errorf(EINVALID, "A silence needs at least one matcher, so that it cannot mute every alert by accident.")
	}
	for _, m := range s.Matchers {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	if s.EndsAt.IsZero() || !s.EndsAt.After(s.StartsAt) {
		return Errorf(EINVALID, "A silence must end after it starts.")
	}
	if len(s.CreatedBy) > 256 || len(s.Comment) > 4096 {
		return Errorf(EINVALID, "A silence's author or comment is too long.")
	}
	return nil
}

// Active reports whether s mutes alerts at now.
func (s *Silence) Active(now time.Time) bool {
	return !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Mutes reports whether s, active at now, selects a.
func (s *Silence) Mutes(a *Alert, now time.Time) bool {
	if !s.Active(now) {
		return false
	}
	for _, m := range s.Matchers {
		if !m.Matches(a) {
			return false
		}
	}
	return true
}

// SilenceService stores silences.
type SilenceService interface {
	// FindSilences returns the silences that have not ended before
	// since, the latest ending last; a zero since returns all.
	FindSilences(ctx context.Context, since time.Time) ([]*Silence, error)
	// CreateSilence stores s and sets its ID and CreatedAt.
	CreateSilence(ctx context.Context, s *Silence) error
	// DeleteSilence removes a silence; ENOTFOUND when there is none.
	DeleteSilence(ctx context.Context, id int64) error
}

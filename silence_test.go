package hearth_test

import (
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func TestParseMatcher(t *testing.T) {
	for in, want := range map[string]hearth.Matcher{
		`miner=sim-00001`:         {Name: "miner", Type: hearth.MatchEqual, Value: "sim-00001"},
		` site != "barn" `:        {Name: "site", Type: hearth.MatchNotEqual, Value: "barn"},
		`alertname=~"Fan.*"`:      {Name: "alertname", Type: hearth.MatchRegexp, Value: "Fan.*"},
		`board!~[0-2]`:            {Name: "board", Type: hearth.MatchNotRegexp, Value: "[0-2]"},
		`note="a \"quoted\" one"`: {Name: "note", Type: hearth.MatchEqual, Value: `a "quoted" one`},
		`empty=`:                  {Name: "empty", Type: hearth.MatchEqual, Value: ""},
	} {
		got, err := hearth.ParseMatcher(in)
		if err != nil || got != want {
			t.Errorf("ParseMatcher(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "miner", "=x", "a~b", `a=~"("`, `a="open`} {
		if _, err := hearth.ParseMatcher(in); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("ParseMatcher(%q): %v, want EINVALID", in, err)
		}
	}
}

// Matchers work as in Prometheus: alertname is the alert's name, a
// missing label is empty, and regular expressions match whole values.
func TestMatcher_Matches(t *testing.T) {
	a := &hearth.Alert{Name: "ChipTooHot", Labels: map[string]string{"miner": "sim-00012", "board": "1"}}
	for m, want := range map[string]bool{
		`alertname=ChipTooHot`: true,
		`alertname=~"Chip.*"`:  true,
		`alertname=~"Chip"`:    false, // anchored
		`miner=~"sim-0001."`:   true,
		`board!~"[2-3]"`:       true,
		`site=""`:              true, // missing is empty
		`site!=""`:             false,
		`miner!=sim-00012`:     false,
		`board=~"1|2"`:         true,
	} {
		mm, err := hearth.ParseMatcher(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := mm.Matches(a); got != want {
			t.Errorf("%s on %v: %v, want %v", m, a.Labels, got, want)
		}
	}
}

func TestSilence(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	s := &hearth.Silence{Matchers: []hearth.Matcher{{Name: "site", Type: hearth.MatchEqual, Value: "barn"}, {Name: "alertname", Type: hearth.MatchRegexp, Value: "Fan.*"}},
		StartsAt: now, EndsAt: now.Add(time.Hour)}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	fan := &hearth.Alert{Name: "FanFailed", Labels: map[string]string{"site": "barn"}}
	pool := &hearth.Alert{Name: "PoolDown", Labels: map[string]string{"site": "barn"}}
	if !s.Mutes(fan, now) || s.Mutes(pool, now) {
		t.Error("a silence must mute what all its matchers select, and only that")
	}
	if s.Mutes(fan, now.Add(-time.Second)) || s.Mutes(fan, now.Add(time.Hour)) {
		t.Error("a silence mutes only from its start until (not at) its end")
	}
	for name, bad := range map[string]hearth.Silence{
		"no matchers": {StartsAt: now, EndsAt: now.Add(time.Hour)},
		"no end":      {Matchers: s.Matchers, StartsAt: now},
		"ends first":  {Matchers: s.Matchers, StartsAt: now, EndsAt: now},
	} {
		if err := bad.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

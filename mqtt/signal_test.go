package mqtt_test

import (
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/mqtt"
)

func TestParseSignal(t *testing.T) {
	ts := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want mqtt.Signal
	}{
		{"ON", mqtt.Signal{Kind: mqtt.SignalOn}},
		{" off\n", mqtt.Signal{Kind: mqtt.SignalOff}},
		{"12.5", mqtt.Signal{Kind: mqtt.SignalLimit, LimitWatts: 12500}},
		{"0", mqtt.Signal{Kind: mqtt.SignalLimit}},
		{`{"limit_kw": 3}`, mqtt.Signal{Kind: mqtt.SignalLimit, LimitWatts: 3000}},
		{`{"shed": 0.5}`, mqtt.Signal{Kind: mqtt.SignalShed, ShedFraction: 0.5}},
		{`{"state": "OFF", "timestamp": "2026-06-01T12:00:00Z"}`, mqtt.Signal{Kind: mqtt.SignalOff, At: ts}},
		{`{"state": "on", "timestamp": 1780315200}`, mqtt.Signal{Kind: mqtt.SignalOn, At: ts}},
	} {
		got, err := mqtt.ParseSignal([]byte(c.in))
		if err != nil || got.Kind != c.want.Kind || got.LimitWatts != c.want.LimitWatts || got.ShedFraction != c.want.ShedFraction || !got.At.Equal(c.want.At) {
			t.Errorf("ParseSignal(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for in, code := range map[string]string{
		"":                                     hearth.EINVALID,
		"maybe":                                hearth.EINVALID,
		"-3":                                   hearth.EINVALID,
		"NaN":                                  hearth.EINVALID,
		"Inf":                                  hearth.EINVALID,
		`{"shed": 1.5}`:                        hearth.EINVALID,
		`{"limit_kw": 1, "shed": 1}`:           hearth.EINVALID,
		`{}`:                                   hearth.EINVALID,
		`{"state": "dim"}`:                     hearth.EINVALID,
		`{"state": "on", "timestamp": "noon"}`: hearth.EINVALID,
		`{"state": "on", "timestamp": -5}`:     hearth.EINVALID,
		`{"state": `:                           hearth.EPROTOCOL,
		string(make([]byte, 5000)):             hearth.ETOOLARGE,
	} {
		if _, err := mqtt.ParseSignal([]byte(in)); hearth.ErrorCode(err) != code {
			t.Errorf("ParseSignal(%.20q): %v, want %s", in, err, code)
		}
	}
}

// Whatever a publisher sends, the parser returns a usable signal or an
// error, never a panic or a request the store would refuse.
func FuzzParseSignal(f *testing.F) {
	for _, s := range []string{"ON", "OFF", "on", "12.5", "0", "1e3", `{"limit_kw": 3}`, `{"shed": 0.5}`, `{"state":"off"}`,
		`{"state":"on","timestamp":"2026-06-01T12:00:00Z"}`, `{"state":"on","timestamp":1780315200.5}`, `{"shed":`, "\x00", "-0"} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		s, err := mqtt.ParseSignal(payload)
		if err != nil {
			if hearth.ErrorCode(err) == hearth.EINTERNAL {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		r := s.Request(now, time.Minute, s.String())
		r.Source, r.Site = hearth.SourceSignal, "barn"
		if err := r.Validate(); err != nil {
			t.Fatalf("signal %+v makes an invalid request: %v", s, err)
		}
	})
}

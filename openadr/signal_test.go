package openadr_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
)

// userGuideMultiPrice is Example 7.3-1 of the 3.1.0 User Guide.
const userGuideMultiPrice = `{
  "eventName": "multiPriceEvent",
  "programID": "44",
  "payloadDescriptors": [{"payloadType": "PRICE", "units": "KWH", "currency": "USD"}],
  "intervals": [{"id": 0, "intervalPeriod": {"start": "2025-06-25T00:00:00.000Z", "duration": "PT3H"},
    "payloads": [{"type": "PRICE", "values": [0.17, 0.03, 0.11]}]}]
}`

// userGuideSimple is the SIMPLE load shed event of the User Guide.
const userGuideSimple = `{"eventName":"simpleEvent","programID":"44",
 "intervalPeriod":{"start":"2025-03-14T00:00:00.000Z","duration":"PT4H"},
 "payloadDescriptors":[{"payloadType":"SIMPLE"}],
 "intervals":[{"id":0,"payloads":[{"type":"SIMPLE","values":[1]}]}]}`

func parseEvent(t *testing.T, s string) *openadr.Event {
	t.Helper()
	var e openadr.Event
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		t.Fatal(err)
	}
	e.ID = "ev1"
	return &e
}

var testProgram = &openadr.ProgramConfig{Name: "p", Sites: []string{"a", "b"}}

func TestMultiValuedPriceSplitsTheInterval(t *testing.T) {
	e := parseEvent(t, userGuideMultiPrice)
	start := time.Date(2025, 6, 25, 0, 0, 0, 0, time.UTC)
	sig, err := openadr.EventSignals(e, nil, testProgram, start, start, "ven")
	if err != nil {
		t.Fatal(err)
	}
	want := []hearth.PricePoint{
		{Start: start, End: start.Add(time.Hour), PerKWh: 0.17, Currency: "USD"},
		{Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), PerKWh: 0.03, Currency: "USD"},
		{Start: start.Add(2 * time.Hour), End: start.Add(3 * time.Hour), PerKWh: 0.11, Currency: "USD"},
	}
	if len(sig.Prices) != 3 || len(sig.Requests) != 0 {
		t.Fatalf("got %+v, want 3 prices", sig)
	}
	for i := range want {
		if sig.Prices[i] != want[i] {
			t.Errorf("price %d = %+v, want %+v", i, sig.Prices[i], want[i])
		}
	}
	// An hour and a half in, the first hour has gone.
	sig, _ = openadr.EventSignals(e, nil, testProgram, start, start.Add(90*time.Minute), "ven")
	if len(sig.Prices) != 2 {
		t.Errorf("got %d prices 90 minutes in, want 2", len(sig.Prices))
	}
}

func TestPricePerMWhIsConvertedToKWh(t *testing.T) {
	e := parseEvent(t, userGuideMultiPrice)
	e.PayloadDescriptors[0].Units = "MWH"
	e.PayloadDescriptors[0].Currency = "EUR"
	start := time.Date(2025, 6, 25, 0, 0, 0, 0, time.UTC)
	sig, err := openadr.EventSignals(e, nil, testProgram, start, start, "ven")
	if err != nil {
		t.Fatal(err)
	}
	if got := sig.Prices[0].PerKWh; got != 0.00017 || sig.Prices[0].Currency != "EUR" {
		t.Errorf("0.17 per MWh gave %v %s per kWh, want 0.00017 EUR", got, sig.Prices[0].Currency)
	}
}

func TestSimpleLevelsFollowTheProgram(t *testing.T) {
	e := parseEvent(t, userGuideSimple)
	start := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	pc := &openadr.ProgramConfig{Sites: []string{"a", "b"}, SimpleLevels: map[int]float64{0: 0, 1: 0.2}}
	sig, err := openadr.EventSignals(e, nil, pc, start, start, "ven")
	if err != nil {
		t.Fatal(err)
	}
	if len(sig.Requests) != 2 || sig.Requests[0].Site != "a" || sig.Requests[1].Site != "b" || sig.Requests[0].ShedFraction != 0.2 {
		t.Fatalf("got %+v, want a 0.2 shed for both sites", sig.Requests)
	}
	e.Intervals[0].Payloads[0].Values = []any{7.0}
	if _, err := openadr.EventSignals(e, nil, pc, start, start, "ven"); hearth.ErrorCode(err) != hearth.EPROTOCOL {
		t.Errorf("level 7 gave %v, want EPROTOCOL", err)
	}
}

func TestUnitsFromTheProgramAndUnknownUnits(t *testing.T) {
	e := parseEvent(t, `{"programID":"p","intervalPeriod":{"start":"2030-01-01T00:00:00Z","duration":"PT1H"},
		"intervals":[{"id":3,"payloads":[{"type":"IMPORT_CAPACITY_LIMIT","values":[800]}]}]}`)
	prog := &openadr.Program{PayloadDescriptors: []openadr.PayloadDescriptor{{PayloadType: "IMPORT_CAPACITY_LIMIT", Units: "W"}}}
	now := time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)
	sig, err := openadr.EventSignals(e, prog, testProgram, now, now, "ven")
	if err != nil || sig.Requests[0].LimitWatts != 800 || sig.Requests[0].ID != "ev1/3" {
		t.Fatalf("got %+v %v, want an 800 W limit from the program's units", sig.Requests, err)
	}
	prog.PayloadDescriptors[0].Units = "HP"
	if _, err := openadr.EventSignals(e, prog, testProgram, now, now, "ven"); hearth.ErrorCode(err) != hearth.EPROTOCOL {
		t.Errorf("horsepower gave %v, want EPROTOCOL", err)
	}
}

func TestIntervalsFollowAndOverride(t *testing.T) {
	e := parseEvent(t, `{"programID":"p","intervalPeriod":{"start":"2030-01-01T00:00:00Z","duration":"PT15M"},
		"intervals":[
		 {"id":10,"payloads":[{"type":"SIMPLE","values":[1]}]},
		 {"id":11,"intervalPeriod":{"start":"0001-01-01T00:00:00Z","duration":"PT30M"},"payloads":[{"type":"SIMPLE","values":[2]}]},
		 {"id":12,"intervalPeriod":{"start":"2030-01-02T00:00:00Z","duration":"P1D"},"payloads":[{"type":"SIMPLE","values":[3]}]},
		 {"id":13,"payloads":[{"type":"SIMPLE","values":[0]}]}]}`)
	ws, err := openadr.Windows(e, time.Time{}, "ven")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	want := [][2]time.Time{
		{t0, t0.Add(15 * time.Minute)},
		{t0.Add(15 * time.Minute), t0.Add(45 * time.Minute)},
		{t0.Add(24 * time.Hour), t0.Add(48 * time.Hour)},
		{t0.Add(48 * time.Hour), t0.Add(48*time.Hour + 15*time.Minute)},
	}
	for i, w := range ws {
		if !w.Start.Equal(want[i][0]) || !w.End.Equal(want[i][1]) {
			t.Errorf("interval %d runs %v–%v, want %v–%v", w.IntervalID, w.Start, w.End, want[i][0], want[i][1])
		}
	}
}

func TestRandomizeStartIsBoundedAndStable(t *testing.T) {
	e := parseEvent(t, `{"programID":"p","intervalPeriod":{"start":"2030-01-01T00:00:00Z","duration":"PT1H","randomizeStart":"PT10M"},
		"intervals":[{"id":0,"payloads":[{"type":"SIMPLE","values":[1]}]},{"id":1,"payloads":[{"type":"SIMPLE","values":[1]}]}]}`)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	offsets := map[time.Duration]bool{}
	for _, ven := range []string{"a", "b", "c", "d", "e"} {
		ws, err := openadr.Windows(e, time.Time{}, ven)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := openadr.Windows(e, time.Time{}, ven)
		off := ws[0].Start.Sub(t0)
		if off < -10*time.Minute || off > 10*time.Minute {
			t.Errorf("VEN %s shifted by %v, beyond ±10m", ven, off)
		}
		if !again[0].Start.Equal(ws[0].Start) || !ws[1].Start.Equal(ws[0].End) {
			t.Errorf("VEN %s: unstable or non-contiguous shift", ven)
		}
		offsets[off] = true
	}
	if len(offsets) < 3 {
		t.Errorf("five VENs got only %d distinct offsets", len(offsets))
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in       string
		want     time.Duration
		infinite bool
	}{
		{"PT15M", 15 * time.Minute, false},
		{"P1D", 24 * time.Hour, false},
		{"PT0S", 0, false},
		{"PT1H30M", 90 * time.Minute, false},
		{"P2W", 14 * 24 * time.Hour, false},
		{"PT0.5S", 500 * time.Millisecond, false},
		{"-PT5M", -5 * time.Minute, false},
		{"P9999Y", 0, true},
	}
	for _, c := range cases {
		d, err := openadr.ParseDuration(c.in)
		if err != nil || d.D != c.want || d.Infinite != c.infinite {
			t.Errorf("ParseDuration(%q) = %+v, %v; want %v infinite=%v", c.in, d, err, c.want, c.infinite)
		}
	}
	for _, bad := range []string{"", "P", "PT", "15M", "PT1.5H", "1D", "PT-5M"} {
		if _, err := openadr.ParseDuration(bad); hearth.ErrorCode(err) != hearth.EPROTOCOL {
			t.Errorf("ParseDuration(%q) = %v, want EPROTOCOL", bad, err)
		}
	}
	for _, d := range []time.Duration{0, time.Second, 15 * time.Minute, 25*time.Hour + 61*time.Second} {
		if got, err := openadr.ParseDuration(openadr.FormatDuration(d)); err != nil || got.D != d {
			t.Errorf("round trip of %v gave %v %v", d, got, err)
		}
	}
}

func TestTargetsOfBothVersions(t *testing.T) {
	var e openadr.Event
	if err := json.Unmarshal([]byte(`{"programID":"p","targets":[{"type":"RESOURCE_NAME","values":["meter-1",2]}]}`), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Targets) != 1 || e.Targets[0].Type != "RESOURCE_NAME" || e.Targets[0].Values[1] != "2" {
		t.Errorf("3.0.1 targets %+v", e.Targets)
	}
	if err := json.Unmarshal([]byte(`{"programID":"p","targets":["group-a","group-b"]}`), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Targets) != 2 || e.Targets[1].Value != "group-b" {
		t.Errorf("3.1.0 targets %+v", e.Targets)
	}
	b, _ := json.Marshal(e.Targets)
	if string(b) != `["group-a","group-b"]` {
		t.Errorf("targets re-encode as %s", b)
	}
}

// An event whose targets name some of the program's sites applies to
// those only, in either version's shape; targets naming none of them (a
// group, a VEN) leave the event to every site.
func TestEventTargetsChooseSites(t *testing.T) {
	start := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, targets string
		want          []string
	}{
		{"3.0.1 resource name", `[{"type":"RESOURCE_NAME","values":["b"]}]`, []string{"b"}},
		{"3.1.0 label", `["a"]`, []string{"a"}},
		{"both named", `["a","b"]`, []string{"a", "b"}},
		{"a group hearth cannot map", `[{"type":"GROUP","values":["north"]}]`, []string{"a", "b"}},
		{"no targets", `[]`, []string{"a", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := parseEvent(t, userGuideSimple)
			if err := json.Unmarshal([]byte(tc.targets), &e.Targets); err != nil {
				t.Fatal(err)
			}
			sig, err := openadr.EventSignals(e, nil, testProgram, start, start, "ven")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range sig.Requests {
				got = append(got, r.Site)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("requests for %v, want %v", got, tc.want)
			}
		})
	}
}

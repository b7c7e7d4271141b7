package openadr_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/openadr"
)

// FuzzEventSignals feeds event JSON (seeded with the User Guide's
// examples) through parsing and mapping: any input gives requests that
// validate, or an error, never a panic.
func FuzzEventSignals(f *testing.F) {
	f.Add([]byte(userGuideSimple))
	f.Add([]byte(userGuideMultiPrice))
	f.Add([]byte(`{"programID":"1","intervalPeriod":{"start":"0001-01-01T00:00:00Z","duration":"P9999Y"},"intervals":[{"id":0,"payloads":[{"type":"ALERT_GRID_EMERGENCY","values":["now"]}]}]}`))
	f.Add([]byte(`{"programID":"1","duration":"PT30M","intervalPeriod":{"start":"2025-01-01T00:00:00Z","duration":"PT1H","randomizeStart":"PT5M"},"payloadDescriptors":[{"payloadType":"IMPORT_CAPACITY_LIMIT","units":"MW"}],"intervals":[{"id":1,"payloads":[{"type":"IMPORT_CAPACITY_LIMIT","values":[1,2]}]},{"id":2,"intervalPeriod":{"start":"0001-01-01"},"payloads":[{"type":"DISPATCH_SETPOINT","values":[{"x":1,"y":2}]}]}]}`))
	f.Add([]byte(`{"programID":"1","targets":[{"type":"GROUP","values":["a"]}],"intervals":[{"id":0,"payloads":[{"type":"SIMPLE","values":[3]}]}]}`))
	seen := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var e openadr.Event
		if json.Unmarshal(data, &e) != nil {
			return
		}
		e.ID = "fuzz"
		sig, err := openadr.EventSignals(&e, nil, testProgram, seen, seen, "ven")
		if err != nil {
			return
		}
		for i := range sig.Requests {
			if err := sig.Requests[i].Validate(); err != nil {
				t.Fatalf("request %+v does not validate: %v", sig.Requests[i], err)
			}
		}
	})
}

// FuzzParseDuration checks that any string parses to a duration or an
// EPROTOCOL error, and that finite results round-trip.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT15M", "P1D", "PT0S", "P9999Y", "PT4H", "PT1H30M", "P2W", "-PT5M", "PT0.5S", "P1Y2M3DT4H5M6.7S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := openadr.ParseDuration(s)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EPROTOCOL {
				t.Fatalf("ParseDuration(%q) error %v is not EPROTOCOL", s, err)
			}
			return
		}
		if d.Infinite {
			return
		}
		back, err := openadr.ParseDuration(openadr.FormatDuration(d.D))
		if err != nil || back.D-d.D > time.Microsecond || d.D-back.D > time.Microsecond {
			t.Fatalf("%q = %v does not round-trip: %v %v", s, d.D, back, err)
		}
	})
}

// FuzzParseNotification checks the webhook's parser on any body.
func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(`{"objectType":"EVENT","operation":"CREATE","object":` + userGuideSimple + `}`))
	f.Add([]byte(`{"objectType":"PROGRAM","operation":"PUT","object":{"programName":"ResTOU"},"targets":[{"type":"GROUP","values":["a"]}]}`))
	f.Add([]byte(`{"objectType":"EVENT","operation":"DELETE","object":{"id":"1"},"targets":["t"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := openadr.ParseNotification(data)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EPROTOCOL {
				t.Fatalf("error %v is not EPROTOCOL", err)
			}
			return
		}
		if !n.ObjectType.Valid() || len(n.Object) == 0 {
			t.Fatalf("accepted %+v", n)
		}
	})
}

// FuzzConfigFromProgram feeds program settings (seeded with the documented
// example) through ConfigFromProgram: any input gives a configuration a
// VEN accepts or an EINVALID error that never shows the secret.
func FuzzConfigFromProgram(f *testing.F) {
	f.Add([]byte(`{"url":"https://vtn.example.com/openadr3/3.1.0","version":"3.1.0","client_id":"hearth-barn","ven_name":"hearth-barn","poll_interval":"1m","programs":[{"name":"DR-Summer","simple_levels":{"1":0.5,"2":1}}]}`))
	f.Add([]byte(`{"url":"http://127.0.0.1:8080","version":"3.0.1","client_id":"c","callback_url":"https://hearth.example/api/v1/power/webhooks/grid","sample_interval":"5s","programs":[{"id":"42"}]}`))
	f.Add([]byte(`{"url":"https://v","version":"3.1.0","client_id":"c","programs":[{"name":"a"},{"name":"a"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, settings []byte) {
		p := &hearth.PowerProgram{Name: "grid", Kind: hearth.ProgramOpenADR, Sites: []string{"barn"}, Settings: settings, Secret: "fuzz-secret-value"}
		cfg, sample, err := openadr.ConfigFromProgram(p)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID || strings.Contains(err.Error(), p.Secret) {
				t.Fatalf("error %v: want EINVALID without the secret", err)
			}
			return
		}
		if sample <= 0 || len(cfg.Programs) == 0 {
			t.Fatalf("config %v sample %s", cfg, sample)
		}
		if _, err := openadr.New(cfg); err != nil {
			t.Fatalf("a config ConfigFromProgram accepted is refused by New: %v", err)
		}
	})
}

package aggregate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
)

// FuzzDecodeAnswer feeds the child's parser of an aggregator's answer: it
// must return targets that pass validation or a hearth error, never panic.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"targets":[{"site":"garage","kind":"limit","limit_w":3000,"shed_fraction":0.5,"start":"2026-03-01T12:00:00Z","until":"2026-03-01T13:00:00Z","reason":"aggregate fleet: override o1"}]}`))
	f.Add([]byte(`{"targets":[{"site":"garage","kind":"resume","start":"2026-03-01T12:00:00Z"}]}`))
	f.Add([]byte(`{"targets":[]}`))
	f.Add([]byte(`{"targets":[{"site":"","kind":"shed"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := aggregate.DecodeAnswer(data)
		if err != nil {
			if hearth.ErrorCode(err) == hearth.EINTERNAL {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("decoded answer does not validate: %v", err)
		}
	})
}

// FuzzReport feeds the aggregator a child's report body: it is refused with
// a hearth error or taken, never a panic, and a taken one yields one
// target per reported site.
func FuzzReport(f *testing.F) {
	f.Add([]byte(`{"child":"garage","aggregate":"fleet","sites":[{"site":"garage","flexible_w":3000,"fixed_w":100,"measured_w":3100,"planned_w":3100,"state":"free"}],"at":"2026-03-01T12:00:00Z"}`))
	f.Add([]byte(`{"aggregate":"fleet","sites":[{"site":"a","state":"unknown"},{"site":"b","flexible_w":1e308,"fixed_w":1e308,"state":"short"}]}`))
	f.Add([]byte(`{"aggregate":"other","sites":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r aggregate.Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		a := &aggregate.Aggregator{Sites: []string{"fleet"}, Requests: fuzzRequests{}}
		ans, err := a.Report(context.Background(), "garage", &r)
		if err != nil {
			if hearth.ErrorCode(err) == hearth.EINTERNAL {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		if len(ans.Targets) != len(r.Sites) {
			t.Fatalf("%d targets for %d sites", len(ans.Targets), len(r.Sites))
		}
		if err := ans.Validate(); err != nil {
			t.Fatalf("the aggregator answered what a child refuses: %v", err)
		}
	})
}

// fuzzRequests holds one limit on fleet.
type fuzzRequests struct{ hearth.PowerRequestService }

func (fuzzRequests) FindPowerRequests(context.Context, hearth.PowerRequestFilter) ([]*hearth.PowerRequest, error) {
	return []*hearth.PowerRequest{{ID: "o1", Source: hearth.SourceOverride, Site: "fleet", Kind: hearth.RequestLimit, LimitWatts: 1000, Start: t0}}, nil
}

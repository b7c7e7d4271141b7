package metrics_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

// The power controller's target, measured and planned power are charted
// per site; a site released from its limit has no target from then on.
func TestRecordSitePower(t *testing.T) {
	s, _ := openStore(t, metrics.Options{Job: "hearth"})
	ctx := context.Background()
	for i, target := range []float64{8000, 8000, math.NaN()} {
		if err := s.RecordSitePower(ctx, "barn", t0.Add(time.Duration(i)*5*time.Second), target, 8100-float64(i)*100, 7990); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		q    string
		at   time.Time
		want float64
		none bool
	}{
		{q: `hearth_site_power_target_watts{site="barn"}`, at: t0.Add(5 * time.Second), want: 8000},
		{q: `hearth_site_power_watts{site="barn"}`, at: t0.Add(10 * time.Second), want: 7900},
		{q: `hearth_site_power_planned_watts{site="barn",job="hearth"}`, at: t0.Add(10 * time.Second), want: 7990},
		{q: `hearth_site_power_target_watts{site="barn"}`, at: t0.Add(10 * time.Second), none: true},
	} {
		res, err := s.Query(ctx, tc.q, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.none && len(res.Vector) != 0:
			t.Errorf("%s at %v: %v, want no sample after the release", tc.q, tc.at, res.Vector)
		case !tc.none && (len(res.Vector) != 1 || res.Vector[0].Value != tc.want):
			t.Errorf("%s at %v: %v, want %v", tc.q, tc.at, res.Vector, tc.want)
		}
	}
}

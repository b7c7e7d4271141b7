package simtest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// recorder is a testing.TB that records failures instead of failing, so
// that the checks' own failures can be tested.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := simtest.NewClock(start)
	if !c.Now().Equal(start) {
		t.Errorf("now %v, want %v", c.Now(), start)
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(start); got != 90*time.Second {
		t.Errorf("advanced by %v", got)
	}
}

func TestCheckVerbsTested(t *testing.T) {
	declared := []hearth.Capability{hearth.CapTelemetry, hearth.CapPower, hearth.CapReboot, hearth.CapPause}
	for _, tc := range []struct {
		name   string
		tested []hearth.Capability
		want   string // in the failure; "" for none
	}{
		{"exact", []hearth.Capability{hearth.CapPause, hearth.CapReboot}, ""},
		{"untested", []hearth.Capability{hearth.CapReboot}, "declared verb pause is not tested"},
		{"undeclared", []hearth.Capability{hearth.CapReboot, hearth.CapPause, hearth.CapLogs}, "verbs tested but not declared: map[logs:true]"},
	} {
		r := &recorder{TB: t}
		simtest.CheckVerbsTested(r, declared, tc.tested...)
		if tc.want == "" && len(r.errors) != 0 || tc.want != "" && (len(r.errors) != 1 || !strings.Contains(r.errors[0], tc.want)) {
			t.Errorf("%s: failures %q, want %q", tc.name, r.errors, tc.want)
		}
	}
}

func TestStartAndModel(t *testing.T) {
	clock := simtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := simtest.Start(t, sim.Config{Miners: 1, Seed: 1, Models: []string{sim.ModelS21}, Now: clock.Now})
	mi := s.Miners()[0]
	spec := simtest.Model(t, sim.ModelS21)
	if mi.ModelShort != spec.Short || mi.Model != spec.Name || spec.HashRate == 0 {
		t.Errorf("miner %+v, model %+v", mi, spec)
	}
}

func TestRetryUntilBack(t *testing.T) {
	calls := 0
	err := simtest.RetryUntilBack(func() error {
		calls++
		if calls < 3 {
			return hearth.Errorf(hearth.EUNAVAILABLE, "down")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("%d calls, %v", calls, err)
	}
	calls = 0
	auth := hearth.Errorf(hearth.EAUTH, "wrong password")
	if err := simtest.RetryUntilBack(func() error { calls++; return auth }); !errors.Is(err, auth) || calls != 1 {
		t.Errorf("EAUTH retried: %d calls, %v", calls, err)
	}
}

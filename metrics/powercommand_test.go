package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

// A power command is a sample holding its own time, so that a rule can ask
// whether hearth changed a miner's power in the last minutes.
func TestRecordPowerCommand(t *testing.T) {
	s, _ := openStore(t, metrics.Options{Job: "hearth"})
	ctx := context.Background()
	at := t0.Add(90 * time.Second)
	if err := s.RecordPowerCommand(ctx, "m1", at); err != nil {
		t.Fatal(err)
	}
	q := `hearth_power_command_timestamp_seconds{job="hearth",miner="m1"} > time() - 300`
	res, err := s.Query(ctx, q, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Vector) != 1 || res.Vector[0].Value != float64(at.Unix()) {
		t.Fatalf("%s two minutes later: %v, want %d", q, res.Vector, at.Unix())
	}
	if res, err = s.Query(ctx, q, at.Add(6*time.Minute)); err != nil || len(res.Vector) != 0 {
		t.Fatalf("%s six minutes later: %v, %v; want nothing", q, res.Vector, err)
	}
}

package hearth_test

import (
	"math"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestMaintenanceThresholds_Validate(t *testing.T) {
	if err := hearth.DefaultMaintenanceThresholds.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, change := range map[string]func(*hearth.MaintenanceThresholds){
		"negative chips":   func(th *hearth.MaintenanceThresholds) { th.FailedChips = -1 },
		"no faults":        func(th *hearth.MaintenanceThresholds) { th.Faults = 0 },
		"no window":        func(th *hearth.MaintenanceThresholds) { th.FaultDays = 0 },
		"no rack boards":   func(th *hearth.MaintenanceThresholds) { th.RackBoards = 0 },
		"zero percent":     func(th *hearth.MaintenanceThresholds) { th.RackPercent = 0 },
		"over 100 %":       func(th *hearth.MaintenanceThresholds) { th.RackPercent = 101 },
		"NaN percent":      func(th *hearth.MaintenanceThresholds) { th.RackPercent = math.NaN() },
		"infinite percent": func(th *hearth.MaintenanceThresholds) { th.RackPercent = math.Inf(1) },
	} {
		th := hearth.DefaultMaintenanceThresholds
		change(&th)
		if err := th.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestAlert_Locates(t *testing.T) {
	for _, tt := range []struct {
		annotation, miner string
		want              bool
	}{
		{"true", "m1", true}, {" TRUE ", "m1", true}, {"1", "m1", true},
		{"false", "m1", false}, {"yes", "m1", false}, {"", "m1", false}, {"true", "", false},
	} {
		a := &hearth.Alert{Name: "X", Labels: map[string]string{"miner": tt.miner}, Annotations: map[string]string{hearth.LocateAnnotation: tt.annotation}}
		if got := a.Locates(); got != tt.want {
			t.Errorf("locate %q miner %q: %v, want %v", tt.annotation, tt.miner, got, tt.want)
		}
	}
}

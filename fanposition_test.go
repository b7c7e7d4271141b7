package hearth_test

import (
	"regexp"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestFanName(t *testing.T) {
	for _, tt := range []struct {
		model string
		index int
		want  string
	}{
		// Antminers keep the firmware's 1-based numbers (layout not
		// documented), on every firmware that reports the model.
		{"Antminer S19j Pro", 0, "fan1"},
		{"Antminer S19j Pro", 3, "fan4"},
		{"Antminer S21", 1, "fan2"},
		{"Antminer S21 XP", 2, "fan3"},
		// The hydro model reports no fans; anything it did report is
		// numbered.
		{"Antminer S21 XP Hyd.", 0, "fan1"},
		// Whatsminers name their fans in and out.
		{"Whatsminer M50SVH20", 0, "intake"},
		{"Whatsminer M60SVK40", 1, "exhaust"},
		{"Whatsminer M60SVK40", 2, "fan3"},
		// A Bitaxe's single fan, and AxeOS's second header.
		{"Bitaxe Gamma", 0, "fan"},
		{"Bitaxe Supra", 0, "fan"},
		{"Bitaxe Gamma", 1, "fan2"},
		{"Avalon Nano3", 0, "fan"},
		{"AvalonMiner 1466", 3, "fan4"},
		// Unknown or unidentified models, and a layout overrun.
		{"Antminer S9", 1, "fan2"},
		{"", 0, "fan1"},
		{"Avalon Nano3", 1, "fan2"},
		{"Antminer S21", 7, "fan8"},
		{"Antminer S21", -1, "fan0"},
		// A prefix is a family's, not a substring anywhere.
		{"Not a Whatsminer M50", 0, "fan1"},
	} {
		if got := hearth.FanName(tt.model, tt.index); got != tt.want {
			t.Errorf("FanName(%q, %d) = %q, want %q", tt.model, tt.index, got, tt.want)
		}
	}
}

// Every name of every model hearth knows is a label value a PromQL
// selector can spell without quoting surprises, and no model names two of
// its fans alike (the metrics would merge them).
func TestFanNamesAreLabelSafeAndDistinct(t *testing.T) {
	safe := regexp.MustCompile(`^[a-z][a-z0-9-]{0,23}$`)
	for _, model := range []string{
		"Antminer S19j Pro", "Antminer S21", "Antminer S21 XP", "Antminer S21 XP Hyd.",
		"Whatsminer M50SVH20", "Whatsminer M60SVK40", "Bitaxe Gamma", "Avalon Nano3", "AvalonMiner 1466", "",
	} {
		seen := map[string]int{}
		for i := range 12 {
			name := hearth.FanName(model, i)
			if !safe.MatchString(name) {
				t.Errorf("%q fan %d: name %q is not label-safe", model, i, name)
			}
			if j, dup := seen[name]; dup {
				t.Errorf("%q: fans %d and %d are both %q", model, j, i, name)
			}
			seen[name] = i
		}
	}
}

func TestReadingNameFans(t *testing.T) {
	r := &hearth.Reading{Fans: []hearth.Fan{{Index: 0, RPM: 5400}, {Index: 1, RPM: 0}, {Index: 2, Name: "psu"}}}
	r.NameFans("Whatsminer M50SVH20")
	got := []string{r.Fans[0].Name, r.Fans[1].Name, r.Fans[2].Name}
	want := []string{"intake", "exhaust", "psu"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fan %d named %q, want %q", i, got[i], want[i])
		}
	}
	if r.Fans[0].Index != 0 || r.Fans[1].Index != 1 {
		t.Errorf("NameFans changed the firmware's indexes: %+v", r.Fans)
	}
}

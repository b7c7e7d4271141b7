package antminer

import "strings"

// model is what hearth knows of an Antminer model beyond what the firmware
// reports: its hashboards and chips, to tell a dead board or chip from an
// absent one, and its nameplate efficiency, to estimate power.
type model struct {
	name          string
	boards        int
	chipsPerBoard int
	// joulesPerTH is Bitmain's nameplate efficiency, J/TH (W per TH/s).
	joulesPerTH float64
	// nameplateWatts is Bitmain's rated power at the normal work mode,
	// against which power targets are mapped to modes.
	nameplateWatts float64
}

// models are the models hearth knows, by VERSION Type (cut at " (").
var models = []model{
	{name: "Antminer S19j Pro", boards: 3, chipsPerBoard: 126, joulesPerTH: 29.5, nameplateWatts: 3068},
	{name: "Antminer S21", boards: 3, chipsPerBoard: 108, joulesPerTH: 17.5, nameplateWatts: 3500},
	{name: "Antminer S21 XP", boards: 3, chipsPerBoard: 91, joulesPerTH: 13.5, nameplateWatts: 3645},
	{name: "Antminer S21 XP Hyd.", boards: 3, chipsPerBoard: 160, joulesPerTH: 12.0, nameplateWatts: 5676},
}

// lookupModel returns the model named name (case and surrounding spaces
// ignored), or false.
func lookupModel(name string) (model, bool) {
	name = strings.TrimSpace(name)
	for _, m := range models {
		if strings.EqualFold(m.name, name) {
			return m, true
		}
	}
	return model{}, false
}

// modelName turns a VERSION or STATS Type into hearth's model string: the
// text before " (", as in "Antminer S19j Pro (90T)".
func modelName(typ string) string {
	name, _, _ := strings.Cut(typ, " (")
	return strings.TrimSpace(name)
}

// isHydro reports a water-cooled model ("Hyd." in Bitmain's names). Its fan
// fields are placeholders that read 0.
func isHydro(name string) bool {
	return strings.Contains(name, "Hyd")
}

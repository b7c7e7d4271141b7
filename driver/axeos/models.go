package axeos

import "strings"

// deviceFamily is a Bitaxe product line: what ESP-Miner calls the family
// and /api/system/asic reports as deviceModel.
type deviceFamily struct {
	// name is the firmware's family name: "Gamma", "Hex", "GammaTurbo".
	name string
	// chips is the number of ASICs the board is built with.
	chips int
	// fans is the number of fan tachometers the board reads; the Hex
	// boards carry an EMC2302 with two.
	fans int
}

var (
	familyMax        = deviceFamily{name: "Max", chips: 1, fans: 1}
	familyUltra      = deviceFamily{name: "Ultra", chips: 1, fans: 1}
	familyHex        = deviceFamily{name: "Hex", chips: 6, fans: 2}
	familySupra      = deviceFamily{name: "Supra", chips: 1, fans: 1}
	familyGamma      = deviceFamily{name: "Gamma", chips: 1, fans: 1}
	familyGammaDuo   = deviceFamily{name: "GammaDuo", chips: 2, fans: 1}
	familySupraHex   = deviceFamily{name: "SupraHex", chips: 6, fans: 2}
	familyGammaTurbo = deviceFamily{name: "GammaTurbo", chips: 2, fans: 1}
)

// familiesByName finds a family by deviceModel or by the last word of a
// hearth model string ("Bitaxe Gamma").
var familiesByName = map[string]deviceFamily{}

// familiesByBoard maps the boardVersion every release reports to its family,
// as ESP-Miner's device table (main/device_config.h) assigns them. Firmware
// before v2.9.0 has no /api/system/asic, and the board version is the only
// way to tell a Hex from an Ultra, which share the BM1366.
var familiesByBoard = map[string]deviceFamily{
	"2.2": familyMax, "102": familyMax,
	"0.11": familyUltra, "201": familyUltra, "202": familyUltra, "203": familyUltra,
	"204": familyUltra, "205": familyUltra, "207": familyUltra,
	"302": familyHex, "303": familyHex,
	"400": familySupra, "401": familySupra, "402": familySupra, "403": familySupra,
	"600": familyGamma, "601": familyGamma, "602": familyGamma, "603": familyGamma,
	"650": familyGammaDuo,
	"701": familySupraHex, "702": familySupraHex,
	"801": familyGammaTurbo,
}

// familiesByASIC is the last resort for naming a device: the single-chip
// product each ASIC first shipped in, as hearth's shared model strings fix
// them (BM1370 Gamma, BM1368 Supra, BM1366 Ultra, BM1397 Max).
var familiesByASIC = map[string]deviceFamily{
	"BM1370": familyGamma,
	"BM1368": familySupra,
	"BM1366": familyUltra,
	"BM1397": familyMax,
}

func init() {
	for _, f := range []deviceFamily{familyMax, familyUltra, familyHex, familySupra, familyGamma, familyGammaDuo, familySupraHex, familyGammaTurbo} {
		familiesByName[f.name] = f
	}
}

// modelPrefix starts every hearth model string of this family.
const modelPrefix = "Bitaxe "

// modelName returns hearth's model string for a device: "Bitaxe " and the
// deviceModel from /api/system/asic when there is one, else the family of
// the board version, else the family of the ASIC, else the ASIC itself.
func modelName(deviceModel, boardVersion, asicModel string) string {
	if m := strings.TrimSpace(deviceModel); m != "" {
		return modelPrefix + m
	}
	if f, ok := familiesByBoard[strings.TrimSpace(boardVersion)]; ok {
		return modelPrefix + f.name
	}
	asic := strings.TrimSpace(asicModel)
	if f, ok := familiesByASIC[asic]; ok {
		return modelPrefix + f.name
	}
	if asic == "" {
		return strings.TrimSpace(modelPrefix)
	}
	return modelPrefix + asic
}

// familyOf returns the family of a polled device, from its board version or
// else from the model hearth identified it as. ok is false when neither is
// known.
func familyOf(boardVersion, model string) (deviceFamily, bool) {
	if f, ok := familiesByBoard[strings.TrimSpace(boardVersion)]; ok {
		return f, true
	}
	if name, found := strings.CutPrefix(model, modelPrefix); found {
		f, ok := familiesByName[name]
		return f, ok
	}
	return deviceFamily{}, false
}

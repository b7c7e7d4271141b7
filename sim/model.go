package sim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Model describes one kind of machine the simulator can play: the strings
// its firmware reports and the nameplate figures its physical model starts
// from. The figures are the vendors' nameplate values from the project's
// economics reference, so that what hearth computes from simulated miners
// (efficiency, fleet power) can be checked against known numbers.
type Model struct {
	// Short is the name used in flags and fault specs, e.g. "s21".
	Short string `json:"short"`
	// Name is the model string exactly as the firmware reports it:
	// VERSION[0].Type for Antminers, "Bitaxe " + deviceModel for AxeOS,
	// PROD cut at '-' (or "Avalon " + MODEL where PROD is a bare
	// "AvalonNano") for Avalons, and "Whatsminer " + the model code without "_" and with its last digit 0
	// for btminer (pyasic's normalisation of "M60S_VK43").
	Name   string        `json:"name"`
	Family hearth.Family `json:"family"`
	// HashRate is the nameplate hash rate in hashes per second.
	HashRate float64 `json:"hashrate_hs"`
	// Power is the nameplate wall power in watts at that hash rate.
	Power float64 `json:"power_w"`
	// Boards is the number of hash boards; ChipsPerBoard the ASICs on each.
	Boards        int `json:"boards"`
	ChipsPerBoard int `json:"chips_per_board"`
	// Fans is the number of fans the firmware reports; a hydro-cooled
	// model reports its fan slots at 0 RPM.
	Fans  int  `json:"fans"`
	Hydro bool `json:"hydro,omitempty"`

	// Firmware details that are not part of the public description.
	frequency   float64 // nominal chip clock, MHz
	groupSize   int     // chips per group in the chain_acs string
	poolDiff    float64 // difficulty the simulated pool assigns
	minerVer    string  // VERSION[0].Miner (Antminer), AxeOS version, VNish fw_version, UMC Software
	compileTime string  // VERSION[0].CompileTime; VNish build_time
	fsVersion   string  // get_system_info system_filesystem_version
	serialCode  string  // middle part of the serial number
	luxVer      string  // LuxOS: VERSION[0].LUXminer
	// whatsminerV3 is true for btminer firmware that serves API v3.
	whatsminerV3 bool
	// bos is the Braiins OS build the model runs; nil on other firmwares.
	bos *bosFirmware
	// avalon holds the strings and work levels of Canaan's firmware; nil
	// for other families.
	avalon *avalonSpec
	// Whatsminer (btminer) details: the model code the firmware reports
	// (DEVDETAILS Model, get.device.info miner.type), the API version,
	// the power limit it ships with (W) and the hash-board code.
	wmCode       string
	wmAPI        string
	wmPowerLimit int
	wmBoard      string
}

// JoulesPerTH returns the nameplate efficiency in joules per terahash.
func (m Model) JoulesPerTH() float64 { return m.Power / (m.HashRate / 1e12) }

// Short model names accepted by Config.Models, Config.Mix and ParseMix.
const (
	ModelS19jPro     = "s19jpro"
	ModelS21         = "s21"
	ModelS21XP       = "s21xp"
	ModelS21XPHyd    = "s21xphyd"
	ModelBitaxeGamma = "bitaxe-gamma"
	// ModelS21LuxOS is an Antminer S21 running LuxOS. It is not in the
	// default mix; Config.Models or Config.Mix brings it in.
	ModelS21LuxOS = "s21-luxos"
	// ModelS19jProBOS is an Antminer S19j Pro running Braiins OS 24.09
	// (gRPC API 1.3.0, no REST API) and ModelS21BOS an Antminer S21 on
	// Braiins OS 25.07 (gRPC API 1.7.0 and the REST API). Neither is in
	// the default mix.
	ModelS19jProBOS = "s19jpro-bos"
	ModelS21BOS     = "s21-bos"
	// ModelAvalonA1466 is a Canaan AvalonMiner 1466 (A14 class, three
	// hash boards, older "MM ID0" stats layout) and ModelAvalonNano3 an
	// Avalon Nano 3 home heater (one board, heater work levels, newer
	// "MM ID0:Summary" layout). Neither is in the default mix.
	ModelAvalonA1466 = "avalon-a1466"
	ModelAvalonNano3 = "avalon-nano3"
	// ModelS19jProVNish is an Antminer S19j Pro running VNish (AnthillOS).
	// It is not in the default mix.
	ModelS19jProVNish = "s19jpro-vnish"
	// ModelS19jProEPIC is an Antminer S19j Pro running ePIC's UMC
	// (PowerPlay) firmware. It is not in the default mix.
	ModelS19jProEPIC = "s19jpro-epic"
	// ModelM50S is a Whatsminer M50S with btminer firmware from before
	// 2024-11: API v2 on the RPC port only. Not in the default mix.
	ModelM50S = "m50s"
	// ModelM60S is a Whatsminer M60S with 2025 btminer firmware: API v3
	// on the second-API port, the RPC port closed. Not in the default mix.
	ModelM60S = "m60s"
)

// models is the table of simulated models, in the order of the default mix.
//
// Pool difficulties are chosen so that every model finds one to three shares
// a second: shares/s = hash rate / (difficulty × 2^32). That keeps share
// counters moving fast enough that a reject ratio can be measured over a
// 30 s window, as hearth's alert rules do.
var models = []*Model{
	{
		Short: ModelS19jPro, Name: "Antminer S19j Pro", Family: hearth.FamilyAntminer,
		HashRate: 104e12, Power: 3068, Boards: 3, ChipsPerBoard: 126, Fans: 4,
		frequency: 545, groupSize: 3, poolDiff: 8192,
		minerVer: "49.0.1.3", compileTime: "Thu Nov 24 11:06:42 CST 2022",
		fsVersion: "FR-1.3(221124-S19JPRO)", serialCode: "JYZZ",
	},
	{
		Short: ModelS21, Name: "Antminer S21", Family: hearth.FamilyAntminer,
		HashRate: 200e12, Power: 3500, Boards: 3, ChipsPerBoard: 108, Fans: 4,
		frequency: 490, groupSize: 3, poolDiff: 16384,
		minerVer: "58.0.1.3", compileTime: "Thu Oct  9 18:55:45 CST 2025",
		fsVersion: "FR-1.12(251009-S21)", serialCode: "THQI",
	},
	{
		Short: ModelS21XP, Name: "Antminer S21 XP", Family: hearth.FamilyAntminer,
		HashRate: 270e12, Power: 3645, Boards: 3, ChipsPerBoard: 91, Fans: 4,
		frequency: 490, groupSize: 7, poolDiff: 32768,
		minerVer: "69.0.1.3", compileTime: "Mon Jun 23 14:21:08 CST 2025",
		fsVersion: "FR-1.8(250623-S21XP)", serialCode: "SMXP",
	},
	{
		Short: ModelS21XPHyd, Name: "Antminer S21 XP Hyd.", Family: hearth.FamilyAntminer,
		HashRate: 473e12, Power: 5676, Boards: 3, ChipsPerBoard: 160, Fans: 4, Hydro: true,
		frequency: 495, groupSize: 8, poolDiff: 65536,
		minerVer: "71.0.1.3", compileTime: "Thu Jan  8 15:44:15 CST 2026",
		fsVersion: "FR-1.2(260108-S21XPHYD)", serialCode: "HYXP",
	},
	{
		Short: ModelS21LuxOS, Name: "Antminer S21", Family: hearth.FamilyLuxOS,
		HashRate: 200e12, Power: 3500, Boards: 3, ChipsPerBoard: 108, Fans: 4,
		frequency: 490, groupSize: 3, poolDiff: 16384,
		minerVer: "2025.4.8.220305", compileTime: "Tue Apr  8 22:05:35 UTC 2025",
		luxVer: "2025.4.8.220305-57b389c7", serialCode: "THQI",
	},
	{
		Short: ModelS19jProBOS, Name: "Antminer S19j Pro", Family: hearth.FamilyBraiins,
		HashRate: 104e12, Power: 3068, Boards: 3, ChipsPerBoard: 126, Fans: 4,
		frequency: 545, groupSize: 3, poolDiff: 8192, serialCode: "JYZZ",
		bos: &bosS19jPro2409,
	},
	{
		Short: ModelS21BOS, Name: "Antminer S21", Family: hearth.FamilyBraiins,
		HashRate: 200e12, Power: 3500, Boards: 3, ChipsPerBoard: 108, Fans: 4,
		frequency: 490, groupSize: 3, poolDiff: 16384, serialCode: "THQI",
		bos: &bosS212507,
	},
	{
		// 150 TH/s at 3,230 W (21.5 J/TH): Canaan's A1466 data sheet;
		// 120 chips per board as in the A1246 capture's PVT_T lists.
		Short: ModelAvalonA1466, Name: "AvalonMiner 1466", Family: hearth.FamilyAvalon,
		HashRate: 150e12, Power: 3230, Boards: 3, ChipsPerBoard: 120, Fans: 4,
		frequency: 500, groupSize: 1, poolDiff: 16384,
		avalon: &avalonA1466,
	},
	{
		// 4 TH/s at 140 W in its High level (the reference's unverified
		// official figure); 10 chips and one fan as in pyasic's model.
		Short: ModelAvalonNano3, Name: "Avalon Nano3", Family: hearth.FamilyAvalon,
		HashRate: 4e12, Power: 140, Boards: 1, ChipsPerBoard: 10, Fans: 1,
		frequency: 500, groupSize: 1, poolDiff: 512,
		avalon: &avalonNano3,
	},
	{
		// VNish names the machine as Bitmain does ("miner" in /info) and
		// itself "Vnish" with its release in fw_version.
		Short: ModelS19jProVNish, Name: "Antminer S19j Pro", Family: hearth.FamilyVNish,
		HashRate: 104e12, Power: 3068, Boards: 3, ChipsPerBoard: 126, Fans: 4,
		frequency: 545, groupSize: 3, poolDiff: 8192,
		minerVer: "1.2.6", compileTime: "2024-11-18 12:00:00", serialCode: "JYZZ",
	},
	{
		// UMC reports the model in /capabilities with Bitmain's old
		// spelling ("AntMiner S19j Pro"), which hearth normalises; Name
		// is what hearth identifies.
		Short: ModelS19jProEPIC, Name: "Antminer S19j Pro", Family: hearth.FamilyEPIC,
		HashRate: 104e12, Power: 3068, Boards: 3, ChipsPerBoard: 126, Fans: 4,
		frequency: 545, groupSize: 3, poolDiff: 8192,
		minerVer: "PowerPlay-BMS v1.5.13", serialCode: "JYZZ",
	},
	{
		// M50S: 126 TH/s at 26 J/TH (MicroBT's M50S rating); Name is
		// hearth's model string for the code "M50S_VH20".
		Short: ModelM50S, Name: "Whatsminer M50SVH20", Family: hearth.FamilyWhatsminer,
		HashRate: 126e12, Power: 3276, Boards: 3, ChipsPerBoard: 105, Fans: 2,
		frequency: 570, groupSize: 5, poolDiff: 16384, minerVer: "20240624.18.REL", serialCode: "HM5C",
		wmCode: "M50S_VH20", wmAPI: "2.0.5", wmPowerLimit: 3600, wmBoard: "H20",
	},
	{
		// M60S: 186 TH/s at 18.5 J/TH; board and chip counts as in the
		// captured M60S_VK40 get.device.info and edevs.
		Short: ModelM60S, Name: "Whatsminer M60SVK40", Family: hearth.FamilyWhatsminer,
		HashRate: 186e12, Power: 3441, Boards: 3, ChipsPerBoard: 75, Fans: 2,
		frequency: 625, groupSize: 5, poolDiff: 32768, minerVer: "20251209.16.Rel2", serialCode: "HS40",
		wmCode: "M60S_VK40", wmAPI: "3.0.2", wmPowerLimit: 3600, wmBoard: "K40",
		whatsminerV3: true,
	},
	{
		Short: ModelBitaxeGamma, Name: "Bitaxe Gamma", Family: hearth.FamilyAxeOS,
		// 600 MHz × 2,040 small cores: the 1.2 TH/s of the data
		// sheet, as the firmware's expectedHashrate computes it.
		HashRate: 1.224e12, Power: 17, Boards: 1, ChipsPerBoard: 1, Fans: 1,
		frequency: 600, groupSize: 1, poolDiff: 128,
		minerVer: "v2.9.0",
	},
}

// defaultMix is the share of each model in a fleet when Config.Mix is empty.
var defaultMix = map[string]float64{
	ModelS19jPro:     25,
	ModelS21:         25,
	ModelS21XP:       25,
	ModelS21XPHyd:    10,
	ModelBitaxeGamma: 15,
}

// KnownModels returns the models the simulator can play, for help texts and
// for tests that need the nameplate figures.
func KnownModels() []Model {
	out := make([]Model, len(models))
	for i, m := range models {
		out[i] = *m
	}
	return out
}

// DefaultMix returns the default weight of each model, by short name.
func DefaultMix() map[string]float64 {
	out := make(map[string]float64, len(defaultMix))
	for k, v := range defaultMix {
		out[k] = v
	}
	return out
}

func modelByShort(short string) *Model {
	for _, m := range models {
		if m.Short == short {
			return m
		}
	}
	return nil
}

func knownShortNames() string {
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = m.Short
	}
	return strings.Join(names, ", ")
}

// ParseMix parses a model mix such as "s21=50,bitaxe-gamma=50" into weights
// by short model name. A bare name ("s21,s19jpro") has weight 1, so a plain
// list means an even split. Weights need not add up to anything; they are
// relative.
func ParseMix(spec string) (map[string]float64, error) {
	out := map[string]float64{}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return out, nil
	}
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		name, weightText, hasWeight := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("model mix item %d %q: model name missing", i+1, item)
		}
		if modelByShort(name) == nil {
			return nil, fmt.Errorf("model mix item %d %q: unknown model %q (known: %s)", i+1, item, name, knownShortNames())
		}
		weight := 1.0
		if hasWeight {
			w, err := strconv.ParseFloat(strings.TrimSpace(weightText), 64)
			if err != nil || w < 0 || w != w || w > 1e9 {
				return nil, fmt.Errorf("model mix item %d %q: weight must be a number between 0 and 1e9", i+1, item)
			}
			weight = w
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("model mix item %d %q: model %q given twice", i+1, item, name)
		}
		out[name] = weight
	}
	return out, nil
}

// mixTable is the cumulative distribution the fleet is drawn from.
type mixTable struct {
	models []*Model
	cum    []float64 // cumulative weights normalised to end at 1
}

// newMixTable combines the configured weights and the model restriction.
func newMixTable(mix map[string]float64, only []string) (mixTable, error) {
	weights := mix
	if len(weights) == 0 {
		weights = defaultMix
	}
	for name := range weights {
		if modelByShort(name) == nil {
			return mixTable{}, fmt.Errorf("model mix: unknown model %q (known: %s)", name, knownShortNames())
		}
	}
	allowed := map[string]bool{}
	for _, name := range only {
		if modelByShort(name) == nil {
			return mixTable{}, fmt.Errorf("models: unknown model %q (known: %s)", name, knownShortNames())
		}
		allowed[name] = true
	}
	var t mixTable
	var total float64
	for _, m := range models {
		w := weights[m.Short]
		if len(allowed) > 0 {
			if !allowed[m.Short] {
				continue
			}
			if w <= 0 {
				w = 1 // restricting to a model the mix leaves out still means "use it"
			}
		}
		if w <= 0 {
			continue
		}
		total += w
		t.models = append(t.models, m)
		t.cum = append(t.cum, total)
	}
	if total <= 0 {
		return mixTable{}, fmt.Errorf("model mix: no model has a positive weight")
	}
	for i := range t.cum {
		t.cum[i] /= total
	}
	return t, nil
}

// pick returns the model for a uniform draw u in [0,1).
func (t mixTable) pick(u float64) *Model {
	i := sort.SearchFloat64s(t.cum, u)
	for i < len(t.cum) && t.cum[i] <= u {
		i++
	}
	if i >= len(t.models) {
		i = len(t.models) - 1
	}
	return t.models[i]
}

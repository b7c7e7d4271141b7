package econ

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// Source is where a heat pump takes its heat from.
type Source string

// The heat pump sources the planner models.
const (
	SourceAir    Source = "air"
	SourceGround Source = "ground"
	SourceWater  Source = "water"
)

// Sources lists the heat pump sources in the order reports show them.
var Sources = []Source{SourceAir, SourceGround, SourceWater}

// ParseSource returns the Source named s.
func ParseSource(s string) (Source, error) {
	for _, src := range Sources {
		if string(src) == s {
			return src, nil
		}
	}
	return "", hearth.Errorf(hearth.EINVALID, "unknown heat pump source %q (want air, ground or water)", s)
}

// Quality is the Carnot efficiency factor η (the "quality grade") typical of
// each source: 0.40 air, 0.55 ground (brine), 0.50 ground water (oemof-thermal,
// VDE ETG 2015). η = 0.40 reproduces a real air-to-water data book within 5 %.
func (s Source) Quality() float64 {
	switch s {
	case SourceGround:
		return 0.55
	case SourceWater:
		return 0.50
	default:
		return 0.40
	}
}

// Temperature returns the temperature the heat pump draws from, in °C, on an
// hour whose outdoor air is outdoorC: the air itself; brine at 0 °C for ground
// (the EN 14511 B0 rating point); 5 °C for ground water (10 °C water less a
// 5 K exchanger drop, as when2heat models it).
func (s Source) Temperature(outdoorC float64) float64 {
	switch s {
	case SourceGround:
		return 0
	case SourceWater:
		return 5
	default:
		return outdoorC
	}
}

// COPModel gives a heat pump's coefficient of performance when it lifts heat
// from sourceC to sinkC (°C).
type COPModel interface {
	COP(sourceC, sinkC float64) float64
}

// CarnotCOP returns η·T_H/(T_H − T_C) with temperatures in °C turned to
// kelvin: the ideal heating COP scaled by the quality grade η.
func CarnotCOP(sinkC, sourceC, eta float64) float64 {
	th := sinkC + 273.15
	lift := th - (sourceC + 273.15)
	if lift <= 0 {
		return math.Inf(1)
	}
	return eta * th / lift
}

// Carnot is the Carnot model with a quality grade, an icing penalty for air
// sources below a threshold, and a clamp to [1, Max].
type Carnot struct {
	// Eta is the quality grade η.
	Eta float64
	// IcingFactor multiplies the COP when the source is below IcingBelowC
	// (oemof's defrost loss; 0.8 in the German when2heat-based dataset).
	// Zero means no icing penalty.
	IcingFactor float64
	// IcingBelowC is the source temperature below which icing applies.
	IcingBelowC float64
	// Max caps the COP (tiny lifts make Carnot explode); zero means 7.
	Max float64
}

// CarnotFor returns the Carnot model the planner uses for source s: its
// quality grade, a 20 % defrost loss below 2 °C for air, capped at 7.
func CarnotFor(s Source) Carnot {
	c := Carnot{Eta: s.Quality(), Max: 7}
	if s == SourceAir {
		c.IcingFactor, c.IcingBelowC = 0.8, 2
	}
	return c
}

// COP implements COPModel: clamp(η·T_H/(T_H−T_C)·f_icing, 1, Max).
func (c Carnot) COP(sourceC, sinkC float64) float64 {
	cop := CarnotCOP(sinkC, sourceC, c.Eta)
	if c.IcingFactor > 0 && sourceC < c.IcingBelowC {
		cop *= c.IcingFactor
	}
	return clampCOP(cop, c.Max)
}

// Quadratic is an empirical regression COP = A0 + A1·ΔT + A2·ΔT² in the
// lift ΔT = sink − source (K), times Correction, clamped to [1, 7].
type Quadratic struct {
	A0, A1, A2 float64
	// MinLift clips ΔT from below (when2heat uses 15 K); zero means none.
	MinLift float64
	// Correction multiplies the result; zero means 1.
	Correction float64
}

// COP implements COPModel.
func (q Quadratic) COP(sourceC, sinkC float64) float64 {
	dt := sinkC - sourceC
	if dt < q.MinLift {
		dt = q.MinLift
	}
	cop := q.A0 + q.A1*dt + q.A2*dt*dt
	if q.Correction != 0 {
		cop *= q.Correction
	}
	return clampCOP(cop, 7)
}

// Staffell returns the Staffell et al. 2012 regression for source s (the one
// PyPSA-Eur uses for decentral heat pumps): air 6.81 − 0.121ΔT +
// 0.000630ΔT², ground 8.77 − 0.150ΔT + 0.000734ΔT². It has no water-source
// fit; water uses the ground one.
func Staffell(s Source) Quadratic {
	if s == SourceAir {
		return Quadratic{A0: 6.81, A1: -0.121, A2: 0.000630}
	}
	return Quadratic{A0: 8.77, A1: -0.150, A2: 0.000734}
}

// When2Heat returns the when2heat regression (Ruhnau et al. 2019, MIT) for
// source s at commit b2cc81e: ΔT clipped at 15 K, times its 0.85 field
// correction.
func When2Heat(s Source) Quadratic {
	switch s {
	case SourceGround:
		return Quadratic{A0: 10.29, A1: -0.2084, A2: 0.001322, MinLift: 15, Correction: 0.85}
	case SourceWater:
		return Quadratic{A0: 9.99, A1: -0.2049, A2: 0.001249, MinLift: 15, Correction: 0.85}
	default:
		return Quadratic{A0: 6.08, A1: -0.0941, A2: 0.000464, MinLift: 15, Correction: 0.85}
	}
}

// Resistive is a resistive heater (or a miner): every watt becomes a watt
// of heat, COP 1 whatever the temperatures.
type Resistive struct{}

// COP implements COPModel.
func (Resistive) COP(sourceC, sinkC float64) float64 { return 1 }

// ParseCOPModel returns the named model ("carnot", "staffell", "when2heat")
// for source s.
func ParseCOPModel(name string, s Source) (COPModel, error) {
	switch name {
	case "carnot", "":
		return CarnotFor(s), nil
	case "staffell":
		return Staffell(s), nil
	case "when2heat":
		return When2Heat(s), nil
	}
	return nil, hearth.Errorf(hearth.EINVALID, "unknown COP model %q (want carnot, staffell or when2heat)", name)
}

// Emitter is how a home distributes heat, which sets the flow temperature
// a heat pump must reach.
type Emitter string

// The emitters the planner knows, with when2heat's heating curves.
const (
	EmitterFloor    Emitter = "floor"
	EmitterRadiator Emitter = "radiator"
)

// FlowTemperature returns the flow temperature in °C on an hour whose outdoor
// air is outdoorC: floor heating 30 − 0.5·T, radiators 40 − T (when2heat's
// heating curves).
func (e Emitter) FlowTemperature(outdoorC float64) float64 {
	if e == EmitterRadiator {
		return 40 - outdoorC
	}
	return 30 - 0.5*outdoorC
}

// ParseEmitter returns the Emitter named s.
func ParseEmitter(s string) (Emitter, error) {
	switch Emitter(s) {
	case EmitterFloor, EmitterRadiator:
		return Emitter(s), nil
	}
	return "", hearth.Errorf(hearth.EINVALID, "unknown emitter %q (want floor or radiator)", s)
}

// HotWaterC is the sink temperature of domestic hot water.
const HotWaterC = 50

func clampCOP(cop, max float64) float64 {
	if max == 0 {
		max = 7
	}
	if math.IsNaN(cop) || cop < 1 {
		return 1
	}
	if cop > max {
		return max
	}
	return cop
}

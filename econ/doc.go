// Package econ is hearth's planner arithmetic: what a miner earns, what its
// heat costs next to a heat pump's, when it pays back, how the answer moves
// with the Bitcoin price and the network difficulty, and how it would have
// fared over history.
//
// Everything here is a pure, deterministic function of its inputs (the Monte
// Carlo takes an explicit seed), so the same figures come out of the CLI, the
// server and the tests. Units are the ones the trade quotes: TH/s, W, J/TH,
// USD, kWh, °C; a field's name says its unit when it is not one of those.
// The formulas follow the project's reference "economics-and-heat.md"; each
// function's comment gives the formula it implements.
package econ

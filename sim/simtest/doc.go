// Package simtest holds the helpers that tests of the simulator and of
// hearth's drivers against the simulator share: a settable clock, a
// simulator started for one test, a model's nameplate by its short name and
// the check that a driver's declared verbs are the ones a test exercises.
// It is a normal package so that tests in many packages can import it, but
// only tests use it; it depends on the simulator and the root hearth
// package only, never on a driver.
package simtest

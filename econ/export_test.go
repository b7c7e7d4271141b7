package econ

// ExpStep exposes expStep to the external tests.
var ExpStep = expStep

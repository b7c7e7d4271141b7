// Package hearth holds the domain of the hearth mining management system:
// miners, their readings, the drivers that speak to them and the services
// the rest of the program is built from.
//
// The package imports nothing of the project and no outside dependency, so
// that every adapter (a database, a miner protocol, the HTTP API) can depend
// on it without depending on each other. Base units are used throughout:
// hashes per second, watts, degrees Celsius and seconds.
package hearth

// DefaultJob is the value of the "job" label on every metric hearth records,
// unless configured otherwise. It matches the PromQL expressions of the
// product brief, which select {job="Bitcoin-miner"}.
const DefaultJob = "Bitcoin-miner"

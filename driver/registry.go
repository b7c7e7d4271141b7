// Package driver is the registry of miner drivers, one per protocol family,
// in the manner of Prometheus' service discovery: each family's package
// registers itself from init, and a binary includes the families it imports.
package driver

import (
	"fmt"
	"sort"
	"sync"

	"github.com/hearth-fleet/hearth"
)

var (
	mu      sync.RWMutex
	drivers = map[hearth.Family]hearth.Driver{}
)

// Register makes d available under its family name. It panics when the name
// is taken, because two drivers for one family is a programming error.
func Register(d hearth.Driver) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := drivers[d.Family()]; dup {
		panic(fmt.Sprintf("driver: family %q registered twice", d.Family()))
	}
	drivers[d.Family()] = d
}

// Lookup returns the driver for family, or an EUNSUPPORTED error.
func Lookup(family hearth.Family) (hearth.Driver, error) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := drivers[family]
	if !ok {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "No driver for miner family %q.", family)
	}
	return d, nil
}

// All returns every registered driver, ordered by family name.
func All() []hearth.Driver {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]hearth.Driver, 0, len(drivers))
	for _, d := range drivers {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Family() < out[j].Family() })
	return out
}

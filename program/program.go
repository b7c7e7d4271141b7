// Package program runs the power programs: the configured signal sources
// (an OpenADR VTN, a price feed, an MQTT topic, an aggregating hearth) that
// turn into power requests for the site power controller. Each kind is a
// plug-in that registers a Factory, as Prometheus registers its service
// discoveries; a Manager runs one Runner per enabled program, restarts it
// after a change, and applies the program's fail mode when its source
// goes silent.
package program

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// Runner runs one program until ctx ends. A runner reports to its Health
// each time it hears from its source, so that the Manager can apply the
// fail mode when it stops hearing.
type Runner interface {
	Run(ctx context.Context) error
}

// Env is what a runner may use.
type Env struct {
	// Requests stores the program's power requests; write them with
	// ReplaceRequests so that each program owns its own.
	Requests hearth.PowerRequestService
	// Status reports where a site's power stands (for reports upstream
	// and for aggregation); ok is false for a site the controller has not
	// looked at.
	Status func(site string) (power.SiteStatus, bool)
	// Health records contact with the program's source.
	Health *Health
	// Now is the Manager's clock; runners stamp Health.Contact with it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Factory builds the runner of p, checking p.Settings: an EINVALID error
// refuses the program before it is stored.
type Factory func(p *hearth.PowerProgram, env Env) (Runner, error)

var (
	mu        sync.RWMutex
	factories = map[hearth.ProgramKind]Factory{}
)

// Register makes kind runnable. It panics on a second registration of a
// kind, a programming error.
func Register(kind hearth.ProgramKind, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[kind]; dup {
		panic("program: kind " + string(kind) + " registered twice")
	}
	factories[kind] = f
}

// Lookup returns the factory of kind, or EINVALID naming the kinds there
// are.
func Lookup(kind hearth.ProgramKind) (Factory, error) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := factories[kind]
	if !ok {
		return nil, hearth.Errorf(hearth.EINVALID, "Unknown program kind %q; this hearth runs %v.", kind, kindsLocked())
	}
	return f, nil
}

// Kinds returns the registered kinds, sorted.
func Kinds() []hearth.ProgramKind {
	mu.RLock()
	defer mu.RUnlock()
	return kindsLocked()
}

func kindsLocked() []hearth.ProgramKind {
	out := make([]hearth.ProgramKind, 0, len(factories))
	for k := range factories {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Source returns the power-request source a program kind writes as.
func Source(kind hearth.ProgramKind) hearth.PowerSource {
	switch kind {
	case hearth.ProgramOpenADR:
		return hearth.SourceOpenADR
	case hearth.ProgramPrice:
		return hearth.SourcePrice
	case hearth.ProgramAggregator:
		return hearth.SourceAggregator
	}
	return hearth.SourceSignal
}

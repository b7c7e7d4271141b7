// Package notify tells people of alerts: it is a hearth.AlertSink (the
// Dispatcher) that routes the alerts of each rule evaluation to the
// configured receivers, grouping, repeating and silencing them as
// Alertmanager does (simplified: one route per receiver), and a second
// sink (History) that keeps every change of an alert's state in the
// store. Each receiver kind (webhook, alertmanager, email, slack,
// telegram, ntfy) is a plug-in that registers a Factory, as the power
// programs of package program do.
package notify

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Notifier delivers one notification to one receiver. It must honour
// ctx's deadline; the Dispatcher retries on error.
type Notifier interface {
	Notify(ctx context.Context, n *Notification) error
}

// Env is what a notifier may use.
type Env struct {
	// Client makes the notifier's HTTP requests; its timeout bounds them.
	Client *http.Client
	// ExternalURL is where hearth is reached, for links back to it.
	ExternalURL string
}

// Factory builds the notifier of r, checking r.Settings and r.Secret: an
// EINVALID error refuses the receiver before it is stored.
type Factory func(r *hearth.Receiver, env Env) (Notifier, error)

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes kind usable. It panics on a second registration of a
// kind, a programming error.
func Register(kind string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[kind]; dup {
		panic("notify: kind " + kind + " registered twice")
	}
	factories[kind] = f
}

// Kinds returns the registered kinds, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	kinds := make([]string, 0, len(factories))
	for k := range factories {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// New builds the notifier of r, or returns an EINVALID error naming what
// is wrong with r.
func New(r *hearth.Receiver, env Env) (Notifier, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	mu.RLock()
	f, ok := factories[r.Kind]
	mu.RUnlock()
	if !ok {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: unknown kind %q; known kinds: %v.", r.Name, r.Kind, Kinds())
	}
	if env.Client == nil {
		env.Client = &http.Client{Timeout: DefaultTimeout}
	}
	return f(r, env)
}

// Check builds r's notifier only to check r, as the API does before
// storing a receiver. A redacted secret stands for a stored one.
func Check(r *hearth.Receiver) error {
	_, err := New(r, Env{})
	return err
}

// DefaultTimeout bounds one delivery attempt.
const DefaultTimeout = 10 * time.Second

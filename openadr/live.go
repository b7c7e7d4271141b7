package openadr

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// WebhookPath is where hearth's HTTP server mounts Webhooks. An openadr
// program's callback_url ends in this path and the program's name.
const WebhookPath = "/api/v1/power/webhooks/"

// The running openadr programs by name, for Webhooks and Prices. Several
// hearth servers in one process (tests) may run programs of one name: a
// webhook call goes to the one whose callback token it carries.
var (
	liveMu sync.Mutex
	live   = map[string][]*runner{}
)

// register makes r reachable by its program's name until the returned
// function is called.
func register(r *runner) (unregister func()) {
	liveMu.Lock()
	live[r.p.Name] = append(live[r.p.Name], r)
	liveMu.Unlock()
	return func() {
		liveMu.Lock()
		defer liveMu.Unlock()
		live[r.p.Name] = slices.DeleteFunc(live[r.p.Name], func(o *runner) bool { return o == r })
		if len(live[r.p.Name]) == 0 {
			delete(live, r.p.Name)
		}
	}
}

// lookup returns the running programs of a name.
func lookup(name string) []*runner {
	liveMu.Lock()
	defer liveMu.Unlock()
	return slices.Clone(live[name])
}

// webhookOf returns the running program of a name with a callback URL
// whose callback token the request carries, or, for the token-less echo
// check (a GET), any with a callback URL.
func webhookOf(name string, r *http.Request) *runner {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var first *runner
	for _, run := range lookup(name) {
		if run.ven.cfg.CallbackURL == "" {
			continue
		}
		if first == nil {
			first = run
		}
		if subtle.ConstantTimeCompare([]byte(tok), []byte(run.ven.cfg.CallbackToken)) == 1 {
			return run
		}
	}
	return first // its handler refuses a POST with the wrong token
}

// Webhooks serves the subscription callbacks of the running openadr
// programs that have a callback_url, at WebhookPath + the program's name.
// hearth's HTTP server mounts it without token authentication: the VTN
// cannot hold a hearth token, and each program's WebhookHandler checks the
// bearer token its subscription gave the VTN instead. A program that is
// not running or has no callback URL is 404.
func Webhooks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, WebhookPath)
		var run *runner
		if ok && name != "" && !strings.Contains(name, "/") {
			run = webhookOf(name, r)
		}
		if run == nil {
			http.NotFound(w, r)
			return
		}
		run.ven.WebhookHandler().ServeHTTP(w, r)
	})
}

// Prices returns the prices, per kWh, that the PRICE events of a VTN
// program (by its configured name, or ID) have published to the running
// openadr program named program; nil when either is unknown. A price
// program may follow them.
func Prices(program, vtnProgram string) []hearth.PricePoint {
	runs := lookup(program)
	if len(runs) == 0 {
		return nil
	}
	run := runs[0]
	run.mu.Lock()
	defer run.mu.Unlock()
	return slices.Clone(run.prices[vtnProgram])
}

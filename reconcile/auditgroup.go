package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// auditLinger is how long the first of the reconciler's finished commands
// waits for others with the same action to share its audit entry.
const auditLinger = 10 * time.Millisecond

// auditGroup gathers the reconciler's own finished commands that share an
// actor and an action into one audit entry listing every miner's result,
// as action.Service does for a selection: a fleet-wide curtailment then
// writes a few entries of hundreds of results rather than one per miner,
// and reads as one change. Each caller still returns once its entry is
// stored.
type auditGroup struct {
	mu      sync.Mutex
	pending map[string]*pendingAudit
}

// pendingAudit is an entry gathering results, and its outcome.
type pendingAudit struct {
	entry *hearth.AuditEntry
	done  chan struct{}
	err   error
}

// record adds res to the open entry of actor and a, or opens one, waits
// auditLinger for company, and stores it.
func (g *auditGroup) record(ctx context.Context, svc hearth.AuditService, actor string, a hearth.Action, res hearth.ActionResult, at time.Time) error {
	key := actor + "\x00" + fingerprint(a)
	g.mu.Lock()
	if p := g.pending[key]; p != nil {
		p.entry.Results = append(p.entry.Results, res)
		g.mu.Unlock()
		<-p.done
		return p.err
	}
	if g.pending == nil {
		g.pending = map[string]*pendingAudit{}
	}
	p := &pendingAudit{
		entry: &hearth.AuditEntry{Time: at, Actor: actor, Action: a.Redacted(), Results: []hearth.ActionResult{res}},
		done:  make(chan struct{}),
	}
	g.pending[key] = p
	g.mu.Unlock()

	time.Sleep(auditLinger)
	g.mu.Lock()
	delete(g.pending, key)
	g.mu.Unlock()
	p.entry.Selector = res.MinerID
	if n := len(p.entry.Results); n > 1 {
		p.entry.Selector = fmt.Sprintf("%d miners", n)
	}
	p.err = svc.RecordAudit(ctx, p.entry)
	close(p.done)
	return p.err
}

package diag

import (
	"context"
	"slices"

	"github.com/hearth-fleet/hearth"
)

// commandsLimit caps the journal and audit entries read for one miner:
// each log is asked for this miner's own newest entries, so the bundle
// reaches as far back as that many of its commands.
const commandsLimit = 1000

// commandsView is errors/commands.json: the commands hearth sent the
// miner, recent first, as the command journal (state, attempts, errors)
// and the audit log (who asked, and the outcome on this miner) keep them.
type commandsView struct {
	Journal []*hearth.JournalEntry `json:"journal"`
	Audit   []*hearth.AuditEntry   `json:"audit"`
}

func (c *collector) commandsPart(ctx context.Context) (any, int, error) {
	if c.b.Journal == nil && c.b.Audit == nil {
		return nil, 0, notEnabled("The command journal")
	}
	v := commandsView{Journal: []*hearth.JournalEntry{}, Audit: []*hearth.AuditEntry{}}
	if c.b.Journal != nil {
		entries, err := c.b.Journal.FindJournal(ctx, hearth.JournalFilter{MinerID: c.m.ID, Limit: commandsLimit, Newest: true})
		if err != nil {
			return nil, 0, err
		}
		for _, e := range slices.Backward(entries) { // the journal reads oldest first
			cp := *e
			cp.Action = withoutActionPasswords(e.Action)
			v.Journal = append(v.Journal, &cp)
		}
	}
	if c.b.Audit != nil {
		entries, err := c.b.Audit.FindAudit(ctx, hearth.AuditFilter{Miner: c.m.ID, Limit: commandsLimit})
		if err != nil {
			return nil, 0, err
		}
		for _, e := range entries {
			r, ok := e.ResultFor(c.m.ID)
			if !ok {
				continue
			}
			cp := *e
			cp.Action = withoutActionPasswords(e.Action)
			// Only this miner's outcome: the others belong in their own
			// bundles.
			cp.Results = []hearth.ActionResult{r}
			v.Audit = append(v.Audit, &cp)
		}
	}
	return v, len(v.Journal) + len(v.Audit), nil
}

// withoutActionPasswords returns a with its pool passwords removed; the
// journal and audit log hold them masked, the bundle not at all.
func withoutActionPasswords(a hearth.Action) hearth.Action {
	if len(a.Pools) == 0 {
		return a
	}
	pools := slices.Clone(a.Pools)
	for i := range pools {
		pools[i].Password = ""
	}
	a.Pools = pools
	return a
}

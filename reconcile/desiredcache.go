package reconcile

import (
	"context"
	"slices"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// CachedDesired serves FindDesired from one in-memory copy of every desired
// state. The reconciler looks up a miner's desired state after every poll
// (for 20,000 miners polled every 15 s, over a thousand queries and
// password unsealings a second), while the records, a handful per site
// and group, change only when an operator changes them. Changes made
// through CachedDesired drop the copy; changes made to the store behind
// its back are not seen, so every writer must go through it.
type CachedDesired struct {
	hearth.DesiredStateService

	mu  sync.Mutex
	all []*hearth.DesiredRecord // nil until read, and after a change
}

// FindDesired returns the records f chooses, ordered by kind and ID as the
// store orders them, reading the store only when the copy was dropped.
func (c *CachedDesired) FindDesired(ctx context.Context, f hearth.DesiredFilter) ([]*hearth.DesiredRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all == nil {
		all, err := c.DesiredStateService.FindDesired(ctx, hearth.DesiredFilter{})
		if err != nil {
			return nil, err
		}
		c.all = all
	}
	out := []*hearth.DesiredRecord{}
	for _, r := range c.all {
		if (len(f.Scopes) == 0 || slices.Contains(f.Scopes, r.Scope)) && (f.Kind == "" || r.Scope.Kind == f.Kind) {
			cp := *r
			out = append(out, &cp)
		}
	}
	return out, nil
}

// SetDesired stores r and drops the copy.
func (c *CachedDesired) SetDesired(ctx context.Context, r *hearth.DesiredRecord) error {
	defer c.drop()
	return c.DesiredStateService.SetDesired(ctx, r)
}

// DeleteDesired removes the scope's record and drops the copy.
func (c *CachedDesired) DeleteDesired(ctx context.Context, sc hearth.Scope) error {
	defer c.drop()
	return c.DesiredStateService.DeleteDesired(ctx, sc)
}

func (c *CachedDesired) drop() {
	c.mu.Lock()
	c.all = nil
	c.mu.Unlock()
}

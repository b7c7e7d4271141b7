package reconcile

import (
	"context"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// DefaultGroupIndexTTL is how long a GroupIndex serves a membership map
// before reading the groups again.
const DefaultGroupIndexTTL = 30 * time.Second

// GroupIndex answers "which groups is this miner in" from the store's
// groups, read at most once per TTL: the reconciler asks for every miner
// after every poll, and the groups of a fleet change rarely. Invalidate
// makes a change through the API count at once.
type GroupIndex struct {
	Groups hearth.GroupService
	// TTL is how long one reading of the groups serves; zero means
	// DefaultGroupIndexTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	read    time.Time
	byMiner map[string][]string
}

// GroupsOf returns the names of the groups miner id belongs to, in the
// store's order (by name).
func (x *GroupIndex) GroupsOf(ctx context.Context, id string) ([]string, error) {
	now := time.Now
	if x.Now != nil {
		now = x.Now
	}
	ttl := x.TTL
	if ttl <= 0 {
		ttl = DefaultGroupIndexTTL
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byMiner == nil || now().Sub(x.read) >= ttl {
		groups, err := x.Groups.FindGroups(ctx)
		if err != nil {
			return nil, err
		}
		byMiner := map[string][]string{}
		for _, g := range groups {
			for _, m := range g.MinerIDs {
				byMiner[m] = append(byMiner[m], g.Name)
			}
		}
		x.byMiner, x.read = byMiner, now()
	}
	return x.byMiner[id], nil
}

// Invalidate makes the next GroupsOf read the groups again.
func (x *GroupIndex) Invalidate() {
	x.mu.Lock()
	x.byMiner = nil
	x.mu.Unlock()
}

// Watch returns gs wrapped so that every change of groups or members
// made through it invalidates x, and the reconciler places miners by the
// new membership from the next poll on.
func (x *GroupIndex) Watch(gs hearth.GroupService) hearth.GroupService {
	if gs == nil {
		return nil
	}
	return &watchedGroups{GroupService: gs, index: x}
}

type watchedGroups struct {
	hearth.GroupService
	index *GroupIndex
}

func (w *watchedGroups) CreateGroup(ctx context.Context, g *hearth.Group) error {
	defer w.index.Invalidate()
	return w.GroupService.CreateGroup(ctx, g)
}

func (w *watchedGroups) UpdateGroup(ctx context.Context, g *hearth.Group) error {
	defer w.index.Invalidate()
	return w.GroupService.UpdateGroup(ctx, g)
}

func (w *watchedGroups) DeleteGroup(ctx context.Context, name string) error {
	defer w.index.Invalidate()
	return w.GroupService.DeleteGroup(ctx, name)
}

func (w *watchedGroups) AddGroupMembers(ctx context.Context, name string, ids []string) error {
	defer w.index.Invalidate()
	return w.GroupService.AddGroupMembers(ctx, name, ids)
}

func (w *watchedGroups) RemoveGroupMembers(ctx context.Context, name string, ids []string) error {
	defer w.index.Invalidate()
	return w.GroupService.RemoveGroupMembers(ctx, name, ids)
}

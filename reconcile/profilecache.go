package reconcile

import (
	"context"
	"fmt"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// CachedProfiles serves the named power profiles from one in-memory copy
// of all of them. The reconciler resolves a miner's named profile after
// every poll, while profiles, a handful per fleet, change only when an
// operator changes them. Changes made through CachedProfiles drop the
// copy; changes made to the store behind its back are not seen, so every
// writer must go through it, as with CachedDesired.
type CachedProfiles struct {
	hearth.ProfileService

	mu     sync.Mutex
	all    []*hearth.Profile // nil until read, and after a change
	byName map[string]*hearth.Profile
}

// load fills the copy when it was dropped. The caller holds c.mu.
func (c *CachedProfiles) load(ctx context.Context) error {
	if c.all != nil {
		return nil
	}
	all, err := c.ProfileService.FindProfiles(ctx)
	if err != nil {
		return err
	}
	c.byName = make(map[string]*hearth.Profile, len(all))
	for _, p := range all {
		c.byName[p.Name] = p
	}
	c.all = all
	return nil
}

// FindProfiles returns every profile ordered by name, reading the store
// only when the copy was dropped.
func (c *CachedProfiles) FindProfiles(ctx context.Context) ([]*hearth.Profile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	out := make([]*hearth.Profile, 0, len(c.all))
	for _, p := range c.all {
		out = append(out, clone(p))
	}
	return out, nil
}

// FindProfileByName returns the profile or ENOTFOUND, reading the store
// only when the copy was dropped.
func (c *CachedProfiles) FindProfileByName(ctx context.Context, name string) (*hearth.Profile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	p := c.byName[name]
	if p == nil {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Profile %q not found.", name)
	}
	return clone(p), nil
}

// SetProfile stores p and drops the copy.
func (c *CachedProfiles) SetProfile(ctx context.Context, p *hearth.Profile) error {
	defer c.drop()
	return c.ProfileService.SetProfile(ctx, p)
}

// DeleteProfile removes the profile and drops the copy.
func (c *CachedProfiles) DeleteProfile(ctx context.Context, name string) error {
	defer c.drop()
	return c.ProfileService.DeleteProfile(ctx, name)
}

func (c *CachedProfiles) drop() {
	c.mu.Lock()
	c.all, c.byName = nil, nil
	c.mu.Unlock()
}

// clone copies p deeply enough that a caller's change cannot reach the
// cached copy.
func clone(p *hearth.Profile) *hearth.Profile {
	cp := *p
	if p.ModelWatts != nil {
		cp.ModelWatts = make(map[string]float64, len(p.ModelWatts))
		for k, v := range p.ModelWatts {
			cp.ModelWatts[k] = v
		}
	}
	return &cp
}

// resolvePower replaces a named profile in d's power by the mode and
// watts it gives m's model. When it cannot (profiles are not enabled, the
// profile is unknown, or it has no watts for the model) d's power is left
// unset, so the other fields are still applied, and the error says why for
// the miner's drift.
func (rc *Reconciler) resolvePower(ctx context.Context, m *hearth.Miner, d hearth.DesiredState) (hearth.DesiredState, error) {
	if d.Power == nil || d.Power.Profile == "" {
		return d, nil
	}
	name := d.Power.Profile
	d.Power = nil
	if rc.Profiles == nil {
		return d, hearth.Errorf(hearth.EINVALID, "Desired power names profile %q, but profiles are not enabled.", name)
	}
	p, err := rc.Profiles.FindProfileByName(ctx, name)
	if hearth.ErrorCode(err) == hearth.ENOTFOUND {
		return d, hearth.Errorf(hearth.ENOTFOUND, "Desired power names profile %q, which does not exist.", name)
	} else if err != nil {
		return d, fmt.Errorf("profile %q: %w", name, err)
	}
	pp, err := p.Resolve(m.Model)
	if err != nil {
		return d, err
	}
	d.Power = &pp
	return d, nil
}

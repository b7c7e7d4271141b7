package http_test

import (
	"context"
	"slices"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// siteStore is an in-memory hearth.SiteService counting the miners of the
// fixture's inventory.
type siteStore struct {
	mu     sync.Mutex
	miners *MinerService
	sites  map[string]*hearth.Site
}

func (s *siteStore) count(name string) int {
	ms, _, _ := s.miners.FindMiners(context.Background(), hearth.MinerFilter{Site: name})
	return len(ms)
}

func (s *siteStore) FindSiteByName(_ context.Context, name string) (*hearth.Site, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	site, ok := s.sites[name]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	}
	c := *site
	c.MinerCount = s.count(name)
	return &c, nil
}

func (s *siteStore) FindSites(ctx context.Context) ([]*hearth.Site, error) {
	s.mu.Lock()
	var names []string
	for n := range s.sites {
		names = append(names, n)
	}
	s.mu.Unlock()
	slices.Sort(names)
	out := []*hearth.Site{}
	for _, n := range names {
		site, _ := s.FindSiteByName(ctx, n)
		out = append(out, site)
	}
	return out, nil
}

func (s *siteStore) CreateSite(_ context.Context, site *hearth.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sites[site.Name]; ok {
		return hearth.Errorf(hearth.ECONFLICT, "Site %q exists already.", site.Name)
	}
	site.CreatedAt, site.UpdatedAt = testNow, testNow
	c := *site
	s.sites[site.Name] = &c
	return nil
}

func (s *siteStore) UpdateSite(_ context.Context, site *hearth.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.sites[site.Name]
	if !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", site.Name)
	}
	site.CreatedAt, site.UpdatedAt, site.MinerCount = old.CreatedAt, testNow, s.count(site.Name)
	c := *site
	s.sites[site.Name] = &c
	return nil
}

func (s *siteStore) DeleteSite(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sites[name]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Site %q not found.", name)
	}
	if n := s.count(name); n > 0 {
		return hearth.Errorf(hearth.ECONFLICT, "Site %q still has %d miners.", name, n)
	}
	delete(s.sites, name)
	return nil
}

// groupStore is an in-memory hearth.GroupService over the fixture's
// inventory.
type groupStore struct {
	mu     sync.Mutex
	miners *MinerService
	groups map[string]*hearth.Group
}

func (s *groupStore) FindGroupByName(_ context.Context, name string) (*hearth.Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	c := *g
	c.MinerIDs = slices.Clone(g.MinerIDs)
	if c.MinerIDs == nil {
		c.MinerIDs = []string{}
	}
	return &c, nil
}

func (s *groupStore) FindGroups(ctx context.Context) ([]*hearth.Group, error) {
	s.mu.Lock()
	var names []string
	for n := range s.groups {
		names = append(names, n)
	}
	s.mu.Unlock()
	slices.Sort(names)
	out := []*hearth.Group{}
	for _, n := range names {
		g, _ := s.FindGroupByName(ctx, n)
		out = append(out, g)
	}
	return out, nil
}

func (s *groupStore) CreateGroup(_ context.Context, g *hearth.Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[g.Name]; ok {
		return hearth.Errorf(hearth.ECONFLICT, "Group %q exists already.", g.Name)
	}
	s.groups[g.Name] = &hearth.Group{Name: g.Name, Description: g.Description, CreatedAt: testNow, UpdatedAt: testNow}
	return nil
}

func (s *groupStore) UpdateGroup(_ context.Context, g *hearth.Group) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.groups[g.Name]
	if !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", g.Name)
	}
	old.Description = g.Description
	return nil
}

func (s *groupStore) DeleteGroup(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	delete(s.groups, name)
	return nil
}

func (s *groupStore) AddGroupMembers(ctx context.Context, name string, ids []string) error {
	for _, id := range ids {
		if _, err := s.miners.FindMinerByID(ctx, id); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	for _, id := range ids {
		if !slices.Contains(g.MinerIDs, id) {
			g.MinerIDs = append(g.MinerIDs, id)
		}
	}
	slices.Sort(g.MinerIDs)
	return nil
}

func (s *groupStore) RemoveGroupMembers(_ context.Context, name string, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	g.MinerIDs = slices.DeleteFunc(g.MinerIDs, func(id string) bool { return slices.Contains(ids, id) })
	return nil
}

// positionStore records the imports it is given and reports one change
// per assignment.
type positionStore struct {
	mu     sync.Mutex
	Got    []*hearth.PositionAssignment
	DryRun bool
}

func (s *positionStore) ImportPositions(_ context.Context, as []*hearth.PositionAssignment, dryRun bool) (*hearth.PositionImport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Got, s.DryRun = as, dryRun
	r := &hearth.PositionImport{DryRun: dryRun, Changes: []*hearth.PositionChange{}, SitesCreated: []string{}}
	for _, a := range as {
		site, pos := a.Apply("", hearth.Position{})
		r.Changes = append(r.Changes, &hearth.PositionChange{Line: a.Line, MinerID: a.Miner, After: hearth.SitePosition{Site: site, Position: pos}})
	}
	return r, nil
}

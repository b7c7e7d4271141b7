package http_test

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// profileStore is an in-memory hearth.ProfileService that refuses to delete
// a profile the fixture's desired states or schedules refer to, as the
// stores do.
type profileStore struct {
	mu        sync.Mutex
	profiles  map[string]*hearth.Profile
	desired   hearth.DesiredStateService
	schedules hearth.ScheduleService
}

func (s *profileStore) FindProfiles(context.Context) ([]*hearth.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.Profile{}
	for _, p := range s.profiles {
		cp := *p
		out = append(out, &cp)
	}
	slices.SortFunc(out, func(a, b *hearth.Profile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *profileStore) FindProfileByName(_ context.Context, name string) (*hearth.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[name]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Profile %q not found.", name)
	}
	cp := *p
	return &cp, nil
}

func (s *profileStore) SetProfile(_ context.Context, p *hearth.Profile) error {
	if p == nil {
		return hearth.Errorf(hearth.EINVALID, "Profile required.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.UpdatedAt = testNow
	cp := *p
	s.profiles[p.Name] = &cp
	return nil
}

func (s *profileStore) DeleteProfile(ctx context.Context, name string) error {
	records, err := s.desired.FindDesired(ctx, hearth.DesiredFilter{})
	if err != nil {
		return err
	}
	schedules, err := s.schedules.FindSchedules(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.profiles[name]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Profile %q not found.", name)
	}
	if users := hearth.ProfileUsers(name, records, schedules); len(users) > 0 {
		return hearth.Errorf(hearth.ECONFLICT, "Profile %q is used by %s.", name, users[0])
	}
	delete(s.profiles, name)
	return nil
}

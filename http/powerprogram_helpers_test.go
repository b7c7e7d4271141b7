package http_test

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// programStore is an in-memory hearth.PowerProgramService that keeps
// secrets as the real stores do: redacted in lists, kept on "***".
type programStore struct {
	mu       sync.Mutex
	programs map[string]hearth.PowerProgram
}

func (s *programStore) FindPowerPrograms(context.Context) ([]*hearth.PowerProgram, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.PowerProgram{}
	for _, p := range s.programs {
		r := p.Redacted()
		out = append(out, &r)
	}
	slices.SortFunc(out, func(a, b *hearth.PowerProgram) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *programStore) FindPowerProgramByName(_ context.Context, name string) (*hearth.PowerProgram, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.programs[name]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Power program %q not found.", name)
	}
	return &p, nil
}

func (s *programStore) SetPowerProgram(_ context.Context, p *hearth.PowerProgram) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *p
	if c.Secret == hearth.RedactedSecret {
		old, ok := s.programs[c.Name]
		if !ok {
			return hearth.Errorf(hearth.EINVALID, "No stored secret to keep.")
		}
		c.Secret = old.Secret
	}
	c.CreatedAt, c.UpdatedAt = testNow, testNow
	if s.programs == nil {
		s.programs = map[string]hearth.PowerProgram{}
	}
	s.programs[c.Name] = c
	*p = c.Redacted()
	return nil
}

func (s *programStore) DeletePowerProgram(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.programs[name]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Power program %q not found.", name)
	}
	delete(s.programs, name)
	return nil
}

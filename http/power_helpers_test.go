package http_test

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// powerStore is an in-memory hearth.PowerRequestService that checks
// requests as the real stores do.
type powerStore struct {
	mu   sync.Mutex
	reqs []*hearth.PowerRequest
}

func (s *powerStore) SetPowerRequest(_ context.Context, r *hearth.PowerRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *r
	s.reqs = slices.DeleteFunc(s.reqs, func(o *hearth.PowerRequest) bool {
		return o.Source == r.Source && o.Site == r.Site && o.ID == r.ID
	})
	s.reqs = append(s.reqs, &c)
	return nil
}

func (s *powerStore) DeletePowerRequest(_ context.Context, source hearth.PowerSource, site, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.reqs)
	s.reqs = slices.DeleteFunc(s.reqs, func(o *hearth.PowerRequest) bool {
		return o.Source == source && o.Site == site && o.ID == id
	})
	if len(s.reqs) == n {
		return hearth.Errorf(hearth.ENOTFOUND, "No %s power request %q for site %q.", source, id, site)
	}
	return nil
}

func (s *powerStore) FindPowerRequests(_ context.Context, f hearth.PowerRequestFilter) ([]*hearth.PowerRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.PowerRequest{}
	for _, r := range s.reqs {
		if f.Match(r) {
			c := *r
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *hearth.PowerRequest) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Source, b.Source), a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

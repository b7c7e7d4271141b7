package program

import (
	"context"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// RequestID returns the ID a request of program p carries: the program's
// name, a slash, and the source's own ID (an OpenADR event and interval,
// "price"). Two programs of one kind driving the same site thus never
// overwrite each other's requests.
func RequestID(p *hearth.PowerProgram, id string) string { return p.Name + "/" + id }

// owns reports whether r is one of p's requests.
func owns(p *hearth.PowerProgram, r *hearth.PowerRequest) bool {
	return r.Source == Source(p.Kind) && strings.HasPrefix(r.ID, p.Name+"/")
}

// ReplaceRequests makes reqs the whole set of p's requests for site:
// requests of p the set no longer holds are withdrawn, the others stored
// (with the program's source, the site and IDs made by RequestID from the
// IDs given). It is how a runner publishes what its source says now: an
// OpenADR event deleted at the VTN disappears, a price run that ended
// lifts its shed.
func ReplaceRequests(ctx context.Context, s hearth.PowerRequestService, p *hearth.PowerProgram, site string, reqs []hearth.PowerRequest) error {
	have, err := s.FindPowerRequests(ctx, hearth.PowerRequestFilter{Site: site, Source: Source(p.Kind)})
	if err != nil {
		return fmt.Errorf("program %s: requests of %s: %w", p.Name, site, err)
	}
	want := map[string]bool{}
	for i := range reqs {
		r := reqs[i]
		r.Source, r.Site = Source(p.Kind), site
		if !strings.HasPrefix(r.ID, p.Name+"/") {
			r.ID = RequestID(p, r.ID)
		}
		want[r.ID] = true
		if same(have, &r) {
			continue
		}
		if err := s.SetPowerRequest(ctx, &r); err != nil {
			return fmt.Errorf("program %s: store request %s: %w", p.Name, r.ID, err)
		}
	}
	for _, r := range have {
		if owns(p, r) && !want[r.ID] {
			if err := s.DeletePowerRequest(ctx, r.Source, site, r.ID); err != nil && hearth.ErrorCode(err) != hearth.ENOTFOUND {
				return fmt.Errorf("program %s: withdraw request %s: %w", p.Name, r.ID, err)
			}
		}
	}
	return nil
}

// same reports whether have already holds r unchanged, so that a poll
// that learnt nothing new writes nothing.
func same(have []*hearth.PowerRequest, r *hearth.PowerRequest) bool {
	for _, h := range have {
		if h.ID == r.ID {
			return h.Kind == r.Kind && h.LimitWatts == r.LimitWatts && h.ShedFraction == r.ShedFraction &&
				h.Start.Equal(r.Start) && h.End.Equal(r.End) && h.Reason == r.Reason
		}
	}
	return false
}

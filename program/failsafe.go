package program

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// failSafeID is the ID of the fail-safe request of program p on a site.
func failSafeID(p *hearth.PowerProgram) string { return p.Name }

// applyFailMode does what p's fail mode says for a source silent since
// since: curtail sheds every site of p fully until the source is back;
// resume withdraws p's requests, so its sites mine at full power unless
// another source says otherwise; hold keeps p's last requests until they
// end by themselves.
func applyFailMode(ctx context.Context, s hearth.PowerRequestService, p *hearth.PowerProgram, since, now time.Time) error {
	for _, site := range p.Sites {
		switch p.FailMode {
		case hearth.FailCurtail:
			r := &hearth.PowerRequest{ID: failSafeID(p), Source: hearth.SourceFailSafe, Site: site, Kind: hearth.RequestShed, ShedFraction: 1,
				Start: now, Reason: fmt.Sprintf("program %s silent since %s: fail mode curtail", p.Name, since.UTC().Format(time.RFC3339)),
				CreatedBy: "program " + p.Name}
			if err := s.SetPowerRequest(ctx, r); err != nil {
				return fmt.Errorf("program %s: fail-safe for %s: %w", p.Name, site, err)
			}
		case hearth.FailResume:
			if err := ReplaceRequests(ctx, s, p, site, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// liftFailMode withdraws p's fail-safe requests once its source answers
// again.
func liftFailMode(ctx context.Context, s hearth.PowerRequestService, p *hearth.PowerProgram) error {
	for _, site := range p.Sites {
		if err := s.DeletePowerRequest(ctx, hearth.SourceFailSafe, site, failSafeID(p)); err != nil && hearth.ErrorCode(err) != hearth.ENOTFOUND {
			return fmt.Errorf("program %s: lift fail-safe for %s: %w", p.Name, site, err)
		}
	}
	return nil
}

package openadr

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// PageLimit is the most objects the specification lets one GET return;
// the VEN pages with skip and limit.
const PageLimit = 50

// maxPages bounds paging, so that a VTN that ignores skip cannot keep the
// VEN reading for ever.
const maxPages = 200

// programs returns every program the VTN lists to this VEN.
func (c *client) programs(ctx context.Context) ([]Program, error) {
	return pages[Program](ctx, c, "/programs", url.Values{})
}

// events returns the events of a program; for 3.1.0 only the active ones
// (those that have not transpired).
func (c *client) events(ctx context.Context, programID string) ([]Event, error) {
	q := url.Values{"programID": {programID}}
	if c.cfg.Version == Version310 {
		q.Set("active", "true")
	}
	evs, err := pages[Event](ctx, c, "/events", q)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(evs))
	for i := range evs {
		e := &evs[i]
		if e.ID == "" || ids[e.ID] {
			return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR VTN listed an event without an ID or twice (%q).", clip(e.ID))
		}
		ids[e.ID] = true
		if e.ProgramID != programID {
			return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR VTN listed event %s of program %q when asked for program %q.", e.ID, clip(e.ProgramID), programID)
		}
	}
	return evs, nil
}

// pages GETs a list resource page by page until a short page.
func pages[T any](ctx context.Context, c *client, path string, q url.Values) ([]T, error) {
	var all []T
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, hearth.Errorf(hearth.ETOOLARGE, "OpenADR VTN lists more than %d %s.", maxPages*PageLimit, path)
		}
		q.Set("skip", strconv.Itoa(len(all)))
		q.Set("limit", strconv.Itoa(PageLimit))
		var got []T
		if err := c.call(ctx, "GET", path, q, nil, &got); err != nil {
			return nil, err
		}
		if len(got) > PageLimit {
			return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR VTN answered %s with %d objects, above the limit of %d.", path, len(got), PageLimit)
		}
		all = append(all, got...)
		if len(got) < PageLimit {
			return all, nil
		}
	}
}

// resolveProgram finds a configured program on the VTN by ID or name.
func (c *client) resolveProgram(ctx context.Context, pc *ProgramConfig) (*Program, error) {
	progs, err := c.programs(ctx)
	if err != nil {
		return nil, err
	}
	for i := range progs {
		p := &progs[i]
		if (pc.ID != "" && p.ID == pc.ID) || (pc.ID == "" && p.ProgramName == pc.Name) {
			if p.ID == "" {
				return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR VTN listed program %q without an ID.", clip(p.ProgramName))
			}
			return p, nil
		}
	}
	return nil, hearth.Errorf(hearth.ENOTFOUND, "OpenADR VTN has no program %q.", pc.label())
}

// wrapProgram adds the program to an error's context.
func wrapProgram(pc *ProgramConfig, err error) error {
	return fmt.Errorf("openadr program %q: %w", pc.label(), err)
}

package program

import (
	"context"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Watch returns s with every change checked by the program's kind before
// it is stored (CheckProgram) and followed by Reload, so that a program
// added or changed through the API runs at once.
func (m *Manager) Watch(s hearth.PowerProgramService) hearth.PowerProgramService {
	return &watchedPrograms{PowerProgramService: s, m: m}
}

// watchedPrograms is what Watch returns.
type watchedPrograms struct {
	hearth.PowerProgramService
	m *Manager
}

// SetPowerProgram checks p with its kind, stores it and reloads.
func (w *watchedPrograms) SetPowerProgram(ctx context.Context, p *hearth.PowerProgram) error {
	check := *p
	if check.Secret == hearth.RedactedSecret {
		// The stored secret is kept; check with it.
		if old, err := w.PowerProgramService.FindPowerProgramByName(ctx, p.Name); err == nil {
			check.Secret = old.Secret
		}
	}
	if err := w.m.CheckProgram(&check); err != nil {
		return err
	}
	if err := w.PowerProgramService.SetPowerProgram(ctx, p); err != nil {
		return err
	}
	w.m.Reload()
	return nil
}

// DeletePowerProgram removes the program and reloads, which withdraws its
// requests.
func (w *watchedPrograms) DeletePowerProgram(ctx context.Context, name string) error {
	if err := w.PowerProgramService.DeletePowerProgram(ctx, name); err != nil {
		return err
	}
	w.m.Reload()
	return nil
}

// programOf returns the program that wrote r, from its ID ("<program>/…")
// or, for a fail-safe request, the ID itself; "" when r is no program's.
func programOf(r *hearth.PowerRequest) string {
	if r.Source == hearth.SourceFailSafe {
		return r.ID
	}
	if name, _, ok := strings.Cut(r.ID, "/"); ok {
		return name
	}
	return ""
}

package http

import (
	"context"
	"mime"
	"net/http"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/diag"
)

// DiagnosticsFunc collects a miner's diagnostics bundle; main wires it to
// a diag.Builder's Build.
type DiagnosticsFunc func(ctx context.Context, id string) (*diag.Bundle, error)

// handleMinerDiagnostics serves GET /api/v1/miners/{id}/diagnostics: the
// miner's diagnostics bundle as a zip attachment, collected now.
//
// It follows the read rule, like GET /api/v1/miners/{id}/logs: a token is
// needed from other machines unless the server allows remote reads. The
// bundle holds nothing the read API does not already serve (the firmware
// log, readings, desired state without passwords, alerts, audit), and no
// secret at all, so it is no more sensitive than those reads; a server
// whose reads are open to the network has chosen that for logs already.
func (s *Server) handleMinerDiagnostics(w http.ResponseWriter, r *http.Request) {
	if s.Diagnostics == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Diagnostics bundles are not enabled on this server."))
		return
	}
	bundle, err := s.Diagnostics(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": bundle.Filename}))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := bundle.WriteZip(w); err != nil {
		// The status is sent: all that can be done is to log it; the
		// client sees a truncated archive that does not open.
		s.logger().WarnContext(r.Context(), "diagnostics bundle not sent in full", "miner", bundle.Manifest.MinerID, "err", err)
	}
}

package http

import (
	"context"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// LogsFunc fetches a miner's firmware log through its driver. main wires it
// to the action service, which resolves the miner's credentials.
type LogsFunc func(ctx context.Context, id string) (*hearth.MinerLog, error)

// handleMinerLogs serves GET /api/v1/miners/{id}/logs: the miner's own log,
// fetched now. It is a read (it changes nothing), so it follows the read
// rules; a family without a log answers 422 with code EUNSUPPORTED.
func (s *Server) handleMinerLogs(w http.ResponseWriter, r *http.Request) {
	if s.Logs == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Fetching miner logs is not enabled on this server."))
		return
	}
	l, err := s.Logs(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

package http

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/csvpos"
)

// maxPositionsBody caps an uploaded positions file: a line is well under
// 100 bytes, so this holds the largest fleets with room to spare.
const maxPositionsBody = 16 << 20

// handleExportPositions serves GET /api/v1/positions: every miner's site
// and position as CSV (see package csvpos), or one site's with ?site=.
func (s *Server) handleExportPositions(w http.ResponseWriter, r *http.Request) {
	filter := hearth.MinerFilter{Site: strings.TrimSpace(r.URL.Query().Get("site"))}
	ms, _, err := s.MinerService.FindMiners(r.Context(), filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := csvpos.Write(&buf, ms); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="positions.csv"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// handleImportPositions serves POST /api/v1/positions: a CSV file in the
// body places the miners it names, all or none; with ?dry_run=1 nothing is
// stored and the reply says what would change.
func (s *Server) handleImportPositions(w http.ResponseWriter, r *http.Request) {
	if s.PositionService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Importing positions is not enabled on this server."))
		return
	}
	var dryRun bool
	switch v := strings.ToLower(r.URL.Query().Get("dry_run")); v {
	case "", "0", "false":
	case "1", "true":
		dryRun = true
	default:
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Parameter dry_run must be 1 or 0, not %q.", v))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPositionsBody))
	var sizeErr *http.MaxBytesError
	if errors.As(err, &sizeErr) {
		writeErrorResponse(w, http.StatusRequestEntityTooLarge, codeRequestTooLarge,
			fmt.Sprintf("The positions file exceeds %d bytes.", maxPositionsBody))
		return
	} else if err != nil {
		s.writeError(w, r, hearth.WrapError(hearth.EINVALID, err, "The positions file could not be read."))
		return
	}
	as, err := csvpos.Parse(bytes.NewReader(body))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	report, err := s.PositionService.ImportPositions(r.Context(), as, dryRun)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !dryRun {
		s.logger().InfoContext(r.Context(), "positions imported", "changed", len(report.Changes), "unchanged", report.Unchanged, "sites_created", len(report.SitesCreated))
	}
	writeJSON(w, http.StatusOK, report)
}

package http

import (
	"net/http"

	"github.com/hearth-fleet/hearth/grafana"
)

// handleGrafanaDashboard serves GET /api/v1/grafana/dashboard.json: the
// Grafana dashboard that matches this hearth's metrics, as a download, so
// that a user imports it into their Grafana from their own hearth.
func (s *Server) handleGrafanaDashboard(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+grafana.FileName+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(grafana.DashboardJSON())
}

package http

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// maintenanceThresholds returns the server's thresholds with those the
// query of GET /api/v1/maintenance overrides: failed_chips, faults,
// fault_days, rack_boards, rack_percent.
func (s *Server) maintenanceThresholds(q url.Values) (hearth.MaintenanceThresholds, error) {
	th := s.MaintenanceThresholds
	if th == (hearth.MaintenanceThresholds{}) {
		th = hearth.DefaultMaintenanceThresholds
	}
	for _, p := range []struct {
		key string
		v   *int
	}{{"failed_chips", &th.FailedChips}, {"faults", &th.Faults}, {"fault_days", &th.FaultDays}, {"rack_boards", &th.RackBoards}} {
		if v := q.Get(p.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return th, hearth.Errorf(hearth.EINVALID, "%s must be a whole number, not %q.", p.key, v)
			}
			*p.v = n
		}
	}
	if v := q.Get("rack_percent"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return th, hearth.Errorf(hearth.EINVALID, "rack_percent must be a number, not %q.", v)
		}
		th.RackPercent = f
	}
	return th, th.Validate()
}

// handleMaintenance serves GET /api/v1/maintenance: the boards to replace
// and the miners with repeated faults, by site and rack, ready racks
// first. ?site= keeps one site; the thresholds' query parameters override
// the server's for this request.
func (s *Server) handleMaintenance(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.MaintenanceService, "The maintenance queue is") {
		return
	}
	th, err := s.maintenanceThresholds(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q, err := s.MaintenanceService.MaintenanceQueue(r.Context(), hearth.MaintenanceFilter{Site: r.URL.Query().Get("site"), Thresholds: th})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

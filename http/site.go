package http

import (
	"net/http"
	"net/url"

	"github.com/hearth-fleet/hearth"
)

// SiteList is the body of GET /api/v1/sites.
type SiteList struct {
	Sites []*hearth.Site `json:"sites"`
}

// SiteRequest is the body of POST /api/v1/sites and PUT
// /api/v1/sites/{name}: the facts of a site. PUT replaces every fact, so a
// field left out is cleared; Name may be left out of a PUT.
type SiteRequest struct {
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	PowerBudget     float64 `json:"power_budget_w"`
	Voltage         float64 `json:"voltage_v"`
	Phases          int     `json:"phases"`
	MainBreaker     float64 `json:"main_breaker_a"`
	PDULimitCurrent float64 `json:"pdu_limit_a"`
	PDULimitPower   float64 `json:"pdu_limit_w"`
	TimeZone        string  `json:"time_zone"`
	// RampUpPerMinute and RampDownPerMinute are the power controller's
	// ramp limits in W per minute; 0 means none.
	RampUpPerMinute   float64 `json:"ramp_up_w_per_min"`
	RampDownPerMinute float64 `json:"ramp_down_w_per_min"`
}

// site returns the site the request describes.
func (req SiteRequest) site() *hearth.Site {
	return &hearth.Site{Name: req.Name, Description: req.Description, PowerBudget: req.PowerBudget, Voltage: req.Voltage,
		Phases: req.Phases, MainBreaker: req.MainBreaker, PDULimitCurrent: req.PDULimitCurrent,
		PDULimitPower: req.PDULimitPower, TimeZone: req.TimeZone, RampUpPerMinute: req.RampUpPerMinute, RampDownPerMinute: req.RampDownPerMinute}
}

// sitesEnabled answers 404 and returns false when the server has no
// SiteService.
func (s *Server) sitesEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.SiteService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Sites are not enabled on this server."))
		return false
	}
	return true
}

// handleListSites serves GET /api/v1/sites.
func (s *Server) handleListSites(w http.ResponseWriter, r *http.Request) {
	if !s.sitesEnabled(w, r) {
		return
	}
	sites, err := s.SiteService.FindSites(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SiteList{Sites: sites})
}

// handleCreateSite serves POST /api/v1/sites.
func (s *Server) handleCreateSite(w http.ResponseWriter, r *http.Request) {
	if !s.sitesEnabled(w, r) {
		return
	}
	var req SiteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	site := req.site()
	if err := s.SiteService.CreateSite(r.Context(), site); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "site added", "site", site.Name)
	w.Header().Set("Location", "/api/v1/sites/"+url.PathEscape(site.Name))
	writeJSON(w, http.StatusCreated, site)
}

// handleGetSite serves GET /api/v1/sites/{name}.
func (s *Server) handleGetSite(w http.ResponseWriter, r *http.Request) {
	if !s.sitesEnabled(w, r) {
		return
	}
	site, err := s.SiteService.FindSiteByName(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, site)
}

// handleUpdateSite serves PUT /api/v1/sites/{name}. The name cannot be
// changed: miners and credentials refer to it.
func (s *Server) handleUpdateSite(w http.ResponseWriter, r *http.Request) {
	if !s.sitesEnabled(w, r) {
		return
	}
	var req SiteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	name := r.PathValue("name")
	if req.Name != "" && req.Name != name {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Field name %q differs from the site %q in the URL; a site cannot be renamed.", req.Name, name))
		return
	}
	req.Name = name
	site := req.site()
	if err := s.SiteService.UpdateSite(r.Context(), site); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "site changed", "site", site.Name)
	writeJSON(w, http.StatusOK, site)
}

// handleDeleteSite serves DELETE /api/v1/sites/{name}.
func (s *Server) handleDeleteSite(w http.ResponseWriter, r *http.Request) {
	if !s.sitesEnabled(w, r) {
		return
	}
	if err := s.SiteService.DeleteSite(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

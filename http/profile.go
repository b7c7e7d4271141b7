package http

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hearth-fleet/hearth"
)

// ProfileItem is one named power profile as the API shows it: the profile
// and what refers to it.
type ProfileItem struct {
	*hearth.Profile
	// UsedBy names the desired-state scopes and schedules that refer to
	// the profile ("site barn", "schedule night (sch_…)"); a profile in use
	// cannot be deleted.
	UsedBy []string `json:"used_by"`
}

// ProfileList is the body of GET /api/v1/profiles.
type ProfileList struct {
	Profiles []ProfileItem `json:"profiles"`
}

// ProfileRequest is the body of POST /api/v1/profiles and PUT
// /api/v1/profiles/{name}. A PUT replaces the whole profile.
type ProfileRequest struct {
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Mode        hearth.PowerMode   `json:"mode"`
	Watts       float64            `json:"watts"`
	ModelWatts  map[string]float64 `json:"model_watts"`
}

// profile returns the profile req describes under name.
func (req ProfileRequest) profile(name string) *hearth.Profile {
	return &hearth.Profile{Name: name, Description: req.Description, Mode: req.Mode, Watts: req.Watts, ModelWatts: req.ModelWatts}
}

// profilesEnabled answers 404 and returns false when the server has no
// ProfileService.
func (s *Server) profilesEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.ProfileService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Power profiles are not enabled on this server."))
		return false
	}
	return true
}

// handleListProfiles serves GET /api/v1/profiles.
func (s *Server) handleListProfiles(w http.ResponseWriter, r *http.Request) {
	if !s.profilesEnabled(w, r) {
		return
	}
	profiles, err := s.ProfileService.FindProfiles(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	users, err := s.profileUsers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list := ProfileList{Profiles: make([]ProfileItem, 0, len(profiles))}
	for _, p := range profiles {
		list.Profiles = append(list.Profiles, ProfileItem{Profile: p, UsedBy: users(p.Name)})
	}
	writeJSON(w, http.StatusOK, list)
}

// handleCreateProfile serves POST /api/v1/profiles: 409 when the name is
// taken (replace a profile with PUT). Two concurrent creations of one name
// may both succeed, the later one winning, as with two PUTs.
func (s *Server) handleCreateProfile(w http.ResponseWriter, r *http.Request) {
	if !s.profilesEnabled(w, r) {
		return
	}
	var req ProfileRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	p := req.profile(req.Name)
	if err := p.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.ProfileService.FindProfileByName(r.Context(), p.Name); err == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ECONFLICT, "Profile %q exists already; change it with PUT /api/v1/profiles/%s.", p.Name, url.PathEscape(p.Name)))
		return
	} else if hearth.ErrorCode(err) != hearth.ENOTFOUND {
		s.writeError(w, r, err)
		return
	}
	if err := s.ProfileService.SetProfile(r.Context(), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "profile added", "profile", p.Name)
	w.Header().Set("Location", "/api/v1/profiles/"+url.PathEscape(p.Name))
	s.writeProfile(w, r, p.Name, http.StatusCreated)
}

// handleGetProfile serves GET /api/v1/profiles/{name}.
func (s *Server) handleGetProfile(w http.ResponseWriter, r *http.Request) {
	if !s.profilesEnabled(w, r) {
		return
	}
	s.writeProfile(w, r, r.PathValue("name"), http.StatusOK)
}

// handleSetProfile serves PUT /api/v1/profiles/{name}: it creates or
// replaces the profile.
func (s *Server) handleSetProfile(w http.ResponseWriter, r *http.Request) {
	if !s.profilesEnabled(w, r) {
		return
	}
	var req ProfileRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	name := r.PathValue("name")
	if req.Name != "" && req.Name != name {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Field name %q differs from the profile %q in the URL; a profile cannot be renamed.", req.Name, name))
		return
	}
	if err := s.ProfileService.SetProfile(r.Context(), req.profile(name)); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "profile set", "profile", name)
	s.writeProfile(w, r, name, http.StatusOK)
}

// handleDeleteProfile serves DELETE /api/v1/profiles/{name}: 409 while a
// desired state or schedule refers to it.
func (s *Server) handleDeleteProfile(w http.ResponseWriter, r *http.Request) {
	if !s.profilesEnabled(w, r) {
		return
	}
	if err := s.ProfileService.DeleteProfile(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeProfile answers with the profile as stored now and its users.
func (s *Server) writeProfile(w http.ResponseWriter, r *http.Request, name string, status int) {
	p, err := s.ProfileService.FindProfileByName(r.Context(), name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	users, err := s.profileUsers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, ProfileItem{Profile: p, UsedBy: users(p.Name)})
}

// profileUsers reads the desired states and schedules once and returns
// what refers to a profile, never nil; without those services nothing
// does.
func (s *Server) profileUsers(ctx context.Context) (func(name string) []string, error) {
	var records []*hearth.DesiredRecord
	var schedules []*hearth.Schedule
	var err error
	if s.DesiredStateService != nil {
		if records, err = s.DesiredStateService.FindDesired(ctx, hearth.DesiredFilter{}); err != nil {
			return nil, err
		}
	}
	if s.ScheduleService != nil {
		if schedules, err = s.ScheduleService.FindSchedules(ctx); err != nil {
			return nil, err
		}
	}
	return func(name string) []string {
		if users := hearth.ProfileUsers(name, records, schedules); users != nil {
			return users
		}
		return []string{}
	}, nil
}

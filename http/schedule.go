package http

import (
	"net/http"
	"net/url"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/schedule"
)

// ScheduleList is the body of GET /api/v1/schedules.
type ScheduleList struct {
	Schedules []*ScheduleView `json:"schedules"`
}

// ScheduleView is a schedule as the API shows it: the stored schedule and,
// read-only, when its windows next open and close, computed in its time
// zone and given in UTC, so that a user interface need not parse the
// recurrence to say "opens tonight at 22:00".
type ScheduleView struct {
	*hearth.Schedule
	// InForce reports whether a window is open now.
	InForce bool `json:"in_force"`
	// NextOpening is the start of the next window that opens after now;
	// zero when none will (disabled, or a one-off already started).
	NextOpening time.Time `json:"next_opening,omitzero"`
	// NextClosing is the end of the window in force now, or else of the
	// next window; zero when there is neither.
	NextClosing time.Time `json:"next_closing,omitzero"`
}

// viewSchedule returns sc with its next window times at now. A schedule
// that does not compile (stored by an older version) is shown without
// them rather than failing the whole list.
func viewSchedule(sc *hearth.Schedule, now time.Time) *ScheduleView {
	v := &ScheduleView{Schedule: sc}
	plan, err := schedule.Compile(sc)
	if err != nil {
		return v
	}
	_, curEnd, open := plan.Current(now)
	start, end, next := plan.Next(now)
	v.InForce = open
	if next {
		v.NextOpening = start.UTC()
		v.NextClosing = end.UTC()
	}
	if open {
		v.NextClosing = curEnd.UTC()
	}
	return v
}

// ScheduleRequest is the body of POST /api/v1/schedules and PUT
// /api/v1/schedules/{id}: a whole schedule. Enabled defaults to true, so
// that a schedule added without it runs; PUT replaces every field.
type ScheduleRequest struct {
	Name       string        `json:"name"`
	Target     hearth.Scope  `json:"target"`
	Change     hearth.Change `json:"change"`
	Start      time.Time     `json:"start,omitzero"`
	End        time.Time     `json:"end,omitzero"`
	Recurrence string        `json:"recurrence,omitempty"`
	TimeZone   string        `json:"time_zone,omitempty"`
	Enabled    *bool         `json:"enabled,omitempty"`
}

// schedule returns the schedule the request describes, with ID id.
func (req ScheduleRequest) schedule(id string) *hearth.Schedule {
	s := &hearth.Schedule{ID: id, Name: req.Name, Target: req.Target, Change: req.Change, Start: req.Start, End: req.End,
		Recurrence: req.Recurrence, TimeZone: req.TimeZone, Enabled: req.Enabled == nil || *req.Enabled}
	if string(s.Change.Payload) == "null" {
		s.Change.Payload = nil
	}
	return s
}

// schedulesEnabled answers 404 and returns false when the server has no
// ScheduleService.
func (s *Server) schedulesEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.ScheduleService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Schedules are not enabled on this server."))
		return false
	}
	return true
}

// handleListSchedules serves GET /api/v1/schedules.
func (s *Server) handleListSchedules(w http.ResponseWriter, r *http.Request) {
	if !s.schedulesEnabled(w, r) {
		return
	}
	list, err := s.ScheduleService.FindSchedules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	views := make([]*ScheduleView, 0, len(list))
	for _, sc := range list {
		views = append(views, viewSchedule(sc, now))
	}
	writeJSON(w, http.StatusOK, ScheduleList{Schedules: views})
}

// handleCreateSchedule serves POST /api/v1/schedules.
func (s *Server) handleCreateSchedule(w http.ResponseWriter, r *http.Request) {
	if !s.schedulesEnabled(w, r) {
		return
	}
	var req ScheduleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	sc := req.schedule("")
	if err := s.ScheduleService.CreateSchedule(r.Context(), sc); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "schedule added", "schedule", sc.ID, "name", sc.Name)
	w.Header().Set("Location", "/api/v1/schedules/"+url.PathEscape(sc.ID))
	writeJSON(w, http.StatusCreated, viewSchedule(sc, s.now()))
}

// handleGetSchedule serves GET /api/v1/schedules/{id}.
func (s *Server) handleGetSchedule(w http.ResponseWriter, r *http.Request) {
	if !s.schedulesEnabled(w, r) {
		return
	}
	sc, err := s.ScheduleService.FindScheduleByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewSchedule(sc, s.now()))
}

// handleUpdateSchedule serves PUT /api/v1/schedules/{id}.
func (s *Server) handleUpdateSchedule(w http.ResponseWriter, r *http.Request) {
	if !s.schedulesEnabled(w, r) {
		return
	}
	var req ScheduleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	sc := req.schedule(r.PathValue("id"))
	if err := s.ScheduleService.UpdateSchedule(r.Context(), sc); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "schedule changed", "schedule", sc.ID, "name", sc.Name)
	writeJSON(w, http.StatusOK, viewSchedule(sc, s.now()))
}

// handleDeleteSchedule serves DELETE /api/v1/schedules/{id}. A window in
// force closes, so its change is reverted.
func (s *Server) handleDeleteSchedule(w http.ResponseWriter, r *http.Request) {
	if !s.schedulesEnabled(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := s.ScheduleService.DeleteSchedule(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "schedule removed", "schedule", id)
	w.WriteHeader(http.StatusNoContent)
}

package http

import (
	"context"
	"net/http"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/program"
)

// PowerProgramList is the body of GET /api/v1/power/programs: every
// program, secrets redacted, with how its runner is doing.
type PowerProgramList struct {
	Programs []PowerProgramItem `json:"programs"`
}

// PowerProgramItem is one program and its runner's status.
type PowerProgramItem struct {
	hearth.PowerProgram
	Status *program.ProgramStatus `json:"status,omitempty"`
}

// ProgramStatusFunc reports how each program's runner is doing.
type ProgramStatusFunc func(ctx context.Context) ([]program.ProgramStatus, error)

// programsEnabled answers 404 and returns false when the server has no
// PowerProgramService.
func (s *Server) programsEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.PowerProgramService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Power programs are not enabled on this server."))
		return false
	}
	return true
}

// statusOf returns the status of each program by name.
func (s *Server) programStatuses(ctx context.Context) map[string]program.ProgramStatus {
	out := map[string]program.ProgramStatus{}
	if s.ProgramStatus == nil {
		return out
	}
	list, err := s.ProgramStatus(ctx)
	if err != nil {
		return out
	}
	for _, st := range list {
		out[st.Name] = st
	}
	return out
}

// handleListPrograms serves GET /api/v1/power/programs.
func (s *Server) handleListPrograms(w http.ResponseWriter, r *http.Request) {
	if !s.programsEnabled(w, r) {
		return
	}
	list, err := s.PowerProgramService.FindPowerPrograms(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	statuses := s.programStatuses(r.Context())
	out := PowerProgramList{Programs: make([]PowerProgramItem, 0, len(list))}
	for _, p := range list {
		item := PowerProgramItem{PowerProgram: p.Redacted()}
		if st, ok := statuses[p.Name]; ok {
			item.Status = &st
		}
		out.Programs = append(out.Programs, item)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGetProgram serves GET /api/v1/power/programs/{name}.
func (s *Server) handleGetProgram(w http.ResponseWriter, r *http.Request) {
	if !s.programsEnabled(w, r) {
		return
	}
	p, err := s.PowerProgramService.FindPowerProgramByName(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	item := PowerProgramItem{PowerProgram: p.Redacted()}
	if st, ok := s.programStatuses(r.Context())[p.Name]; ok {
		item.Status = &st
	}
	writeJSON(w, http.StatusOK, item)
}

// handleSetProgram serves PUT /api/v1/power/programs/{name}: create or
// replace a program. Its kind checks the settings before it is stored; a
// secret of "***" keeps the stored one.
func (s *Server) handleSetProgram(w http.ResponseWriter, r *http.Request) {
	if !s.programsEnabled(w, r) {
		return
	}
	var p hearth.PowerProgram
	if err := decodeJSON(w, r, &p); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	p.Name = r.PathValue("name")
	if err := s.PowerProgramService.SetPowerProgram(r.Context(), &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "power program set", "program", p.Name, "kind", string(p.Kind), "sites", p.Sites,
		"enabled", p.Enabled, "actor", s.actor(r))
	writeJSON(w, http.StatusOK, PowerProgramItem{PowerProgram: p.Redacted()})
}

// handleDeleteProgram serves DELETE /api/v1/power/programs/{name}; the
// program's requests are withdrawn with it.
func (s *Server) handleDeleteProgram(w http.ResponseWriter, r *http.Request) {
	if !s.programsEnabled(w, r) {
		return
	}
	name := r.PathValue("name")
	if err := s.PowerProgramService.DeletePowerProgram(r.Context(), name); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "power program removed", "program", name, "actor", s.actor(r))
	w.WriteHeader(http.StatusNoContent)
}

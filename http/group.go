package http

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// GroupList is the body of GET /api/v1/groups.
type GroupList struct {
	Groups []*hearth.Group `json:"groups"`
}

// GroupRequest is the body of POST /api/v1/groups and PUT
// /api/v1/groups/{name}. Miners, on creation, are the first members.
type GroupRequest struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Miners      []string `json:"miners,omitempty"`
}

// MembersRequest is the body of POST /api/v1/groups/{name}/members.
type MembersRequest struct {
	Miners []string `json:"miners"`
}

// groupsEnabled answers 404 and returns false when the server has no
// GroupService.
func (s *Server) groupsEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.GroupService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Groups are not enabled on this server."))
		return false
	}
	return true
}

// handleListGroups serves GET /api/v1/groups.
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	groups, err := s.GroupService.FindGroups(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, GroupList{Groups: groups})
}

// handleCreateGroup serves POST /api/v1/groups. A group whose first
// members cannot all be added is not created.
func (s *Server) handleCreateGroup(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	var req GroupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	g := &hearth.Group{Name: req.Name, Description: req.Description}
	if err := s.GroupService.CreateGroup(r.Context(), g); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Miners) > 0 {
		if err := s.GroupService.AddGroupMembers(r.Context(), g.Name, req.Miners); err != nil {
			if derr := s.GroupService.DeleteGroup(r.Context(), g.Name); derr != nil {
				s.logger().ErrorContext(r.Context(), "undo group creation", "group", g.Name, "err", derr)
			}
			s.writeError(w, r, err)
			return
		}
	}
	s.logger().InfoContext(r.Context(), "group added", "group", g.Name, "members", len(req.Miners))
	w.Header().Set("Location", "/api/v1/groups/"+url.PathEscape(g.Name))
	s.writeGroup(w, r, g.Name, http.StatusCreated)
}

// handleGetGroup serves GET /api/v1/groups/{name}.
func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	s.writeGroup(w, r, r.PathValue("name"), http.StatusOK)
}

// handleUpdateGroup serves PUT /api/v1/groups/{name}: its description.
func (s *Server) handleUpdateGroup(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	var req GroupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	name := r.PathValue("name")
	if req.Name != "" && req.Name != name {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Field name %q differs from the group %q in the URL; a group cannot be renamed.", req.Name, name))
		return
	}
	if req.Miners != nil {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Change a group's miners through /api/v1/groups/%s/members.", url.PathEscape(name)))
		return
	}
	if err := s.GroupService.UpdateGroup(r.Context(), &hearth.Group{Name: name, Description: req.Description}); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeGroup(w, r, name, http.StatusOK)
}

// handleDeleteGroup serves DELETE /api/v1/groups/{name}.
func (s *Server) handleDeleteGroup(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	if err := s.GroupService.DeleteGroup(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAddGroupMembers serves POST /api/v1/groups/{name}/members.
func (s *Server) handleAddGroupMembers(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	var req MembersRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	if len(req.Miners) == 0 {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, `Field miners must list at least one miner ID.`))
		return
	}
	name := r.PathValue("name")
	if err := s.GroupService.AddGroupMembers(r.Context(), name, req.Miners); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeGroup(w, r, name, http.StatusOK)
}

// handleRemoveGroupMembers serves DELETE
// /api/v1/groups/{name}/members?miner=ID&miner=ID (or miner=ID,ID).
func (s *Server) handleRemoveGroupMembers(w http.ResponseWriter, r *http.Request) {
	if !s.groupsEnabled(w, r) {
		return
	}
	var ids []string
	for _, v := range r.URL.Query()["miner"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Name the miners to remove with the miner parameter."))
		return
	}
	name := r.PathValue("name")
	if err := s.GroupService.RemoveGroupMembers(r.Context(), name, ids); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeGroup(w, r, name, http.StatusOK)
}

// writeGroup answers with the group as stored now.
func (s *Server) writeGroup(w http.ResponseWriter, r *http.Request, name string, status int) {
	g, err := s.GroupService.FindGroupByName(r.Context(), name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, g)
}

package http

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// maxRuleFileBody caps the body of PUT /api/v1/rules/{name}: a rule file is
// YAML, larger than the JSON bodies of the rest of the API.
const maxRuleFileBody = 1 << 20

// RuleService keeps the user's alerting rule files and reloads the rule
// engine; alerting.Manager implements it.
type RuleService interface {
	// RuleFileNames lists the rule files by name.
	RuleFileNames() ([]string, error)
	// RuleFile returns the content of a rule file (ENOTFOUND).
	RuleFile(name string) (string, error)
	// SetRuleFile validates, stores and loads a rule file (EINVALID with
	// the rule-file parser's messages).
	SetRuleFile(ctx context.Context, name string, content []byte) error
	// DeleteRuleFile removes a rule file and unloads its rules.
	DeleteRuleFile(ctx context.Context, name string) error
	// ReloadRules re-reads every rule file.
	ReloadRules(ctx context.Context) error
}

// ruleRoutes lists the operations on user rule files.
func (s *Server) ruleRoutes() []route {
	return []route{
		{http.MethodGet, "/api/v1/rules", s.handleListRuleFiles},
		{http.MethodPost, "/api/v1/rules/-/reload", s.handleReloadRules},
		{http.MethodGet, "/api/v1/rules/{name}", s.handleGetRuleFile},
		{http.MethodPut, "/api/v1/rules/{name}", s.handleSetRuleFile},
		{http.MethodDelete, "/api/v1/rules/{name}", s.handleDeleteRuleFile},
	}
}

// rulesEnabled answers 404 and returns false when no RuleService is set.
func (s *Server) rulesEnabled(w http.ResponseWriter) bool {
	if s.Rules == nil {
		writeErrorResponse(w, http.StatusNotFound, hearth.ENOTFOUND, "Alerting rules are not enabled on this server.")
		return false
	}
	return true
}

// RuleFileList is the answer of GET /api/v1/rules.
type RuleFileList struct {
	Files []string `json:"files"`
}

// handleListRuleFiles serves GET /api/v1/rules: the user's rule files.
func (s *Server) handleListRuleFiles(w http.ResponseWriter, r *http.Request) {
	if !s.rulesEnabled(w) {
		return
	}
	names, err := s.Rules.RuleFileNames()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if names == nil {
		names = []string{}
	}
	writeJSON(w, http.StatusOK, RuleFileList{Files: names})
}

// handleGetRuleFile serves GET /api/v1/rules/{name}: the file as YAML.
func (s *Server) handleGetRuleFile(w http.ResponseWriter, r *http.Request) {
	if !s.rulesEnabled(w) {
		return
	}
	content, err := s.Rules.RuleFile(r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, content)
}

// handleSetRuleFile serves PUT /api/v1/rules/{name}: the body is a rule
// file in the Prometheus format; it is validated, stored and loaded.
func (s *Server) handleSetRuleFile(w http.ResponseWriter, r *http.Request) {
	if !s.rulesEnabled(w) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRuleFileBody))
	var sizeErr *http.MaxBytesError
	if errors.As(err, &sizeErr) {
		writeErrorResponse(w, http.StatusRequestEntityTooLarge, hearth.ETOOLARGE, "The rule file is larger than 1 MiB.")
		return
	} else if err != nil {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Reading the rule file: %v.", err))
		return
	}
	if err := s.Rules.SetRuleFile(r.Context(), r.PathValue("name"), body); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeleteRuleFile serves DELETE /api/v1/rules/{name}.
func (s *Server) handleDeleteRuleFile(w http.ResponseWriter, r *http.Request) {
	if !s.rulesEnabled(w) {
		return
	}
	if err := s.Rules.DeleteRuleFile(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleReloadRules serves POST /api/v1/rules/-/reload: re-read the rule
// files, after they were edited on disk.
func (s *Server) handleReloadRules(w http.ResponseWriter, r *http.Request) {
	if !s.rulesEnabled(w) {
		return
	}
	if err := s.Rules.ReloadRules(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package http

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ActionRequest is the body of POST /api/v1/actions.
type ActionRequest struct {
	Selector string              `json:"selector"`
	Verb     hearth.Verb         `json:"verb"`
	Watts    float64             `json:"watts,omitempty"`
	Duration string              `json:"duration,omitempty"`
	Pools    []hearth.PoolConfig `json:"pools,omitempty"`
	// Fan is fan-mode's setting: "auto", or a fixed speed in percent
	// ("70").
	Fan string `json:"fan,omitempty"`
}

// AuditList is the body of GET /api/v1/audit.
type AuditList struct {
	Entries []*hearth.AuditEntry `json:"entries"`
}

// action returns the domain action the request describes.
func (req ActionRequest) action() (hearth.Action, error) {
	a := hearth.Action{Verb: req.Verb, Watts: req.Watts, Pools: req.Pools}
	if req.Fan != "" {
		f, err := parseFanMode(req.Fan)
		if err != nil {
			return a, err
		}
		a.Fan = &f
	}
	if req.Duration != "" {
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d < 0 {
			return a, hearth.Errorf(hearth.EINVALID, "Duration %q is not a duration such as 10m.", req.Duration)
		}
		a.Duration = d
	}
	return a, a.Validate()
}

// handleAction serves POST /api/v1/actions: the verb runs on every
// selected miner and the answer lists each miner's result. The actor in
// the audit log is the name of the token that asked.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	if s.Actions == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Control actions are not enabled on this server."))
		return
	}
	var req ActionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	a, err := req.action()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	actor := s.actor(r)
	e, err := s.Actions(r.Context(), actor, req.Selector, a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "action", "verb", string(a.Verb), "selector", req.Selector, "miners", len(e.Results), "actor", actor)
	writeJSON(w, http.StatusOK, e)
}

// handleAudit serves GET /api/v1/audit: the fleet's log, or with miner
// the entries of one miner, newest first, a page at a time.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if s.AuditService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "The audit log is not enabled on this server."))
		return
	}
	q := r.URL.Query()
	f := hearth.AuditFilter{Miner: q.Get("miner")}
	var limit int64
	if err := queryPositive(q, "limit", &limit); err != nil {
		s.writeError(w, r, err)
		return
	}
	// A larger limit than the stores give at once is cut to it rather
	// than refused; older entries are fetched page by page with before.
	limit = min(limit, hearth.MaxAuditLimit)
	f.Limit = int(limit)
	if err := queryPositive(q, "before", &f.BeforeID); err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.AuditService.FindAudit(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AuditList{Entries: entries})
}

// ActionFunc runs a control action for the API; see Server.Actions.
type ActionFunc func(ctx context.Context, actor, selector string, a hearth.Action) (*hearth.AuditEntry, error)

// parseFanMode reads "auto" or a speed in percent ("70", "70%").
func parseFanMode(s string) (hearth.FanMode, error) {
	if strings.EqualFold(strings.TrimSpace(s), "auto") {
		return hearth.FanMode{Auto: true}, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil {
		return hearth.FanMode{}, hearth.Errorf(hearth.EINVALID, `Fan mode %q is neither "auto" nor a speed in percent.`, s)
	}
	f := hearth.FanMode{Percent: n}
	return f, f.Validate()
}

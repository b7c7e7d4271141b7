package http

import (
	"context"
	"net/http"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
)

// AggregateService takes the reports of child hearths and answers their
// targets; *aggregate.Aggregator is one.
type AggregateService interface {
	// Report records the report of the child named child (its token's
	// name) and returns the child's current targets.
	Report(ctx context.Context, child string, r *aggregate.Report) (*aggregate.Answer, error)
	// Children returns every child heard from, with its last report and
	// targets, the lost ones marked.
	Children() []aggregate.ChildStatus
}

// childrenBody is the answer of GET /api/v1/aggregate/children.
type childrenBody struct {
	Children []aggregate.ChildStatus `json:"children"`
}

// handleAggregateChildren serves GET /api/v1/aggregate/children: the child
// hearths of this aggregator, what each reported and was answered, and
// which are lost, so that the operator of an aggregate sees who takes
// part and who has gone silent.
func (s *Server) handleAggregateChildren(w http.ResponseWriter, r *http.Request) {
	if s.Aggregate == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "This hearth is not an aggregator: start it with aggregate sites."))
		return
	}
	writeJSON(w, http.StatusOK, childrenBody{Children: s.Aggregate.Children()})
}

// handleAggregateReport serves POST /api/v1/aggregate/report: a child
// hearth reports its sites' flexible capacity and receives its targets in
// the answer, so that one outbound call is both report and poll. The
// token's name identifies the child.
func (s *Server) handleAggregateReport(w http.ResponseWriter, r *http.Request) {
	if s.Aggregate == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "This hearth is not an aggregator: start it with aggregate sites."))
		return
	}
	name := requestLogFrom(r.Context()).tokenName
	if name == "" {
		s.writeError(w, r, hearth.Errorf(hearth.EUNAUTHORIZED, "A child reports with an API token of this hearth; its name names the child."))
		return
	}
	var rep aggregate.Report
	if err := decodeJSON(w, r, &rep); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	ans, err := s.Aggregate.Report(r.Context(), name, &rep)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

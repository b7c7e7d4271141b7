package http

import (
	"net/http"
	"slices"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

// DesiredList is the body of GET /api/v1/desired: every stored desired
// state, pool passwords redacted.
type DesiredList struct {
	Desired []*hearth.DesiredRecord `json:"desired"`
}

// DriftReport is the body of GET /api/v1/drift: how far each miner is from
// its desired state, its last command error, and per site the commands in
// flight against the batch limit.
type DriftReport struct {
	Miners []reconcile.Drift              `json:"miners"`
	Sites  map[string]reconcile.SiteStats `json:"sites"`
}

// Drift is one miner's drift.
type Drift = reconcile.Drift

// DriftFunc reports drift; with onlyDrifting, miners in sync without an
// error are left out.
type DriftFunc func(onlyDrifting bool) DriftReport

// handleListDesired serves GET /api/v1/desired[?kind=site|group|miner].
func (s *Server) handleListDesired(w http.ResponseWriter, r *http.Request) {
	if s.DesiredStateService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Desired state is not enabled on this server."))
		return
	}
	f := hearth.DesiredFilter{Kind: hearth.ScopeKind(r.URL.Query().Get("kind"))}
	if id := r.URL.Query().Get("id"); id != "" {
		if f.Kind == "" {
			s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "Give the kind (site, group or miner) with the id."))
			return
		}
		f = hearth.DesiredFilter{Scopes: []hearth.Scope{{Kind: f.Kind, ID: id}}}
	}
	list, err := s.DesiredStateService.FindDesired(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, d := range list {
		d.State = d.State.Redacted()
	}
	writeJSON(w, http.StatusOK, DesiredList{Desired: list})
}

// handleSetDesired serves PUT /api/v1/desired: it replaces the desired
// state of one scope. The reconciler applies it after the next poll of each
// miner it covers.
func (s *Server) handleSetDesired(w http.ResponseWriter, r *http.Request) {
	if s.DesiredStateService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Desired state is not enabled on this server."))
		return
	}
	var d hearth.DesiredRecord
	if err := decodeJSON(w, r, &d); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	if err := s.keepPoolPasswords(r, &d); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.DesiredStateService.SetDesired(r.Context(), &d); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "desired state set", "kind", string(d.Scope.Kind), "id", d.Scope.ID)
	d.State = d.State.Redacted()
	writeJSON(w, http.StatusOK, &d)
}

// redactedPassword is what replies show for a pool password that is set.
const redactedPassword = "***"

// keepPoolPasswords lets a client write back a desired state it read, pool
// passwords redacted, without knowing them: a pool whose password is
// redactedPassword keeps the password stored for the scope's pool with the
// same URL. Passwords are write-only, so the web editor relies on it to
// change a pool's user without asking for its password again. With no such
// stored pool the write is EINVALID rather than storing "***".
func (s *Server) keepPoolPasswords(r *http.Request, d *hearth.DesiredRecord) error {
	var stored []hearth.PoolTemplate
	looked := false
	for i := range d.State.Pools {
		p := &d.State.Pools[i]
		if p.Password != redactedPassword {
			continue
		}
		if !looked {
			list, err := s.DesiredStateService.FindDesired(r.Context(), hearth.DesiredFilter{Scopes: []hearth.Scope{d.Scope}})
			if err != nil {
				return err
			}
			for _, rec := range list {
				if rec.Scope == d.Scope {
					stored = rec.State.Pools
				}
			}
			looked = true
		}
		i := slices.IndexFunc(stored, func(o hearth.PoolTemplate) bool { return o.URL == p.URL && o.Password != "" })
		if i < 0 {
			return hearth.Errorf(hearth.EINVALID, "Pool %s has no stored password to keep; give its password.", p.URL)
		}
		p.Password = stored[i].Password
	}
	return nil
}

// handleDeleteDesired serves DELETE /api/v1/desired?kind=&id=. What the
// scope set is then inherited from wider scopes, or left as it is.
func (s *Server) handleDeleteDesired(w http.ResponseWriter, r *http.Request) {
	if s.DesiredStateService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Desired state is not enabled on this server."))
		return
	}
	sc := hearth.Scope{Kind: hearth.ScopeKind(r.URL.Query().Get("kind")), ID: r.URL.Query().Get("id")}
	if err := sc.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.DesiredStateService.DeleteDesired(r.Context(), sc); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDrift serves GET /api/v1/drift[?all=true][&miner=ID]. With
// miner, the report holds that miner alone (or no miner when it has not
// been compared yet), so that a miner's page need not load the fleet's.
func (s *Server) handleDrift(w http.ResponseWriter, r *http.Request) {
	if s.Drift == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "The reconciler is not running on this server."))
		return
	}
	all := r.URL.Query().Get("all")
	rep := s.Drift(all != "true" && all != "1")
	if id := r.URL.Query().Get("miner"); id != "" {
		rep.Miners = slices.DeleteFunc(rep.Miners, func(d Drift) bool { return d.MinerID != id })
	}
	writeJSON(w, http.StatusOK, rep)
}

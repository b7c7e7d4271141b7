package http

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hearth-fleet/hearth"
)

// identifyTimeout bounds the probe of a machine being added, so that adding
// an address where nothing answers fails in seconds rather than hanging the
// client. The drivers' own timeouts are shorter; this is the backstop.
const identifyTimeout = 20 * time.Second

// MinerView is a miner as the API shows it: the inventory record with
// its fields at the top level, its live status, and in the detail view the
// latest reading.
type MinerView struct {
	*hearth.Miner
	Status StatusSummary `json:"status"`
	// Latest is the latest reading, also when the miner is offline (its
	// time says how old it is). Only the detail view includes it.
	Latest *hearth.Reading `json:"latest,omitempty"`
	// Now is the server's clock, in single-miner responses.
	Now time.Time `json:"now,omitzero"`
}

// MinerList is the body of GET /api/v1/miners.
type MinerList struct {
	Miners []MinerView `json:"miners"`
	// Total counts the miners matching the filters, before limit and
	// offset, so that a client can page.
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
	Now    time.Time `json:"now"`
}

// handleListMiners serves GET /api/v1/miners.
func (s *Server) handleListMiners(w http.ResponseWriter, r *http.Request) {
	q, err := parseMinerQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, total, err := s.findMiners(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, MinerList{
		Miners: items,
		Total:  total,
		Limit:  q.filter.Limit,
		Offset: q.filter.Offset,
		Now:    s.now(),
	})
}

// handleGetMiner serves GET /api/v1/miners/{id}.
func (s *Server) handleGetMiner(w http.ResponseWriter, r *http.Request) {
	m, err := s.MinerService.FindMinerByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.minerDetail(m))
}

// minerDetail returns m with its full status.
func (s *Server) minerDetail(m *hearth.Miner) MinerView {
	st := s.minerStatus(m.ID)
	return MinerView{Miner: m, Status: summarize(st), Latest: st.Latest, Now: s.now()}
}

// handleDeleteMiner serves DELETE /api/v1/miners/{id}.
func (s *Server) handleDeleteMiner(w http.ResponseWriter, r *http.Request) {
	if err := s.MinerService.DeleteMiner(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleCreateMiner serves POST /api/v1/miners. When the request names no
// family, the machine is identified first and the miner takes its family,
// model, firmware, serial, MAC and host name from what it says; a miner
// that cannot be identified is not added (422 when nothing recognisable
// answered, 502 or 504 when the machine could not be reached), and giving
// the family adds it without probing, for machines that are off.
func (s *Server) handleCreateMiner(w http.ResponseWriter, r *http.Request) {
	var req CreateMinerRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	m, err := req.miner()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if m.Family == "" {
		if err := s.identify(r.Context(), m); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := m.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.MinerService.CreateMiner(r.Context(), m); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "miner added", "miner", m.ID, "address", m.Address, "family", string(m.Family), "model", m.Model)
	w.Header().Set("Location", "/api/v1/miners/"+url.PathEscape(m.ID))
	writeJSON(w, http.StatusCreated, s.minerDetail(m))
}

// identify probes m's address and fills m from the identity found.
func (s *Server) identify(ctx context.Context, m *hearth.Miner) error {
	if s.Identify == nil {
		return hearth.Errorf(hearth.EINVALID, `Miner family required: this server cannot identify miners, so give "family".`)
	}
	ctx, cancel := context.WithTimeout(ctx, identifyTimeout)
	defer cancel()
	id, err := s.Identify(ctx, m.Address, m.Port, m.WebPort, m.APIPort)
	if err != nil {
		code := hearth.ErrorCode(err)
		if code == hearth.EINTERNAL {
			return err
		}
		return hearth.WrapError(code, err, `Cannot identify the miner at %s: %s Give "family" to add it without identification.`,
			m.Address, hearth.ErrorMessage(err))
	}
	if id == nil || id.Family == "" {
		return hearth.Errorf(hearth.EUNSUPPORTED, `Cannot identify the miner at %s: no known miner family answered. Give "family" to add it without identification.`, m.Address)
	}
	m.Family = id.Family
	m.Firmware = id.Firmware
	m.Model = id.Model
	m.Serial = id.Serial
	m.MAC = id.MAC
	m.Hostname = id.Hostname
	if m.Port == 0 {
		m.Port = id.Port
	}
	if m.WebPort == 0 && id.WebPort != 0 {
		m.WebPort = id.WebPort
	}
	if m.APIPort == 0 && id.APIPort != 0 {
		m.APIPort = id.APIPort
	}
	return nil
}

package http

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/power"
)

// Defaults of the power API.
const (
	// DefaultOverrideFor is how long an override lasts when the request
	// gives no end: an override forgotten by its operator must not hold a
	// site for ever.
	DefaultOverrideFor = time.Hour
	// DefaultSignalTTL is how long a plain signal holds unless it is sent
	// again: a publisher that goes silent lets the signal lapse.
	DefaultSignalTTL = 5 * time.Minute
	// MaxPowerRequestFor bounds an override's or signal's length.
	MaxPowerRequestFor = 366 * 24 * time.Hour
)

// PowerReport is the body of GET /api/v1/power: where each site stands,
// and the requests in force now or later.
type PowerReport struct {
	Sites    []power.SiteStatus     `json:"sites"`
	Requests []*hearth.PowerRequest `json:"requests"`
}

// PowerRequestList is the body of GET /api/v1/power/requests.
type PowerRequestList struct {
	Requests []*hearth.PowerRequest `json:"requests"`
}

// PowerCommand is the body of POST /api/v1/power/requests (an operator's
// override) and POST /api/v1/power/signal (a plain signal): what a site's
// power should be, and for how long.
type PowerCommand struct {
	Site string `json:"site"`
	// Kind is limit, shed or resume.
	Kind         hearth.PowerRequestKind `json:"kind"`
	LimitWatts   float64                 `json:"limit_w,omitempty"`
	ShedFraction float64                 `json:"shed_fraction,omitempty"`
	// ID names the request within its source; empty chooses one for an
	// override and "http" for a signal, which a publisher then refreshes.
	ID string `json:"id,omitempty"`
	// Start defaults to now. End, or else For (a Go duration such as
	// "2h"), bounds it: an override defaults to DefaultOverrideFor, a
	// signal to DefaultSignalTTL.
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`
	For    string    `json:"for,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// request turns c into a request from source, created by actor at now.
func (c PowerCommand) request(source hearth.PowerSource, actor string, now time.Time, defaultFor time.Duration) (*hearth.PowerRequest, error) {
	r := &hearth.PowerRequest{ID: c.ID, Source: source, Site: c.Site, Kind: c.Kind, LimitWatts: c.LimitWatts, ShedFraction: c.ShedFraction,
		Start: c.Start, End: c.End, Reason: c.Reason, CreatedBy: actor, CreatedAt: now}
	if r.Start.IsZero() {
		r.Start = now
	}
	if r.End.IsZero() {
		d := defaultFor
		if c.For != "" {
			var err error
			if d, err = time.ParseDuration(c.For); err != nil || d <= 0 {
				return nil, hearth.Errorf(hearth.EINVALID, "\"for\" must be a positive duration such as 30m or 2h, not %q.", c.For)
			}
		}
		if d > MaxPowerRequestFor {
			return nil, hearth.Errorf(hearth.EINVALID, "A power request lasts at most %s.", MaxPowerRequestFor)
		}
		r.End = r.Start.Add(d)
	}
	return r, r.Validate()
}

// powerEnabled answers 404 and returns false when the server has no
// PowerRequestService.
func (s *Server) powerEnabled(w http.ResponseWriter, r *http.Request) bool {
	if s.PowerRequestService == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Power control is not enabled on this server."))
		return false
	}
	return true
}

// handlePower serves GET /api/v1/power.
func (s *Server) handlePower(w http.ResponseWriter, r *http.Request) {
	if !s.powerEnabled(w, r) {
		return
	}
	now := s.now()
	all, err := s.PowerRequestService.FindPowerRequests(r.Context(), hearth.PowerRequestFilter{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep := PowerReport{Sites: []power.SiteStatus{}, Requests: []*hearth.PowerRequest{}}
	for _, req := range all {
		if req.End.IsZero() || req.End.After(now) {
			rep.Requests = append(rep.Requests, req)
		}
	}
	if s.PowerStatus != nil {
		rep.Sites = s.PowerStatus()
	}
	writeJSON(w, http.StatusOK, rep)
}

// handleListPowerRequests serves GET
// /api/v1/power/requests[?site=&source=&active=true].
func (s *Server) handleListPowerRequests(w http.ResponseWriter, r *http.Request) {
	if !s.powerEnabled(w, r) {
		return
	}
	q := r.URL.Query()
	f := hearth.PowerRequestFilter{Site: q.Get("site"), Source: hearth.PowerSource(q.Get("source"))}
	if v := q.Get("active"); v != "" {
		active, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "active must be true or false, not %q.", v))
			return
		}
		if active {
			f.ActiveAt = s.now()
		}
	}
	list, err := s.PowerRequestService.FindPowerRequests(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PowerRequestList{Requests: list})
}

// handleCreateOverride serves POST /api/v1/power/requests: an operator's
// override, which wins over every other source until it ends.
func (s *Server) handleCreateOverride(w http.ResponseWriter, r *http.Request) {
	s.storePowerCommand(w, r, hearth.SourceOverride, newOverrideID, DefaultOverrideFor, http.StatusCreated)
}

// handlePowerSignal serves POST /api/v1/power/signal: the plain signal of
// an aggregator or a home-automation system. A signal lapses after its
// time to live unless sent again, so a publisher that dies cannot hold a
// site curtailed.
func (s *Server) handlePowerSignal(w http.ResponseWriter, r *http.Request) {
	s.storePowerCommand(w, r, hearth.SourceSignal, func() string { return "http" }, DefaultSignalTTL, http.StatusOK)
}

// storePowerCommand reads a PowerCommand and stores it as a request of
// source, with an ID from newID when it names none and an end defaultFor
// after its start when it gives none, answering status with the request.
func (s *Server) storePowerCommand(w http.ResponseWriter, r *http.Request, source hearth.PowerSource, newID func() string, defaultFor time.Duration, status int) {
	if !s.powerEnabled(w, r) {
		return
	}
	var c PowerCommand
	if err := decodeJSON(w, r, &c); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	if c.ID == "" {
		c.ID = newID()
	}
	req, err := c.request(source, s.actor(r), s.now(), defaultFor)
	if err == nil {
		err = s.PowerRequestService.SetPowerRequest(r.Context(), req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "power request", "source", string(source), "site", req.Site, "id", req.ID, "kind", string(req.Kind),
		"limit_w", req.LimitWatts, "shed", req.ShedFraction, "until", req.End, "actor", req.CreatedBy)
	writeJSON(w, status, req)
}

// handleDeletePowerRequest serves DELETE
// /api/v1/power/requests?source=&site=&id=: an operator withdraws an
// override, or a request a source left behind.
func (s *Server) handleDeletePowerRequest(w http.ResponseWriter, r *http.Request) {
	if !s.powerEnabled(w, r) {
		return
	}
	q := r.URL.Query()
	source, site, id := hearth.PowerSource(q.Get("source")), q.Get("site"), q.Get("id")
	if source == "" {
		source = hearth.SourceOverride
	}
	if err := s.PowerRequestService.DeletePowerRequest(r.Context(), source, site, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "power request withdrawn", "source", string(source), "site", site, "id", id, "actor", s.actor(r))
	w.WriteHeader(http.StatusNoContent)
}

// actor names who made r: its token's name.
func (s *Server) actor(r *http.Request) string {
	if name := requestLogFrom(r.Context()).tokenName; name != "" {
		return name
	}
	return "unknown"
}

// newOverrideID returns a fresh override ID, "ovr-" and 8 hex digits.
func newOverrideID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "ovr-" + hex.EncodeToString(b)
}

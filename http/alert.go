package http

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// ReceiverList is the body of GET /api/v1/receivers: every notification
// receiver, secrets redacted, with how its deliveries went.
type ReceiverList struct {
	Receivers []ReceiverItem `json:"receivers"`
}

// ReceiverItem is one receiver and its delivery status (absent for a
// receiver the dispatcher does not run: disabled, or just stored).
type ReceiverItem struct {
	hearth.Receiver
	Status *notify.ReceiverStatus `json:"status,omitempty"`
}

// SilenceList is the body of GET /api/v1/silences.
type SilenceList struct {
	Silences []*hearth.Silence `json:"silences"`
}

// SilenceRequest is the body of POST /api/v1/silences: matchers, and an
// end given as ends_at or as a duration from starts_at (default now),
// "for" ("2h", "30m").
type SilenceRequest struct {
	Matchers []hearth.Matcher `json:"matchers"`
	StartsAt time.Time        `json:"starts_at,omitzero"`
	EndsAt   time.Time        `json:"ends_at,omitzero"`
	For      string           `json:"for,omitempty"`
	Comment  string           `json:"comment,omitempty"`
}

// AlertHistory is the body of GET /api/v1/alerts/history: state changes
// of alerts, newest first.
type AlertHistory struct {
	Events []*hearth.AlertEvent `json:"events"`
	// Acks are the acknowledgement records of the events' alerts, by
	// fingerprint: who acknowledged an alert and when, and whether it
	// switched its miner's fault light on. An acknowledgement covers the
	// events of the alert's firing that began before AckedAt.
	Acks map[string]*hearth.AlertAck `json:"acks,omitempty"`
}

// ReceiverStatusFunc reports how deliveries to a receiver went; ok is
// false for a receiver that is not running.
type ReceiverStatusFunc func(name string) (notify.ReceiverStatus, bool)

// enabled answers 404 and returns false when svc is nil.
func (s *Server) enabled(w http.ResponseWriter, r *http.Request, svc any, what string) bool {
	if svc == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "%s not enabled on this server.", what))
		return false
	}
	return true
}

// receiverItem adds its status to r, redacted.
func (s *Server) receiverItem(r *hearth.Receiver) ReceiverItem {
	item := ReceiverItem{Receiver: r.Redacted()}
	if s.ReceiverStatus != nil {
		if st, ok := s.ReceiverStatus(r.Name); ok {
			item.Status = &st
		}
	}
	return item
}

// handleListReceivers serves GET /api/v1/receivers.
func (s *Server) handleListReceivers(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.ReceiverService, "Notification receivers are") {
		return
	}
	list, err := s.ReceiverService.FindReceivers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := ReceiverList{Receivers: make([]ReceiverItem, 0, len(list))}
	for _, rc := range list {
		out.Receivers = append(out.Receivers, s.receiverItem(rc))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleGetReceiver serves GET /api/v1/receivers/{name}.
func (s *Server) handleGetReceiver(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.ReceiverService, "Notification receivers are") {
		return
	}
	rc, err := s.ReceiverService.FindReceiverByName(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.receiverItem(rc))
}

// handleSetReceiver serves PUT /api/v1/receivers/{name}: create or
// replace a receiver. Its kind checks the settings before it is stored;
// a secret of "***" keeps the stored one.
func (s *Server) handleSetReceiver(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.ReceiverService, "Notification receivers are") {
		return
	}
	var rc hearth.Receiver
	if err := decodeJSON(w, r, &rc); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	rc.Name = r.PathValue("name")
	if err := notify.Check(&rc); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.ReceiverService.SetReceiver(r.Context(), &rc); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "receiver set", "receiver", rc.Name, "kind", rc.Kind, "enabled", rc.Enabled, "actor", s.actor(r))
	writeJSON(w, http.StatusOK, s.receiverItem(&rc))
}

// handleDeleteReceiver serves DELETE /api/v1/receivers/{name}.
func (s *Server) handleDeleteReceiver(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.ReceiverService, "Notification receivers are") {
		return
	}
	name := r.PathValue("name")
	if err := s.ReceiverService.DeleteReceiver(r.Context(), name); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "receiver removed", "receiver", name, "actor", s.actor(r))
	w.WriteHeader(http.StatusNoContent)
}

// handleListSilences serves GET /api/v1/silences: the silences not yet
// ended, or with ?all=true every one kept.
func (s *Server) handleListSilences(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.SilenceService, "Silences are") {
		return
	}
	since := s.now()
	if all, _ := strconv.ParseBool(r.URL.Query().Get("all")); all {
		since = time.Time{}
	}
	list, err := s.SilenceService.FindSilences(r.Context(), since)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SilenceList{Silences: list})
}

// handleCreateSilence serves POST /api/v1/silences; the token's name is
// recorded as its author.
func (s *Server) handleCreateSilence(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.SilenceService, "Silences are") {
		return
	}
	var req SilenceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	sl := &hearth.Silence{Matchers: req.Matchers, StartsAt: req.StartsAt, EndsAt: req.EndsAt, Comment: req.Comment, CreatedBy: s.actor(r)}
	if sl.StartsAt.IsZero() {
		sl.StartsAt = s.now()
	}
	if req.For != "" {
		d, err := time.ParseDuration(req.For)
		if err != nil || d <= 0 || !req.EndsAt.IsZero() {
			s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "for must be a positive duration such as 2h or 30m, and not given with ends_at."))
			return
		}
		sl.EndsAt = sl.StartsAt.Add(d)
	}
	if err := s.SilenceService.CreateSilence(r.Context(), sl); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "silence created", "silence", sl.ID, "ends_at", sl.EndsAt, "actor", sl.CreatedBy)
	writeJSON(w, http.StatusCreated, sl)
}

// handleDeleteSilence serves DELETE /api/v1/silences/{id}: the silence
// ends at once.
func (s *Server) handleDeleteSilence(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.SilenceService, "Silences are") {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Silence %q not found.", r.PathValue("id")))
		return
	}
	if err := s.SilenceService.DeleteSilence(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger().InfoContext(r.Context(), "silence removed", "silence", id, "actor", s.actor(r))
	w.WriteHeader(http.StatusNoContent)
}

// handleAlertHistory serves GET /api/v1/alerts/history: ?since= and
// ?until= (RFC 3339), ?name=, ?open=true for the alerts firing now,
// ?limit= (default 1000).
func (s *Server) handleAlertHistory(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.AlertHistoryService, "The alert history is") {
		return
	}
	f, err := historyFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.AlertHistoryService.FindAlertHistory(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	acks, err := s.acksOf(r.Context(), events)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AlertHistory{Events: events, Acks: acks})
}

// historyFilter reads the query of GET /api/v1/alerts/history.
func historyFilter(q url.Values) (hearth.AlertHistoryFilter, error) {
	var f hearth.AlertHistoryFilter
	for _, p := range []struct {
		key string
		t   *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.key); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, hearth.Errorf(hearth.EINVALID, "%s must be an RFC 3339 time such as 2026-07-01T00:00:00Z.", p.key)
			}
			*p.t = t
		}
	}
	f.Name = q.Get("name")
	if v := q.Get("open"); v != "" {
		open, err := strconv.ParseBool(v)
		if err != nil {
			return f, hearth.Errorf(hearth.EINVALID, "open must be true or false.")
		}
		f.Open = open
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, hearth.Errorf(hearth.EINVALID, "limit must be a positive whole number.")
		}
		f.Limit = n
	}
	return f, nil
}

package http

import (
	"context"
	"net/http"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/locate"
)

// AlertAcker acknowledges alerts and reports which are acknowledged;
// *locate.Lights is one, which also switches off the fault lights the
// acknowledged alerts held.
type AlertAcker interface {
	Acknowledge(ctx context.Context, r locate.AckRequest, actor string) ([]*hearth.AlertAck, error)
	FindAlertAcks(ctx context.Context, f hearth.AlertAckFilter) ([]*hearth.AlertAck, error)
}

// AlertAckList is the body of POST /api/v1/alerts/ack: the alerts
// acknowledged.
type AlertAckList struct {
	Acks []*hearth.AlertAck `json:"acks"`
}

// handleAckAlerts serves POST /api/v1/alerts/ack: {"fingerprint": …} for
// one alert, {"miner": …} for every open or located alert of a miner. The
// token's name is recorded as who acknowledged.
func (s *Server) handleAckAlerts(w http.ResponseWriter, r *http.Request) {
	if !s.enabled(w, r, s.AlertAcks, "Alert acknowledgement is") {
		return
	}
	var req locate.AckRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeDecodeError(w, r, err)
		return
	}
	acks, err := s.AlertAcks.Acknowledge(r.Context(), req, s.actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AlertAckList{Acks: acks})
}

// acksOf returns the acknowledgement records of events' alerts, by
// fingerprint; nil without an AlertAcks.
func (s *Server) acksOf(ctx context.Context, events []*hearth.AlertEvent) (map[string]*hearth.AlertAck, error) {
	if s.AlertAcks == nil || len(events) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var fps []string
	for _, e := range events {
		if !seen[e.Fingerprint] {
			seen[e.Fingerprint] = true
			fps = append(fps, e.Fingerprint)
		}
	}
	acks, err := s.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{Fingerprints: fps})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*hearth.AlertAck, len(acks))
	for _, a := range acks {
		out[a.Fingerprint] = a
	}
	return out, nil
}

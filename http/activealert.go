package http

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ActiveAlertsFunc lists the alerts pending and firing now, each with its
// rule's "for" (hearth.Alert.For); alerting.Manager's Alerts is one.
type ActiveAlertsFunc func() []*hearth.Alert

// ActiveAlertList is the body of GET /api/v1/alerts: the alerts the rule
// engine holds now, firing ones first, then by when they became active.
type ActiveAlertList struct {
	Alerts []ActiveAlert `json:"alerts"`
}

// ActiveAlert is one alert pending or firing now. A pending alert's rule
// expression holds but has not held for the rule's "for" yet: it fires at
// FiresAt if it keeps holding, so that an operator watching a miner heat
// up sees it coming.
type ActiveAlert struct {
	Fingerprint string `json:"fingerprint"`
	hearth.Alert
	// ForSeconds is the rule's "for", in seconds.
	ForSeconds float64 `json:"for_seconds"`
	// FiresAt is ActiveAt plus the rule's "for", for a pending alert only.
	FiresAt time.Time `json:"fires_at,omitzero"`
}

// handleActiveAlerts serves GET /api/v1/alerts: ?state=pending or
// ?state=firing keeps the alerts of one state.
func (s *Server) handleActiveAlerts(w http.ResponseWriter, r *http.Request) {
	if s.ActiveAlerts == nil {
		s.writeError(w, r, hearth.Errorf(hearth.ENOTFOUND, "Alerting is not enabled on this server."))
		return
	}
	state := hearth.AlertState(r.URL.Query().Get("state"))
	if state != "" && state != hearth.AlertPending && state != hearth.AlertFiring {
		s.writeError(w, r, hearth.Errorf(hearth.EINVALID, "state must be pending or firing."))
		return
	}
	out := ActiveAlertList{Alerts: []ActiveAlert{}}
	for _, a := range s.ActiveAlerts() {
		if state != "" && a.State != state {
			continue
		}
		out.Alerts = append(out.Alerts, ActiveAlert{Fingerprint: a.Fingerprint(), Alert: *a, ForSeconds: a.For.Seconds(), FiresAt: a.FiresAt()})
	}
	slices.SortFunc(out.Alerts, func(a, b ActiveAlert) int {
		return cmp.Or(
			cmp.Compare(stateOrder(a.State), stateOrder(b.State)),
			a.ActiveAt.Compare(b.ActiveAt),
			cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	writeJSON(w, http.StatusOK, out)
}

// stateOrder lists firing alerts before pending ones.
func stateOrder(s hearth.AlertState) int {
	if s == hearth.AlertFiring {
		return 0
	}
	return 1
}

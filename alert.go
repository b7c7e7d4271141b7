package hearth

import (
	"context"
	"time"
)

// AlertState is where an alert stands, as Prometheus names it.
type AlertState string

// The states of an alert.
const (
	// AlertPending: the rule's expression holds, for less than its "for".
	AlertPending AlertState = "pending"
	// AlertFiring: it has held for at least "for".
	AlertFiring AlertState = "firing"
	// AlertResolved: it held, and no longer does.
	AlertResolved AlertState = "resolved"
)

// Alert is one alert of an alerting rule: the rule's name (label
// alertname) with the labels of the series that made it fire (miner,
// site, board, fan, …), its annotations, and its times. Notifications,
// the alert history and locate-on-alert all work on these.
type Alert struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	State       AlertState        `json:"state"`
	// Value is the expression's value when the alert was last evaluated.
	Value      float64   `json:"value"`
	ActiveAt   time.Time `json:"active_at"`
	FiredAt    time.Time `json:"fired_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// For is the rule's "for": how long its expression must hold before a
	// pending alert fires. The rule engine's list of active alerts sets it,
	// so that an operator sees when a pending alert will fire; the alerts
	// sent to sinks leave it zero, and it is never encoded with the alert.
	For time.Duration `json:"-"`
}

// FiresAt returns when a pending alert fires if its expression keeps
// holding: ActiveAt plus the rule's For. It is zero for an alert that is
// not pending.
func (a *Alert) FiresAt() time.Time {
	if a.State != AlertPending || a.ActiveAt.IsZero() {
		return time.Time{}
	}
	return a.ActiveAt.Add(a.For)
}

// Fingerprint identifies the alert across evaluations: its name and
// labels, in a stable order.
func (a *Alert) Fingerprint() string {
	return Fingerprint(a.Name, a.Labels)
}

// AlertSink receives the alerts of each rule evaluation that are firing
// or have just resolved, as Prometheus sends them to Alertmanager: again
// and again while they fire, so that a sink that missed one catches up.
// Notifications, the alert history and locate-on-alert are sinks.
type AlertSink interface {
	SendAlerts(ctx context.Context, alerts []*Alert) error
}

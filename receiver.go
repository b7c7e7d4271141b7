package hearth

import (
	"context"
	"encoding/json"
	"time"
)

// Receiver is a configured destination of alert notifications (a webhook,
// an Alertmanager, an e-mail address, a chat) with the route that decides
// which alerts reach it and how they are grouped. Its Settings are the
// kind's own, without secrets; Secret (an SMTP password, a bot token, a
// webhook URL carrying a token) is sealed at rest and never returned.
type Receiver struct {
	Name string `json:"name"`
	// Kind names the notifier plug-in: webhook, alertmanager, email,
	// slack, telegram or ntfy (see package notify).
	Kind    string `json:"kind"`
	Enabled bool   `json:"enabled"`
	Route   Route  `json:"route"`
	// Settings are the kind's settings as JSON (a URL, an SMTP host and
	// addresses, a chat ID).
	Settings json.RawMessage `json:"settings,omitempty"`
	// Secret is the kind's secret. Reads return "***" when one is
	// stored, and a write of "***" keeps the stored one.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Route is the Alertmanager route of one receiver, simplified: the alerts
// whose labels satisfy every matcher go to the receiver, grouped by the
// values of the GroupBy labels.
type Route struct {
	// Matchers select the alerts; none selects every alert.
	Matchers []Matcher `json:"matchers,omitempty"`
	// GroupBy are the labels whose values make one group (one
	// notification); none puts every alert of the receiver in one group.
	// "alertname" is the alert's name.
	GroupBy []string `json:"group_by,omitempty"`
	// GroupWait is how long a new group waits for more alerts before its
	// first notification.
	GroupWait time.Duration `json:"group_wait,omitempty"`
	// GroupInterval is how long a group waits after a notification before
	// telling of alerts added or resolved since.
	GroupInterval time.Duration `json:"group_interval,omitempty"`
	// RepeatInterval is how long a group waits before repeating an
	// unchanged notification while its alerts fire.
	RepeatInterval time.Duration `json:"repeat_interval,omitempty"`
	// SendResolved tells the receiver when alerts resolve.
	SendResolved bool `json:"send_resolved"`
}

// The route timings Alertmanager uses when a route does not say.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// Validate reports an EINVALID error naming what makes r unusable. The
// kind's own settings are checked by its notifier (see package notify).
func (r *Receiver) Validate() error {
	if err := ValidateName("Receiver", r.Name); err != nil {
		return err
	}
	if r.Kind == "" {
		return Errorf(EINVALID, "Receiver %s needs a kind: webhook, alertmanager, email, slack, telegram or ntfy.", r.Name)
	}
	if len(r.Settings) > 0 && !json.Valid(r.Settings) {
		return Errorf(EINVALID, "Receiver %s: settings must be JSON.", r.Name)
	}
	if len(r.Settings) > 64<<10 || len(r.Secret) > 4096 {
		return Errorf(EINVALID, "Receiver %s: settings or secret too long.", r.Name)
	}
	for _, m := range r.Route.Matchers {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	if r.Route.GroupWait < 0 || r.Route.GroupInterval < 0 || r.Route.RepeatInterval < 0 {
		return Errorf(EINVALID, "Receiver %s: route intervals must not be negative.", r.Name)
	}
	return nil
}

// Redacted returns a copy of r whose secret reads "***" when one is set.
func (r Receiver) Redacted() Receiver {
	if r.Secret != "" {
		r.Secret = RedactedSecret
	}
	return r
}

// ReceiverService stores notification receivers, their secrets sealed.
type ReceiverService interface {
	// FindReceivers returns every receiver by name, secrets redacted.
	FindReceivers(ctx context.Context) ([]*Receiver, error)
	// FindReceiverByName returns one receiver with its secret opened,
	// for its notifier; ENOTFOUND when there is none.
	FindReceiverByName(ctx context.Context, name string) (*Receiver, error)
	// SetReceiver creates or replaces r; a Secret of "***" keeps the
	// stored secret.
	SetReceiver(ctx context.Context, r *Receiver) error
	// DeleteReceiver removes a receiver; ENOTFOUND when there is none.
	DeleteReceiver(ctx context.Context, name string) error
}

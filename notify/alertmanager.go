package notify

import (
	"context"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// KindAlertmanager pushes alerts to an existing Alertmanager through its
// v2 API (POST /api/v2/alerts), as Prometheus does, so that its routing,
// inhibition and receivers apply. Settings: {"url": "http://am:9093"};
// the secret, when set, is sent as a bearer token. The Alertmanager does
// its own grouping, so this receiver's route should have no group_wait.
const KindAlertmanager = "alertmanager"

type alertmanagerSettings struct {
	URL string `json:"url"`
}

type alertmanager struct {
	url, token string
	repeat     time.Duration
	env        Env
}

// postableAlert is one alert of the v2 API's POST /alerts body.
type postableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

func init() { Register(KindAlertmanager, newAlertmanager) }

func newAlertmanager(r *hearth.Receiver, env Env) (Notifier, error) {
	var s alertmanagerSettings
	if err := decodeSettings(r, &s); err != nil {
		return nil, err
	}
	if err := checkURL(r.Name, "the Alertmanager url", s.URL); err != nil {
		return nil, err
	}
	_, _, repeat := timings(r)
	return &alertmanager{url: strings.TrimRight(s.URL, "/") + "/api/v2/alerts", token: r.Secret, repeat: repeat, env: env}, nil
}

// Notify posts n's alerts. A firing alert ends, unless told again,
// four repeat intervals (4m by default) from now, as Prometheus sets it,
// so that the Alertmanager resolves it should hearth go away; a resolved
// one carries its end.
func (a *alertmanager) Notify(ctx context.Context, n *Notification) error {
	body := make([]postableAlert, 0, len(n.Alerts))
	for _, al := range n.Alerts {
		p := postableAlert{Labels: al.Labels, Annotations: al.Annotations, StartsAt: al.StartsAt, GeneratorURL: al.GeneratorURL}
		if al.Status == StatusResolved {
			p.EndsAt = al.EndsAt
		} else {
			p.EndsAt = time.Now().Add(4 * a.repeat)
		}
		body = append(body, p)
	}
	return postJSON(ctx, a.env.Client, a.url, body, bearer(a.token))
}

package notify

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// KindWebhook posts each notification as Alertmanager's webhook payload
// (version 4), so that any tool written for Alertmanager webhooks works.
// Settings: {"url": "https://…"}; the secret, when set, is sent as a
// bearer token. Without a url setting the secret is the URL, for URLs
// that carry a token.
const KindWebhook = "webhook"

type webhookSettings struct {
	URL string `json:"url"`
}

type webhook struct {
	url, token string
	env        Env
}

func init() { Register(KindWebhook, newWebhook) }

func newWebhook(r *hearth.Receiver, env Env) (Notifier, error) {
	var s webhookSettings
	if err := decodeSettings(r, &s); err != nil {
		return nil, err
	}
	w := &webhook{url: s.URL, token: r.Secret, env: env}
	if w.url == "" {
		w.url, w.token = r.Secret, ""
		if r.Secret == hearth.RedactedSecret {
			return w, nil
		}
	}
	if err := checkURL(r.Name, "the webhook url (setting url, or the secret)", w.url); err != nil {
		return nil, err
	}
	return w, nil
}

// Notify posts n as it is.
func (w *webhook) Notify(ctx context.Context, n *Notification) error {
	return postJSON(ctx, w.env.Client, w.url, n, bearer(w.token))
}

package notify

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// KindSlack posts to a Slack incoming webhook (or a compatible one:
// Mattermost, Rocket.Chat, Discord's /slack endpoint). The secret is the
// webhook URL, which carries its token; settings may name a channel and
// username: {"channel": "#mining", "username": "hearth"}.
const KindSlack = "slack"

type slackSettings struct {
	Channel  string `json:"channel,omitempty"`
	Username string `json:"username,omitempty"`
}

type slack struct {
	url string
	s   slackSettings
	env Env
}

// slackMaxText keeps a message under Slack's 40,000 characters.
const slackMaxText = 39000

// slackMessage is the body of an incoming-webhook post.
type slackMessage struct {
	Text     string `json:"text"`
	Channel  string `json:"channel,omitempty"`
	Username string `json:"username,omitempty"`
}

func init() { Register(KindSlack, newSlack) }

func newSlack(r *hearth.Receiver, env Env) (Notifier, error) {
	s := &slack{url: r.Secret, env: env}
	if err := decodeSettings(r, &s.s); err != nil {
		return nil, err
	}
	if r.Secret != hearth.RedactedSecret {
		if err := checkURL(r.Name, "the secret (the Slack webhook URL)", r.Secret); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Notify posts n's title in bold and its text as a code block.
func (s *slack) Notify(ctx context.Context, n *Notification) error {
	msg := slackMessage{Text: "*" + n.Title() + "*\n```\n" + truncate(n.Text(), slackMaxText) + "```", Channel: s.s.Channel, Username: s.s.Username}
	return postJSON(ctx, s.env.Client, s.url, msg, nil)
}

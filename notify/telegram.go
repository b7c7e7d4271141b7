package notify

import (
	"context"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// KindTelegram sends a message through the Telegram Bot API's
// sendMessage. The secret is the bot token; settings name the chat:
// {"chat_id": "-1001234567890"}, and may move the API
// ("api_url", default https://api.telegram.org).
const KindTelegram = "telegram"

type telegramSettings struct {
	ChatID string `json:"chat_id"`
	APIURL string `json:"api_url,omitempty"`
}

type telegram struct {
	s     telegramSettings
	token string
	env   Env
}

// telegramMaxText is the most characters sendMessage takes.
const telegramMaxText = 4096

// telegramMessage is the body of sendMessage.
type telegramMessage struct {
	ChatID                string `json:"chat_id"`
	Text                  string `json:"text"`
	DisableWebPagePreview bool   `json:"disable_web_page_preview"`
}

func init() { Register(KindTelegram, newTelegram) }

func newTelegram(r *hearth.Receiver, env Env) (Notifier, error) {
	t := &telegram{token: r.Secret, env: env}
	if err := decodeSettings(r, &t.s); err != nil {
		return nil, err
	}
	if t.s.ChatID == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: a telegram receiver needs the setting chat_id.", r.Name)
	}
	if r.Secret == "" || strings.ContainsAny(r.Secret, "/?# ") {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: the secret must be the bot token (123456:ABC…).", r.Name)
	}
	if t.s.APIURL == "" {
		t.s.APIURL = "https://api.telegram.org"
	}
	if err := checkURL(r.Name, "api_url", t.s.APIURL); err != nil {
		return nil, err
	}
	return t, nil
}

// Notify sends n's title and text as plain text (no parse mode, so that
// label values need no escaping).
func (t *telegram) Notify(ctx context.Context, n *Notification) error {
	url := strings.TrimRight(t.s.APIURL, "/") + "/bot" + t.token + "/sendMessage"
	return postJSON(ctx, t.env.Client, url, telegramMessage{ChatID: t.s.ChatID, Text: truncate(n.Title()+"\n\n"+n.Text(), telegramMaxText), DisableWebPagePreview: true}, nil)
}

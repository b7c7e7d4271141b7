package notify

import (
	"context"
	"net/http"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// KindNtfy publishes to an ntfy topic: a POST of the text to the topic's
// URL with Title, Tags and Priority headers. Settings:
// {"url": "https://ntfy.sh/my-mine", "priority": 4}; the secret, when
// set, is an access token.
const KindNtfy = "ntfy"

// ntfyMaxText keeps a message under ntfy's default 4096-byte limit,
// beyond which it becomes an attachment.
const ntfyMaxText = 4096

type ntfySettings struct {
	URL string `json:"url"`
	// Priority is ntfy's 1 (min) to 5 (max) for firing notifications;
	// resolved ones go at 2. 0 means 4 (high).
	Priority int `json:"priority,omitempty"`
}

type ntfy struct {
	s     ntfySettings
	token string
	env   Env
}

func init() { Register(KindNtfy, newNtfy) }

func newNtfy(r *hearth.Receiver, env Env) (Notifier, error) {
	n := &ntfy{token: r.Secret, env: env}
	if err := decodeSettings(r, &n.s); err != nil {
		return nil, err
	}
	if err := checkURL(r.Name, "the topic url", n.s.URL); err != nil {
		return nil, err
	}
	if n.s.Priority < 0 || n.s.Priority > 5 {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: ntfy priority must be 1 to 5.", r.Name)
	}
	if n.s.Priority == 0 {
		n.s.Priority = 4
	}
	return n, nil
}

// Notify posts n's text with its title; a firing notification is tagged
// "rotating_light" at the set priority, a resolved one "white_check_mark"
// at low priority.
func (n *ntfy) Notify(ctx context.Context, note *Notification) error {
	h := bearer(n.token)
	if h == nil {
		h = http.Header{}
	}
	h.Set("Title", note.Title())
	if note.Status == StatusFiring {
		h.Set("Tags", "rotating_light")
		h.Set("Priority", strconv.Itoa(n.s.Priority))
	} else {
		h.Set("Tags", "white_check_mark")
		h.Set("Priority", "2")
	}
	return post(ctx, n.env.Client, n.s.URL, "text/plain; charset=utf-8", []byte(truncate(note.Text(), ntfyMaxText)), h)
}

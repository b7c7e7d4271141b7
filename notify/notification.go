package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
)

// Notification is what one group sends to its receiver at once, in the
// shape of Alertmanager's webhook payload (version 4), which the webhook
// receiver posts as it is and the others render.
type Notification struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []NotifiedAlert   `json:"alerts"`
}

// NotifiedAlert is one alert of a Notification, as Alertmanager writes it.
type NotifiedAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// The statuses of a notification and of its alerts.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// alertLabels returns a's labels with alertname, as Alertmanager sees them.
func alertLabels(a *hearth.Alert) map[string]string {
	l := make(map[string]string, len(a.Labels)+1)
	maps.Copy(l, a.Labels)
	l["alertname"] = a.Name
	return l
}

// notifiedAlert writes a in Alertmanager's form.
func notifiedAlert(a *hearth.Alert) NotifiedAlert {
	n := NotifiedAlert{Status: StatusFiring, Labels: alertLabels(a), Annotations: a.Annotations,
		StartsAt: a.FiredAt, Fingerprint: a.Fingerprint()}
	if n.StartsAt.IsZero() {
		n.StartsAt = a.ActiveAt
	}
	if n.Annotations == nil {
		n.Annotations = map[string]string{}
	}
	if a.State == hearth.AlertResolved {
		n.Status, n.EndsAt = StatusResolved, a.ResolvedAt
	}
	return n
}

// newNotification builds the notification of alerts (sorted by
// fingerprint) for a receiver and group.
func newNotification(receiver, groupKey string, groupLabels map[string]string, alerts []*hearth.Alert, externalURL string) *Notification {
	n := &Notification{Version: "4", GroupKey: groupKey, Status: StatusResolved, Receiver: receiver,
		GroupLabels: groupLabels, ExternalURL: externalURL}
	for _, a := range alerts {
		na := notifiedAlert(a)
		if na.Status == StatusFiring {
			n.Status = StatusFiring
		}
		n.Alerts = append(n.Alerts, na)
	}
	n.CommonLabels = common(n.Alerts, func(a NotifiedAlert) map[string]string { return a.Labels })
	n.CommonAnnotations = common(n.Alerts, func(a NotifiedAlert) map[string]string { return a.Annotations })
	return n
}

// common returns the pairs every alert shares.
func common(alerts []NotifiedAlert, of func(NotifiedAlert) map[string]string) map[string]string {
	out := map[string]string{}
	if len(alerts) == 0 {
		return out
	}
	maps.Copy(out, of(alerts[0]))
	for _, a := range alerts[1:] {
		m := of(a)
		for k, v := range out {
			if w, ok := m[k]; !ok || w != v {
				delete(out, k)
			}
		}
	}
	return out
}

// Firing returns how many of n's alerts fire.
func (n *Notification) Firing() int {
	c := 0
	for _, a := range n.Alerts {
		if a.Status == StatusFiring {
			c++
		}
	}
	return c
}

// Title is a one-line summary for chats and e-mail subjects:
// "[FIRING:2] MinerOffline site=barn".
func (n *Notification) Title() string {
	var b strings.Builder
	if n.Status == StatusFiring {
		fmt.Fprintf(&b, "[FIRING:%d]", n.Firing())
	} else {
		b.WriteString("[RESOLVED]")
	}
	if name := n.CommonLabels["alertname"]; name != "" {
		b.WriteString(" " + name)
	}
	for _, k := range slices.Sorted(maps.Keys(n.GroupLabels)) {
		if k != "alertname" {
			fmt.Fprintf(&b, " %s=%s", k, n.GroupLabels[k])
		}
	}
	return b.String()
}

// Text lists the alerts in plain text, one paragraph each: its status,
// name and labels, summary and description, and times.
func (n *Notification) Text() string {
	var b strings.Builder
	for i, a := range n.Alerts {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s", strings.ToUpper(a.Status), a.Labels["alertname"])
		for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
			if k != "alertname" {
				fmt.Fprintf(&b, " %s=%q", k, a.Labels[k])
			}
		}
		b.WriteString("\n")
		for _, k := range []string{"summary", "description"} {
			if v := a.Annotations[k]; v != "" {
				fmt.Fprintf(&b, "  %s\n", v)
			}
		}
		fmt.Fprintf(&b, "  since %s", a.StartsAt.UTC().Format(time.RFC3339))
		if !a.EndsAt.IsZero() {
			fmt.Fprintf(&b, ", resolved %s", a.EndsAt.UTC().Format(time.RFC3339))
		}
		b.WriteString("\n")
	}
	if n.ExternalURL != "" {
		fmt.Fprintf(&b, "\n%s/alerts\n", strings.TrimRight(n.ExternalURL, "/"))
	}
	return b.String()
}

// truncate cuts text to at most max bytes, at a line end where it can,
// saying how much was left out, so that a group of a thousand offline
// miners still fits a chat message (Telegram takes 4096 characters,
// ntfy 4096 bytes; a byte count is never below either count).
func truncate(text string, max int) string {
	if len(text) <= max {
		return text
	}
	const note = "\n… (%d more lines; see the alerts page)\n"
	end := max - len(note) - 8
	for end > 0 && !utf8.RuneStart(text[end]) {
		end--
	}
	kept := text[:end]
	if i := strings.LastIndexByte(kept, '\n'); i > 0 {
		kept = kept[:i]
	}
	return kept + fmt.Sprintf(note, strings.Count(text[len(kept):], "\n"))
}

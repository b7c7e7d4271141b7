package notify_test

import (
	"encoding/json"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// FuzzParseMatcher: any text either parses to a matcher that writes
// back to itself, or is refused with EINVALID; never a panic.
func FuzzParseMatcher(f *testing.F) {
	for _, s := range []string{`miner="sim-00001"`, `alertname=~"Fan.*"`, `site!=barn`, `board!~"[0-2]"`, `a=`, `=x`, `a=~"("`, `a="\x"`, `a!`, `a=~"\\d+"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := hearth.ParseMatcher(s)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("%q: %v, want EINVALID", s, err)
			}
			return
		}
		again, err := hearth.ParseMatcher(m.String())
		if err != nil || again != m {
			t.Fatalf("%q → %v → %v, %v", s, m, again, err)
		}
		m.Matches(&hearth.Alert{Name: "x", Labels: map[string]string{m.Name: s}})
	})
}

// FuzzReceiverSettings: any settings for any kind either build a
// notifier or are refused with EINVALID; never a panic.
func FuzzReceiverSettings(f *testing.F) {
	seeds := map[string]string{
		notify.KindWebhook:      `{"url":"https://hooks.example/alert"}`,
		notify.KindAlertmanager: `{"url":"http://am:9093"}`,
		notify.KindEmail:        `{"host":"smtp.example.com","port":587,"from":"a@b.c","to":["d@e.f"],"username":"u"}`,
		notify.KindSlack:        `{"channel":"#mining"}`,
		notify.KindTelegram:     `{"chat_id":"-100123"}`,
		notify.KindNtfy:         `{"url":"https://ntfy.sh/mine","priority":3}`,
	}
	for kind, s := range seeds {
		f.Add(kind, s, "secret")
		f.Add(kind, `{"url":7}`, "")
	}
	f.Add("email", `{"host":"h","port":70000,"from":"x","to":[]}`, "***")
	f.Fuzz(func(t *testing.T, kind, settings, secret string) {
		r := &hearth.Receiver{Name: "fuzz", Kind: kind, Settings: json.RawMessage(settings), Secret: secret}
		if _, err := notify.New(r, notify.Env{}); err != nil && hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("%s %s: %v, want EINVALID", kind, settings, err)
		}
	})
}

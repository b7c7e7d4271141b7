package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// The e-mail receiver logs in with AUTH PLAIN and sends one plain-text
// message listing the group's alerts, through the dispatcher.
func TestEmail(t *testing.T) {
	smtpd := newSMTPServer(t)
	host, port, _ := net.SplitHostPort(smtpd.Addr)
	r := &hearth.Receiver{Name: "ops-mail", Kind: notify.KindEmail, Enabled: true, Route: fastRoute(), Secret: "hunter2",
		Settings: json.RawMessage(`{"host":"` + host + `","port":` + port + `,"security":"none","from":"hearth <hearth@example.com>","to":["ops@example.com","tech@example.com"],"username":"hearth"}`)}
	d := startDispatcher(t, notify.Config{ExternalURL: "http://hearth.local"}, r)
	send(t, d, firing("ChipTooHot", "sim-00007"), firing("ChipTooHot", "sim-00008"))

	var m message
	select {
	case m = <-smtpd.Mail:
	case <-time.After(5 * time.Second):
		t.Fatal("no e-mail within 5s")
	}
	if m.Auth != "\x00hearth\x00hunter2" || m.From != "hearth@example.com" ||
		strings.Join(m.To, ",") != "ops@example.com,tech@example.com" {
		t.Errorf("envelope %+v", m)
	}
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatalf("message %q: %v", m.Data, err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "[FIRING:2] ChipTooHot" {
		t.Errorf("subject %q", subject)
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "text/plain") || msg.Header.Get("Date") == "" || msg.Header.Get("Message-ID") == "" {
		t.Errorf("headers %v", msg.Header)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	for _, want := range []string{"FIRING ChipTooHot", `miner="sim-00007"`, `miner="sim-00008"`, "sim-00008 is in trouble", "http://hearth.local/alerts"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// A wrong password is an EAUTH error, and STARTTLS required from a
// server that does not offer it is refused rather than sent in clear.
func TestEmail_Errors(t *testing.T) {
	smtpd := newSMTPServer(t)
	host, port, _ := net.SplitHostPort(smtpd.Addr)
	n := &notify.Notification{Status: "firing", Alerts: []notify.NotifiedAlert{{Status: "firing", Labels: map[string]string{"alertname": "X"}}}}
	for security, want := range map[string]string{"none": hearth.EAUTH, "starttls": hearth.EUNSUPPORTED} {
		r := &hearth.Receiver{Name: "m", Kind: notify.KindEmail, Secret: "wrong",
			Settings: json.RawMessage(`{"host":"` + host + `","port":` + port + `,"security":"` + security + `","from":"a@b.c","to":["d@e.f"],"username":"hearth"}`)}
		nt, err := notify.New(r, notify.Env{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = nt.Notify(ctx, n)
		cancel()
		if hearth.ErrorCode(err) != want {
			t.Errorf("security %s: %v, want %s", security, err, want)
		}
	}
}

// The alertmanager receiver posts the v2 API's alert list to
// /api/v2/alerts: labels with alertname, annotations and times.
func TestAlertmanager(t *testing.T) {
	am := newFakeServer(t)
	r := &hearth.Receiver{Name: "am", Kind: notify.KindAlertmanager, Enabled: true, Route: hearth.Route{SendResolved: true, GroupBy: []string{"alertname"}, GroupInterval: 50 * time.Millisecond},
		Settings: json.RawMessage(`{"url":"` + am.URL + `/"}`)}
	d := startDispatcher(t, notify.Config{}, r)
	a := firing("HashrateLow", "sim-00004")
	send(t, d, a)
	req := am.next(t)
	if req.Path != "/api/v2/alerts" {
		t.Errorf("path %s", req.Path)
	}
	var body []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
		EndsAt      time.Time         `json:"endsAt"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatalf("%s: %v", req.Body, err)
	}
	if len(body) != 1 || body[0].Labels["alertname"] != "HashrateLow" || body[0].Labels["miner"] != "sim-00004" ||
		!body[0].StartsAt.Equal(a.FiredAt) || !body[0].EndsAt.After(time.Now()) || body[0].Annotations["summary"] == "" {
		t.Errorf("posted %s", req.Body)
	}
	send(t, d, resolved(a))
	json.Unmarshal(am.next(t).Body, &body)
	if len(body) != 1 || !body[0].EndsAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("resolution posted %+v", body)
	}
}

// Slack gets an incoming-webhook message at the secret URL, Telegram a
// sendMessage to the bot, ntfy a text post with its headers.
func TestChatReceivers(t *testing.T) {
	srv := newFakeServer(t)
	receivers := []*hearth.Receiver{
		{Name: "slack", Kind: notify.KindSlack, Secret: srv.URL + "/services/T000/B000/XXXX", Settings: json.RawMessage(`{"channel":"#mining"}`)},
		{Name: "tg", Kind: notify.KindTelegram, Secret: "123456:ABC-DEF", Settings: json.RawMessage(`{"chat_id":"-100123","api_url":"` + srv.URL + `"}`)},
		{Name: "ntfy", Kind: notify.KindNtfy, Secret: "tk_abc", Settings: json.RawMessage(`{"url":"` + srv.URL + `/mine","priority":5}`)},
	}
	for _, r := range receivers {
		r.Enabled, r.Route = true, fastRoute()
	}
	d := startDispatcher(t, notify.Config{}, receivers...)
	send(t, d, firing("FanFailed", "sim-00009"))
	got := map[string]request{}
	for range 3 {
		r := srv.next(t)
		got[r.Path] = r
	}
	var slackMsg struct{ Text, Channel string }
	json.Unmarshal(got["/services/T000/B000/XXXX"].Body, &slackMsg)
	if slackMsg.Channel != "#mining" || !strings.Contains(slackMsg.Text, "[FIRING:1] FanFailed") || !strings.Contains(slackMsg.Text, "sim-00009") {
		t.Errorf("slack %+v", slackMsg)
	}
	var tg struct {
		ChatID string `json:"chat_id"`
		Text   string `json:"text"`
	}
	json.Unmarshal(got["/bot123456:ABC-DEF/sendMessage"].Body, &tg)
	if tg.ChatID != "-100123" || !strings.Contains(tg.Text, "FanFailed") {
		t.Errorf("telegram %+v (paths %v)", tg, keys(got))
	}
	nt := got["/mine"]
	if nt.Header.Get("Title") != "[FIRING:1] FanFailed" || nt.Header.Get("Priority") != "5" || nt.Header.Get("Tags") != "rotating_light" ||
		nt.Header.Get("Authorization") != "Bearer tk_abc" || !strings.Contains(string(nt.Body), "sim-00009") {
		t.Errorf("ntfy %v %s", nt.Header, nt.Body)
	}
}

func keys(m map[string]request) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Settings a kind cannot use are refused with EINVALID when the
// receiver is checked, before it is stored.
func TestCheck(t *testing.T) {
	for name, r := range map[string]*hearth.Receiver{
		"unknown kind":        {Name: "x", Kind: "pager"},
		"webhook no url":      {Name: "x", Kind: "webhook"},
		"webhook typo":        {Name: "x", Kind: "webhook", Settings: json.RawMessage(`{"ulr":"http://a"}`)},
		"email no host":       {Name: "x", Kind: "email", Settings: json.RawMessage(`{"from":"a@b.c","to":["d@e.f"]}`)},
		"email bad to":        {Name: "x", Kind: "email", Settings: json.RawMessage(`{"host":"h","from":"a@b.c","to":["nobody"]}`)},
		"email user no pass":  {Name: "x", Kind: "email", Settings: json.RawMessage(`{"host":"h","from":"a@b.c","to":["d@e.f"],"username":"u"}`)},
		"email security":      {Name: "x", Kind: "email", Settings: json.RawMessage(`{"host":"h","from":"a@b.c","to":["d@e.f"],"security":"ssl3"}`)},
		"email no ca_file":    {Name: "x", Kind: "email", Settings: json.RawMessage(`{"host":"h","from":"a@b.c","to":["d@e.f"],"ca_file":"/nonexistent/ca.pem"}`)},
		"slack no url":        {Name: "x", Kind: "slack"},
		"telegram no chat":    {Name: "x", Kind: "telegram", Secret: "1:a"},
		"telegram token path": {Name: "x", Kind: "telegram", Secret: "1:a/../x", Settings: json.RawMessage(`{"chat_id":"1"}`)},
		"ntfy priority":       {Name: "x", Kind: "ntfy", Settings: json.RawMessage(`{"url":"http://a/b","priority":9}`)},
		"bad matcher":         {Name: "x", Kind: "webhook", Secret: "http://a", Route: hearth.Route{Matchers: []hearth.Matcher{{Name: "a", Type: "=~", Value: "("}}}},
	} {
		if err := notify.Check(r); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	// A redacted secret stands for a stored one.
	if err := notify.Check(&hearth.Receiver{Name: "x", Kind: "slack", Secret: hearth.RedactedSecret}); err != nil {
		t.Errorf("redacted slack secret: %v", err)
	}
}

// The e-mail receiver upgrades with STARTTLS, or speaks TLS from the
// start, checking the server's certificate against ca_file; a server
// whose certificate it cannot check gets nothing.
func TestEmail_TLS(t *testing.T) {
	serverTLS, caFile := testCert(t)
	n := &notify.Notification{Status: "firing", Alerts: []notify.NotifiedAlert{{Status: "firing", Labels: map[string]string{"alertname": "BoardMissing"}}}}
	for _, security := range []string{"starttls", "tls"} {
		smtpd := newSMTPServerTLS(t, serverTLS, security == "tls")
		host, port, _ := net.SplitHostPort(smtpd.Addr)
		settings := func(ca string) json.RawMessage {
			return json.RawMessage(`{"host":"` + host + `","port":` + port + `,"security":"` + security + `","from":"a@b.c","to":["d@e.f"],"username":"hearth"` + ca + `}`)
		}
		nt, err := notify.New(&hearth.Receiver{Name: "m", Kind: notify.KindEmail, Secret: "hunter2", Settings: settings(`,"ca_file":"` + caFile + `"`)}, notify.Env{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := nt.Notify(ctx, n); err != nil {
			t.Fatalf("%s: %v", security, err)
		}
		cancel()
		if m := <-smtpd.Mail; !m.TLS || m.Auth != "\x00hearth\x00hunter2" || !strings.Contains(m.Data, "BoardMissing") {
			t.Errorf("%s: %+v", security, m)
		}
		untrusting, _ := notify.New(&hearth.Receiver{Name: "m", Kind: notify.KindEmail, Secret: "hunter2", Settings: settings("")}, notify.Env{})
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		if err := untrusting.Notify(ctx, n); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s without the CA: %v, want a certificate error", security, err)
		}
		cancel()
	}
}

// A group of a thousand alerts still fits a Telegram message and an ntfy
// message, cut at a line with a note of what was left out.
func TestChatReceivers_Truncate(t *testing.T) {
	srv := newFakeServer(t)
	n := &notify.Notification{Status: "firing", GroupLabels: map[string]string{"alertname": "MinerOffline"}}
	for i := range 1000 {
		n.Alerts = append(n.Alerts, notify.NotifiedAlert{Status: "firing", StartsAt: t0,
			Labels: map[string]string{"alertname": "MinerOffline", "miner": fmt.Sprintf("sim-%05d", i), "site": "größe"}})
	}
	for _, r := range []*hearth.Receiver{
		{Name: "tg", Kind: notify.KindTelegram, Secret: "1:A", Settings: json.RawMessage(`{"chat_id":"1","api_url":"` + srv.URL + `"}`)},
		{Name: "ntfy", Kind: notify.KindNtfy, Settings: json.RawMessage(`{"url":"` + srv.URL + `/mine"}`)},
	} {
		nt, err := notify.New(r, notify.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if err := nt.Notify(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		req := srv.next(t)
		text := string(req.Body)
		if r.Kind == notify.KindTelegram {
			var m struct{ Text string }
			json.Unmarshal(req.Body, &m)
			text = m.Text
		}
		if len(text) > 4096 || !utf8.ValidString(text) || !strings.Contains(text, "sim-00000") || !strings.Contains(text, "more lines; see the alerts page") {
			t.Errorf("%s: %d bytes, valid %v, ends %q", r.Kind, len(text), utf8.ValidString(text), text[max(0, len(text)-80):])
		}
	}
}

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// hearth alerts manages receivers and silences through a running
// server, shows the history, and never shows a secret.
func TestAlertsCLI(t *testing.T) {
	first, stop := startServe(t, t.TempDir(), "127.0.0.1:"+freePort(t))
	defer stop()
	url, token := first["url"].(string), first["admin_token"].(string)
	cli := func(args ...string) (string, string, int) {
		return runCLI(t, append(args, "--server", url, "--token", token)...)
	}

	t.Setenv("HEARTH_RECEIVER_SECRET", "hook-s3cret")
	if out, errOut, code := cli("alerts", "receivers", "set", "ops", "--kind", "webhook", "--group-by", "alertname,site",
		"--match", `alertname=~"Chip.*"`, "--repeat-interval", "1h", "--settings", `{"url":"http://127.0.0.1:9/hook"}`); code != 0 || !strings.Contains(out, "receiver ops (webhook) set") {
		t.Fatalf("receivers set: %d %s%s", code, out, errOut)
	}
	out, errOut, code := cli("alerts", "receivers", "list", "--json")
	if code != 0 || strings.Contains(out, "hook-s3cret") {
		t.Fatalf("receivers list: %d %s%s", code, out, errOut)
	}
	var list hearthhttp.ReceiverList
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Receivers) != 1 {
		t.Fatalf("%s: %v", out, err)
	}
	r := list.Receivers[0]
	if r.Secret != hearth.RedactedSecret || strings.Join(r.Route.GroupBy, ",") != "alertname,site" || len(r.Route.Matchers) != 1 ||
		r.Route.Matchers[0].Type != hearth.MatchRegexp || !r.Route.SendResolved || r.Status == nil {
		t.Errorf("receiver %+v, want it redacted, routed and running", r)
	}
	// A setting the kind refuses is an error naming it, and nothing changes.
	t.Setenv("HEARTH_RECEIVER_SECRET", "")
	if _, errOut, code := cli("alerts", "receivers", "set", "mail", "--kind", "email", "--settings", `{"host":"smtp.example.com","to":["x"]}`); code != 2 || !strings.Contains(errOut, "from") {
		t.Errorf("bad email receiver: %d %s", code, errOut)
	}
	if out, _, _ := cli("alerts", "receivers", "list"); !strings.Contains(out, "ops") || strings.Contains(out, "mail") || !strings.Contains(out, "running") {
		t.Errorf("table:\n%s", out)
	}

	out, errOut, code = cli("alerts", "silence", "add", "miner=sim-00001", `alertname!~"Pool.*"`, "--for", "2h", "--comment", "PSU swap", "--json")
	var s hearth.Silence
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s.ID == 0 || len(s.Matchers) != 2 || s.CreatedBy == "" || s.EndsAt.Sub(s.StartsAt).Hours() != 2 {
		t.Fatalf("silence add: %d %s%s", code, out, errOut)
	}
	if out, _, _ := cli("alerts", "silence", "list"); !strings.Contains(out, `miner="sim-00001"`) || !strings.Contains(out, "PSU swap") {
		t.Errorf("silence list:\n%s", out)
	}
	if _, errOut, code := cli("alerts", "silence", "add", "miner=x"); code != 2 || !strings.Contains(errOut, "--for") {
		t.Errorf("silence without an end: %d %s", code, errOut)
	}
	if _, errOut, code := cli("alerts", "silence", "add", "miner=~(", "--for", "1h"); code != 2 || !strings.Contains(errOut, "regular expression") {
		t.Errorf("bad matcher: %d %s", code, errOut)
	}
	if out, errOut, code := cli("alerts", "silence", "remove", "1"); code != 0 || !strings.Contains(out, "silence 1 removed") {
		t.Errorf("silence remove: %d %s%s", code, out, errOut)
	}
	if _, _, code := cli("alerts", "silence", "remove", "1"); code != 1 {
		t.Errorf("removing it again: %d, want 1", code)
	}

	out, errOut, code = cli("alerts", "history", "--open", "--since", "24h", "--json")
	var h hearthhttp.AlertHistory
	if code != 0 || json.Unmarshal([]byte(out), &h) != nil || h.Events == nil {
		t.Errorf("history: %d %s%s", code, out, errOut)
	}
	if out, errOut, code := cli("alerts", "receivers", "remove", "ops"); code != 0 || !strings.Contains(out, "removed") {
		t.Errorf("receivers remove: %d %s%s", code, out, errOut)
	}
}

func TestAlertsHelp(t *testing.T) {
	for _, args := range [][]string{{"alerts", "--help"}, {"alerts", "silence", "--help"}, {"alerts", "receivers", "help"}} {
		out, _, code := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "hearth alerts silence add MATCHER") || !strings.Contains(out, "telegram") {
			t.Errorf("%v: %d %s", args, code, out)
		}
	}
	if _, errOut, code := runCLI(t, "alerts", "receivers", "set", "--help"); code != 0 || !strings.Contains(errOut, "-group-wait") {
		t.Errorf("receivers set --help: %d %s", code, errOut)
	}
	if _, _, code := runCLI(t, "alerts", "nonsense"); code != 2 {
		t.Errorf("unknown subcommand: %d, want 2", code)
	}
}

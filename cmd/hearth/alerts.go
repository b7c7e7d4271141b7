package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/locate"
)

const alertsUsage = `Usage: hearth alerts <list|history|ack|silence|receivers> ...

Alerts fire from the rules: an alert is pending while its rule's condition
holds for less than the rule's "for", and fires once it has held that long.
hearth keeps every change of their state (the
history) and tells the receivers, grouping alerts, repeating them while
they fire, and leaving out what a silence mutes. An alert of a rule with
the annotation locate: "true" switches its miner's fault light on until
someone acknowledges it.

  hearth alerts list [--state pending|firing]
  hearth alerts history [--open] [--name NAME] [--since 24h|TIME] [--limit N]
  hearth alerts ack FINGERPRINT | --miner ID
  hearth alerts silence add MATCHER... (--for 2h | --until TIME) [--comment TEXT]
  hearth alerts silence list [--all]
  hearth alerts silence remove ID
  hearth alerts receivers list
  hearth alerts receivers set NAME --kind KIND [--match MATCHER...] [--group-by LABEL...]
                              [--group-wait 30s] [--group-interval 5m] [--repeat-interval 4h]
                              [--no-resolved] [--settings JSON | --settings-file FILE]
                              [--secret-file FILE] [--disabled]
  hearth alerts receivers remove NAME

A MATCHER selects alerts by a label: miner=sim-00001, site!=garage,
alertname=~"Fan.*", board!~"[0-2]" (alertname is the alert's name).

Receiver kinds and their settings (the secret is read from --secret-file
or HEARTH_RECEIVER_SECRET, never from the command line; it is sealed at
rest and never shown; set without a secret keeps the stored one):

  webhook       {"url":"https://…"}: Alertmanager's webhook JSON (version 4);
                secret: a bearer token (or the URL, when it carries a token)
  alertmanager  {"url":"http://alertmanager:9093"}: POST /api/v2/alerts, so
                an existing Alertmanager routes them; secret: a bearer token
  email         {"host":"smtp.example.com","port":587,"security":"starttls",
                "from":"hearth@example.com","to":["ops@example.com"],
                "username":"hearth"}; security starttls, tls or none;
                secret: the SMTP password
  slack         {"channel":"#mining"}; secret: the incoming-webhook URL
  telegram      {"chat_id":"-100123456"}; secret: the bot token
  ntfy          {"url":"https://ntfy.sh/my-mine","priority":4};
                secret: an access token, if the topic needs one

Examples:

  hearth alerts receivers set ops --kind webhook --group-by alertname,site \
    --settings '{"url":"https://hooks.example/hearth"}'
  HEARTH_RECEIVER_SECRET=hunter2 hearth alerts receivers set mail --kind email \
    --match 'alertname=~"Chip.*|Board.*"' --settings-file smtp.json
  hearth alerts silence add miner=sim-00001 --for 4h --comment "PSU swap"
`

// runAlerts dispatches the alerts subcommands.
func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	silences := group("hearth alerts silence", subcommands{
		"add": runSilenceAdd, "list": runSilenceList, "ls": runSilenceList, "remove": runSilenceRemove, "rm": runSilenceRemove,
	})
	receivers := group("hearth alerts receivers", subcommands{
		"list": runReceiversList, "ls": runReceiversList, "set": runReceiversSet, "remove": runReceiversRemove, "rm": runReceiversRemove,
	})
	return dispatch(ctx, "hearth alerts", alertsUsage, subcommands{
		"list": runAlertsList, "ls": runAlertsList,
		"history": runAlertsHistory,
		"ack":     runAlertsAck,
		"silence": silences, "silences": silences,
		"receivers": receivers, "receiver": receivers,
	}, args, stdout, stderr)
}

// group is the subcommand of hearth alerts named name whose own
// subcommands are cmds (hearth alerts silence add, ...).
func group(name string, cmds subcommands) subcommand {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return dispatch(ctx, name, alertsUsage, cmds, args, stdout, stderr)
	}
}

// parseWhen reads a time as RFC 3339, or as a duration before now
// ("24h": since a day ago).
func parseWhen(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, hearth.Errorf(hearth.EINVALID, "%q is neither a duration (24h) nor an RFC 3339 time (2026-07-01T00:00:00Z).", v)
	}
	return t, nil
}

// labelsText writes labels as k="v" pairs, by key.
func labelsText(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+strconv.Quote(labels[k]))
	}
	return strings.Join(parts, " ")
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func runAlertsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts list", "hearth alerts list [flags]",
		"Show the alerts pending and firing now, as the rule engine holds them: firing first, then\n"+
			"pending ones with when they fire if their condition keeps holding.", stderr)
	var cf clientFlags
	cf.register(fs)
	state := fs.String("state", "", "only the alerts of this state: pending or firing")
	if err := noArgs(fs, args, "hearth alerts list", stderr); err != nil {
		return err
	}
	list, err := cf.client().ActiveAlerts(ctx, hearth.AlertState(*state))
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "STATE", "ALERT", "MINER", "SEVERITY", "SINCE", "FIRES AT", "SUMMARY")
	for _, a := range list.Alerts {
		t.row(string(a.State), a.Name, orDash(a.Labels["miner"]), orDash(a.Labels["severity"]), localTime(a.ActiveAt), localTime(a.FiresAt), orDash(a.Annotations["summary"]))
	}
	return t.flush()
}

func runAlertsHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts history", "hearth alerts history [flags]",
		"Show the alert history: each alert that fired or resolved, newest first; --open shows the alerts firing now.", stderr)
	var cf clientFlags
	cf.register(fs)
	open := fs.Bool("open", false, "only the alerts firing now")
	name := fs.String("name", "", "only alerts of this name")
	since := fs.String("since", "", "only changes since this time or this long ago (24h)")
	limit := fs.Int("limit", 100, "at most this many events")
	if err := noArgs(fs, args, "hearth alerts history", stderr); err != nil {
		return err
	}
	f := hearth.AlertHistoryFilter{Open: *open, Name: *name, Limit: *limit}
	if *since != "" {
		t, err := parseWhen(*since, time.Now())
		if err != nil {
			return err
		}
		f.Since = t
	}
	h, err := cf.client().AlertHistory(ctx, f)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, h)
	}
	t := newTable(stdout, "TIME", "STATE", "ALERT", "LABELS", "SUMMARY", "ACKNOWLEDGED")
	for _, e := range h.Events {
		t.row(localTime(e.At), string(e.State), e.Name, labelsText(e.Labels), orDash(e.Annotations["summary"]), ackText(e, h.Acks[e.Fingerprint]))
	}
	return t.flush()
}

// ackText says who acknowledged e's alert, if the acknowledgement covers
// e's firing, and whether the alert holds its miner's fault light on.
func ackText(e *hearth.AlertEvent, a *hearth.AlertAck) string {
	switch {
	case a == nil:
		return "-"
	case a.HoldsLight():
		return "no (fault light on)"
	case a.Acknowledged() && (e.ActiveAt.IsZero() || !a.AckedAt.Before(e.ActiveAt)):
		return a.AckedBy + " " + localTime(a.AckedAt)
	}
	return "-"
}

func runAlertsAck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts ack", "hearth alerts ack FINGERPRINT | --miner ID [flags]",
		"Acknowledge an alert (its fingerprint, as hearth alerts history --json shows it), or every\n"+
			"open or located alert of a miner. The token's name is recorded. An alert that switched its\n"+
			"miner's fault light on switches it off again, unless another unacknowledged one holds it.", stderr)
	var cf clientFlags
	cf.register(fs)
	miner := fs.String("miner", "", "acknowledge every open or located alert of this miner")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var req locate.AckRequest
	switch {
	case len(pos) == 1 && *miner == "":
		req.Fingerprint = pos[0]
	case len(pos) == 0 && *miner != "":
		req.MinerID = *miner
	default:
		fmt.Fprintln(stderr, "hearth alerts ack: give one FINGERPRINT or --miner ID")
		fs.Usage()
		return errUsage
	}
	list, err := cf.client().AckAlerts(ctx, req)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "ALERT", "MINER", "FAULT LIGHT", "BY", "AT")
	for _, a := range list.Acks {
		light := "-"
		if a.Located {
			light = "released"
		}
		t.row(a.Name, orDash(a.MinerID), light, a.AckedBy, localTime(a.AckedAt))
	}
	return t.flush()
}

func runSilenceAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts silence add", "hearth alerts silence add MATCHER... (--for 2h | --until TIME) [flags]",
		"Mute the alerts every matcher selects, for a while. The token's name is recorded as the author.", stderr)
	var cf clientFlags
	cf.register(fs)
	dur := fs.Duration("for", 0, "how long the silence lasts")
	until := fs.String("until", "", "when the silence ends (RFC 3339)")
	comment := fs.String("comment", "", "why")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "hearth alerts silence add: at least one MATCHER expected (miner=sim-00001)")
		return errUsage
	}
	req := hearthhttp.SilenceRequest{Comment: *comment}
	for _, p := range pos {
		m, err := hearth.ParseMatcher(p)
		if err != nil {
			return err
		}
		req.Matchers = append(req.Matchers, m)
	}
	switch {
	case (*dur > 0) == (*until != ""):
		return hearth.Errorf(hearth.EINVALID, "Give --for or --until: how long the silence lasts.")
	case *dur > 0:
		req.For = dur.String()
	default:
		if req.EndsAt, err = time.Parse(time.RFC3339, *until); err != nil {
			return hearth.Errorf(hearth.EINVALID, "--until must be an RFC 3339 time such as 2026-07-01T18:00:00Z.")
		}
	}
	s, err := cf.client().CreateSilence(ctx, req)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, s)
	}
	fmt.Fprintf(stdout, "silence %d added until %s\n", s.ID, localTime(s.EndsAt))
	return nil
}

func matchersText(ms []hearth.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " ")
}

func runSilenceList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts silence list", "hearth alerts silence list [flags]", "List the silences not yet ended.", stderr)
	var cf clientFlags
	cf.register(fs)
	all := fs.Bool("all", false, "ended silences too")
	if err := noArgs(fs, args, "hearth alerts silence list", stderr); err != nil {
		return err
	}
	list, err := cf.client().Silences(ctx, *all)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "ID", "MATCHERS", "STARTS", "ENDS", "BY", "COMMENT")
	for _, s := range list.Silences {
		t.row(strconv.FormatInt(s.ID, 10), matchersText(s.Matchers), localTime(s.StartsAt), localTime(s.EndsAt), s.CreatedBy, orDash(s.Comment))
	}
	return t.flush()
}

func runSilenceRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts silence remove", "hearth alerts silence remove ID [flags]", "End a silence at once.", stderr)
	var cf clientFlags
	cf.register(fs)
	arg, err := oneArg(fs, args, "hearth alerts silence remove", "ID", stderr)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return hearth.Errorf(hearth.EINVALID, "Silence ID %q must be a number.", arg)
	}
	if err := cf.client().DeleteSilence(ctx, id); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]any{"id": id, "status": "removed"})
	}
	fmt.Fprintf(stdout, "silence %d removed\n", id)
	return nil
}

func runReceiversList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts receivers list", "hearth alerts receivers list [flags]",
		"List the notification receivers, their routes and how their deliveries went.", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth alerts receivers list", stderr); err != nil {
		return err
	}
	list, err := cf.client().Receivers(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "NAME", "KIND", "MATCH", "GROUP BY", "STATE", "SENT", "FAILED", "LAST ERROR")
	for _, r := range list.Receivers {
		state, sent, failed, lastErr := "disabled", "-", "-", ""
		if r.Enabled {
			state = "not running"
		}
		if r.Status != nil {
			state, sent, failed, lastErr = "running", strconv.FormatInt(r.Status.Sent, 10), strconv.FormatInt(r.Status.Failed, 10), r.Status.LastError
		}
		t.row(r.Name, r.Kind, orDash(matchersText(r.Route.Matchers)), orDash(strings.Join(r.Route.GroupBy, ",")), state, sent, failed, orDash(lastErr))
	}
	return t.flush()
}

func runReceiversSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts receivers set", "hearth alerts receivers set NAME --kind KIND [flags]",
		"Create or replace a notification receiver and its route; it is used at once.", stderr)
	var cf clientFlags
	cf.register(fs)
	kind := fs.String("kind", "", "webhook, alertmanager, email, slack, telegram or ntfy")
	var matchers, groupBy stringList
	fs.Var(&matchers, "match", "a MATCHER the alerts must satisfy (repeat for more)")
	fs.Var(&groupBy, "group-by", "labels whose values make one notification, comma-separated or repeated")
	wait := fs.Duration("group-wait", 0, "how long a new group waits for more alerts (0: 30s; alertmanager kind: none)")
	interval := fs.Duration("group-interval", 0, "least time between notifications of a changed group (0: 5m; alertmanager kind: 1m)")
	repeat := fs.Duration("repeat-interval", 0, "time before an unchanged firing group is sent again (0: 4h; alertmanager kind: 1m)")
	noResolved := fs.Bool("no-resolved", false, "do not tell when alerts resolve")
	settings := fs.String("settings", "", "the kind's settings as JSON")
	settingsFile := fs.String("settings-file", "", "read the kind's settings from this JSON file")
	secretFile := fs.String("secret-file", "", "read the kind's secret from this file (or set HEARTH_RECEIVER_SECRET)")
	disabled := fs.Bool("disabled", false, "store the receiver without using it")
	name, err := oneArg(fs, args, "hearth alerts receivers set", "NAME", stderr)
	if err != nil {
		return err
	}
	r := hearth.Receiver{Name: name, Kind: *kind, Enabled: !*disabled, Secret: hearth.RedactedSecret,
		Route: hearth.Route{GroupWait: *wait, GroupInterval: *interval, RepeatInterval: *repeat, SendResolved: !*noResolved}}
	for _, m := range matchers {
		pm, err := hearth.ParseMatcher(m)
		if err != nil {
			return err
		}
		r.Route.Matchers = append(r.Route.Matchers, pm)
	}
	for _, g := range groupBy {
		for l := range strings.SplitSeq(g, ",") {
			if l = strings.TrimSpace(l); l != "" {
				r.Route.GroupBy = append(r.Route.GroupBy, l)
			}
		}
	}
	raw := []byte(*settings)
	if *settingsFile != "" {
		if *settings != "" {
			return hearth.Errorf(hearth.EINVALID, "Give --settings or --settings-file, not both.")
		}
		if raw, err = os.ReadFile(*settingsFile); err != nil {
			return hearth.WrapError(hearth.EINVALID, err, "Cannot read --settings-file.")
		}
	}
	if len(raw) > 0 {
		if !json.Valid(raw) {
			return hearth.Errorf(hearth.EINVALID, "The settings are not valid JSON.")
		}
		r.Settings = raw
	}
	secret, given, err := secretFrom(*secretFile, "HEARTH_RECEIVER_SECRET")
	if err != nil {
		return err
	}
	client := cf.client()
	if given {
		r.Secret = secret
	} else if old, err := client.GetReceiver(ctx, name); hearth.ErrorCode(err) == hearth.ENOTFOUND || (err == nil && old.Secret == "") {
		r.Secret = "" // nothing stored to keep
	}
	item, err := client.SetReceiver(ctx, r)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, item)
	}
	fmt.Fprintf(stdout, "receiver %s (%s) set\n", item.Name, item.Kind)
	return nil
}

// secretFrom reads a secret from file, or else from the environment
// variable env; given is false when neither names one.
func secretFrom(file, env string) (secret string, given bool, err error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, hearth.WrapError(hearth.EINVALID, err, "Cannot read --secret-file.")
		}
		return strings.TrimRight(string(b), "\r\n"), true, nil
	}
	if v, ok := os.LookupEnv(env); ok {
		return v, true, nil
	}
	return "", false, nil
}

func runReceiversRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth alerts receivers remove", "hearth alerts receivers remove NAME [flags]", "Remove a notification receiver.", stderr)
	var cf clientFlags
	cf.register(fs)
	name, err := oneArg(fs, args, "hearth alerts receivers remove", "NAME", stderr)
	if err != nil {
		return err
	}
	if err := cf.client().DeleteReceiver(ctx, name); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]string{"name": name, "status": "removed"})
	}
	fmt.Fprintf(stdout, "receiver %s removed\n", name)
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const programsUsage = `Usage: hearth power programs <list|set|show|remove> [flags]

A power program is a signal source the power controller follows: an
OpenADR 3 VTN (kind openadr), an electricity price feed (price), an MQTT
topic (mqtt), or an aggregating hearth (aggregator). Each drives one or
more sites, and says what they do when the source goes silent: hold its
last requests, curtail fully, or resume.

  hearth power programs list
  hearth power programs set NAME --kind KIND --site SITE [--site SITE...]
                            [--fail-mode hold|curtail|resume] [--silent-after 15m]
                            [--settings JSON | --settings-file FILE]
                            [--secret-file FILE] [--disabled]
  hearth power programs show NAME
  hearth power programs remove NAME

Kind aggregator makes this hearth a child of an aggregating one (started
with --aggregate-sites): settings {"url": "https://aggregator:8080",
"aggregate": "fleet", "interval": "5s"}, secret an API token of the
aggregator (hearth tokens create NAME there; its name names the child).

The secret (an OAuth client secret, an MQTT password, an API key) is read
from --secret-file or the HEARTH_PROGRAM_SECRET environment variable, never
from the command line; it is sealed at rest and never shown. set without a
secret keeps the stored one.

Examples (settings: price/README.md and mqtt/README.md):

  hearth power programs set tariff --kind price --site barn --settings \
    '{"feed":"/var/lib/hearth/tariff.csv","unit":"per_kwh","strike_per_kwh":0.12,"hysteresis_per_kwh":0.01}'
  hearth power programs set ha --kind mqtt --site barn --fail-mode curtail --settings \
    '{"broker":"tcp://10.0.0.2:1883","topic":"hearth/barn/power"}'
`

// runPowerPrograms dispatches the programs subcommands.
func runPowerPrograms(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "hearth power programs", programsUsage, subcommands{
		"list": runProgramsList, "ls": runProgramsList,
		"set":  runProgramsSet,
		"show": runProgramsShow, "get": runProgramsShow,
		"remove": runProgramsRemove, "rm": runProgramsRemove, "delete": runProgramsRemove,
	}, args, stdout, stderr)
}

func runProgramsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power programs list", "hearth power programs list [flags]", "List the power programs and how their runners are doing.", stderr)
	var cf clientFlags
	cf.register(fs)
	if err := noArgs(fs, args, "hearth power programs list", stderr); err != nil {
		return err
	}
	list, err := cf.client().PowerPrograms(ctx)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "NAME", "KIND", "SITES", "FAIL MODE", "SILENT AFTER", "STATE", "LAST CONTACT", "LAST ERROR")
	for _, p := range list.Programs {
		t.row(p.Name, string(p.Kind), strings.Join(p.Sites, ","), string(p.FailMode), p.Silence().String(), programState(p),
			programContact(p), orDash(programError(p)))
	}
	return t.flush()
}

// programState says whether a program runs and hears its source.
func programState(p hearthhttp.PowerProgramItem) string {
	switch {
	case !p.Enabled:
		return "disabled"
	case p.Status == nil || !p.Status.Running:
		return "stopped"
	case p.Status.Silent:
		return "silent (fail mode)"
	}
	return "running"
}

func programContact(p hearthhttp.PowerProgramItem) string {
	if p.Status == nil || p.Status.LastContact.IsZero() {
		return "-"
	}
	return p.Status.LastContact.Local().Format("2006-01-02 15:04:05")
}

func programError(p hearthhttp.PowerProgramItem) string {
	if p.Status == nil {
		return ""
	}
	return p.Status.LastError
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runProgramsSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power programs set", "hearth power programs set NAME --kind KIND --site SITE [flags]",
		"Create or replace a power program; its runner restarts at once.", stderr)
	var cf clientFlags
	cf.register(fs)
	var sites stringList
	fs.Var(&sites, "site", "a site the program drives (repeat for more)")
	kind := fs.String("kind", "", "openadr, price, mqtt or aggregator")
	failMode := fs.String("fail-mode", string(hearth.FailHold), "when the source is silent: hold, curtail or resume")
	silent := fs.Duration("silent-after", hearth.DefaultSilentAfter, "silence before the fail mode applies")
	settings := fs.String("settings", "", "the kind's settings as JSON")
	settingsFile := fs.String("settings-file", "", "read the kind's settings from this JSON file")
	secretFile := fs.String("secret-file", "", "read the kind's secret from this file (or set HEARTH_PROGRAM_SECRET)")
	disabled := fs.Bool("disabled", false, "store the program without running it")
	arg, err := oneArg(fs, args, "hearth power programs set", "NAME", stderr)
	if err != nil {
		return err
	}
	p := hearth.PowerProgram{Name: arg, Kind: hearth.ProgramKind(*kind), Sites: sites, FailMode: hearth.FailMode(*failMode),
		SilentAfter: *silent, Enabled: !*disabled, Secret: hearth.RedactedSecret}
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
		p.Settings = raw
	}
	secret, given, err := programSecret(*secretFile)
	if err != nil {
		return err
	}
	client := cf.client()
	if given {
		p.Secret = secret
	} else if _, err := client.GetPowerProgram(ctx, p.Name); hearth.ErrorCode(err) == hearth.ENOTFOUND {
		p.Secret = "" // a new program without a secret
	}
	item, err := client.SetPowerProgram(ctx, p)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, item)
	}
	fmt.Fprintf(stdout, "power program %s (%s) set for %s\n", item.Name, item.Kind, strings.Join(item.Sites, ", "))
	return nil
}

// programSecret reads the secret from file, or else from
// HEARTH_PROGRAM_SECRET; given is false when neither names one.
func programSecret(file string) (secret string, given bool, err error) {
	return secretFrom(file, "HEARTH_PROGRAM_SECRET")
}

func runProgramsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power programs show", "hearth power programs show NAME [flags]", "Show one power program.", stderr)
	var cf clientFlags
	cf.register(fs)
	arg, err := oneArg(fs, args, "hearth power programs show", "NAME", stderr)
	if err != nil {
		return err
	}
	p, err := cf.client().GetPowerProgram(ctx, arg)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, p)
	}
	secret := "none"
	if p.Secret != "" {
		secret = "stored"
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("name", p.Name)
	t.row("kind", string(p.Kind))
	t.row("sites", strings.Join(p.Sites, ", "))
	t.row("fail mode", fmt.Sprintf("%s after %s of silence", p.FailMode, p.Silence().Round(time.Second)))
	t.row("state", programState(*p))
	t.row("last contact", programContact(*p))
	t.row("last error", orDash(programError(*p)))
	t.row("settings", orDash(string(p.Settings)))
	t.row("secret", secret)
	return t.flush()
}

func runProgramsRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth power programs remove", "hearth power programs remove NAME [flags]",
		"Remove a power program; its requests are withdrawn.", stderr)
	var cf clientFlags
	cf.register(fs)
	arg, err := oneArg(fs, args, "hearth power programs remove", "NAME", stderr)
	if err != nil {
		return err
	}
	if err := cf.client().DeletePowerProgram(ctx, arg); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]string{"name": arg, "status": "removed"})
	}
	fmt.Fprintf(stdout, "power program %s removed\n", arg)
	return nil
}

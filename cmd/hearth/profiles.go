package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const profilesUsage = `Usage: hearth profiles <list|set|show|remove> [flags]

Named power profiles ("eco", "night", "summer-peak"). A desired state or a
schedule refers to one by name (--power profile:NAME), and the reconciler
gives each miner the watts its model is listed with, or the profile's
default watts. Changing a profile changes every miner using it; a profile in
use cannot be removed.

  hearth profiles list
  hearth profiles set NAME --mode eco --watts 3000 --model-watts "Antminer S21=3000" --model-watts "Antminer S19j Pro=2600" [--description TEXT]
  hearth profiles show NAME
  hearth profiles remove NAME

Modes are max, target, eco and sleep; target and eco need watts for every
model that uses them. set replaces the whole profile.

Every subcommand takes --server (env HEARTH_SERVER), --token (env
HEARTH_TOKEN; needed for changes) and --json.
`

// modelWattsFlags collects repeated --model-watts "MODEL=WATTS" flags.
type modelWattsFlags map[string]float64

func (m modelWattsFlags) String() string { return fmt.Sprint(len(m), " models") }

func (m modelWattsFlags) Set(v string) error {
	model, watts, ok := strings.Cut(v, "=")
	model = strings.TrimSpace(model)
	w, err := strconv.ParseFloat(strings.TrimSpace(watts), 64)
	if !ok || model == "" || err != nil {
		return fmt.Errorf("want MODEL=WATTS, such as \"Antminer S21=3000\", got %q", v)
	}
	m[model] = w
	return nil
}

func runProfiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth profiles", profilesUsage, args, stdout, stderr, "list", "ls", "set", "show", "get", "remove", "rm", "delete")
	if !ok {
		return err
	}
	fs := newFlagSet("hearth profiles "+sub, "hearth profiles "+sub+" [NAME] [flags]", profilesUsage, stderr)
	var cf clientFlags
	cf.register(fs)
	var req hearthhttp.ProfileRequest
	models := modelWattsFlags{}
	if sub == "set" {
		fs.Func("mode", "power mode: max, target, eco or sleep", func(v string) error { req.Mode = hearth.PowerMode(v); return nil })
		fs.Float64Var(&req.Watts, "watts", 0, "watts for every model --model-watts does not list")
		fs.Var(models, "model-watts", `watts of one model, "MODEL=WATTS" (repeatable)`)
		fs.StringVar(&req.Description, "description", "", "what the profile is for")
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	client := cf.client()
	if sub == "list" || sub == "ls" {
		list, err := client.Profiles(ctx)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, list)
		}
		t := newTable(stdout, "NAME", "MODE", "WATTS", "MODEL WATTS", "USED BY", "DESCRIPTION")
		for _, p := range list.Profiles {
			t.row(p.Name, string(p.Mode), formatWatts(p.Watts), orDash(formatModelWatts(p.ModelWatts)),
				orDash(strings.Join(p.UsedBy, ", ")), orDash(p.Description))
		}
		return t.flush()
	}

	if len(pos) != 1 {
		fmt.Fprintf(stderr, "hearth profiles %s: one profile NAME expected\n", sub)
		return errUsage
	}
	name := pos[0]
	var p *hearthhttp.ProfileItem
	switch sub {
	case "set":
		if req.Mode == "" {
			return hearth.Errorf(hearth.EINVALID, "--mode required: max, target, eco or sleep.")
		}
		if len(models) > 0 {
			req.ModelWatts = models
		}
		p, err = client.SetProfile(ctx, name, req)
	case "show", "get":
		p, err = client.GetProfile(ctx, name)
	case "remove", "rm", "delete":
		if err := client.DeleteProfile(ctx, name); err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, map[string]any{"removed": name})
		}
		fmt.Fprintf(stdout, "removed profile %s\n", name)
		return nil
	}
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, p)
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("name", p.Name)
	t.row("description", orDash(p.Description))
	t.row("mode", string(p.Mode))
	t.row("watts", formatWatts(p.Watts))
	for _, model := range slices.Sorted(maps.Keys(p.ModelWatts)) {
		t.row("watts of "+model, formatWatts(p.ModelWatts[model]))
	}
	t.row("used by", orDash(strings.Join(p.UsedBy, ", ")))
	return t.flush()
}

// formatWatts shows watts, or a dash for none.
func formatWatts(w float64) string {
	if w == 0 {
		return "-"
	}
	return strconv.FormatFloat(w, 'f', -1, 64)
}

// formatModelWatts shows per-model watts as "MODEL=WATTS" by model.
func formatModelWatts(m map[string]float64) string {
	var parts []string
	for _, model := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, model+"="+strconv.FormatFloat(m[model], 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

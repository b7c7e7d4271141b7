package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const groupsUsage = `Usage: hearth groups <list|add|show|remove|add-members|remove-members> [flags]

Named sets of miners, across sites. A miner may be in any number of groups;
removing a group leaves its miners as they are.

  hearth groups list
  hearth groups add NAME [MINER...] [--description TEXT]
  hearth groups show NAME
  hearth groups remove NAME
  hearth groups add-members NAME MINER...
  hearth groups remove-members NAME MINER...

Every subcommand takes --server (env HEARTH_SERVER), --token (env
HEARTH_TOKEN; needed for changes) and --json.
`

func runGroups(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth groups", groupsUsage, args, stdout, stderr, "list", "ls", "add", "show", "get", "remove", "rm", "delete", "add-members", "remove-members")
	if !ok {
		return err
	}
	fs := newFlagSet("hearth groups "+sub, "hearth groups "+sub+" [NAME] [MINER...] [flags]", groupsUsage, stderr)
	var cf clientFlags
	cf.register(fs)
	var description string
	if sub == "add" {
		fs.StringVar(&description, "description", "", "what the group is for")
	}
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	client := cf.client()
	if sub == "list" || sub == "ls" {
		list, err := client.Groups(ctx)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, list)
		}
		t := newTable(stdout, "NAME", "MINERS", "DESCRIPTION")
		for _, g := range list.Groups {
			t.row(g.Name, strconv.Itoa(len(g.MinerIDs)), orDash(g.Description))
		}
		return t.flush()
	}

	if len(pos) == 0 {
		fmt.Fprintf(stderr, "hearth groups %s: a group NAME expected\n", sub)
		return errUsage
	}
	name, miners := pos[0], pos[1:]
	needMiners := sub == "add-members" || sub == "remove-members"
	if needMiners && len(miners) == 0 || !needMiners && sub != "add" && len(miners) > 0 {
		fmt.Fprintf(stderr, "hearth groups %s: see 'hearth groups --help' for the arguments\n", sub)
		return errUsage
	}
	var g *hearth.Group
	switch sub {
	case "add":
		g, err = client.CreateGroup(ctx, hearthhttp.GroupRequest{Name: name, Description: description, Miners: miners})
	case "show", "get":
		g, err = client.GetGroup(ctx, name)
	case "add-members":
		g, err = client.AddGroupMembers(ctx, name, miners)
	case "remove-members":
		g, err = client.RemoveGroupMembers(ctx, name, miners)
	case "remove", "rm", "delete":
		if err := client.DeleteGroup(ctx, name); err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, map[string]any{"removed": name})
		}
		fmt.Fprintf(stdout, "removed group %s\n", name)
		return nil
	}
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, g)
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("name", g.Name)
	t.row("description", orDash(g.Description))
	t.row("miners", fmt.Sprintf("%d: %s", len(g.MinerIDs), orDash(strings.Join(g.MinerIDs, " "))))
	return t.flush()
}

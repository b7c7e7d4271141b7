package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const minersUsage = `Usage: hearth miners <list|add|show|logs|remove|do> [flags]

Manage the inventory of a running hearth server through its REST API.

  hearth miners list [--site S] [--group G] [--family F] [--status online|offline|unknown]
  hearth miners add ADDRESS [--port P] [--family F] [--site S] [--row R --rack R --shelf S --slot S] [--id ID]
  hearth miners show ID
  hearth miners logs ID
  hearth miners remove ID
  hearth miners do VERB --select SELECTOR [--watts W] [--pool URL,USER[,PASS]] [--duration D]

Every subcommand takes --server (env HEARTH_SERVER), --token (env
HEARTH_TOKEN; needed for add and remove) and --json.
`

// clientFlags are the flags every API client command shares.
type clientFlags struct {
	server, token string
	json          bool
}

func (c *clientFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&c.server, "server", envOr("HEARTH_SERVER", "http://127.0.0.1:8080"), "hearth server URL (env HEARTH_SERVER)")
	fs.StringVar(&c.token, "token", envOr("HEARTH_TOKEN", ""), "API token (env HEARTH_TOKEN); needed for writes")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	fs.StringVar(new(string), "config", os.Getenv("HEARTH_CONFIG"), "config file of HEARTH_*=value lines (env HEARTH_CONFIG)")
}

func (c *clientFlags) client() *hearthhttp.Client {
	return hearthhttp.NewClient(c.server, c.token)
}

func runMiners(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "hearth miners", minersUsage, subcommands{
		"list": runMinersList, "ls": runMinersList,
		"add":  runMinersAdd,
		"show": runMinersShow, "get": runMinersShow,
		"logs": runMinersLogs, "log": runMinersLogs,
		"remove": runMinersRemove, "rm": runMinersRemove, "delete": runMinersRemove,
		"do": runMinersDo,
	}, args, stdout, stderr)
}

func runMinersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth miners list", "hearth miners list [flags]", "List the miners of a hearth server with their live status.", stderr)
	var cf clientFlags
	cf.register(fs)
	var q hearthhttp.MinerQuery
	fs.StringVar(&q.Site, "site", "", "only miners of this site")
	fs.StringVar(&q.Group, "group", "", "only members of this group")
	fs.StringVar(&q.Family, "family", "", "only miners of this family ("+familyNames()+")")
	fs.StringVar(&q.Status, "status", "", "only miners in this state: online, offline or unknown")
	fs.StringVar(&q.Sort, "sort", "", "sort by a column, e.g. hashrate or -power")
	fs.IntVar(&q.Limit, "limit", 0, "at most this many miners (0: all)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	list, err := cf.client().ListMiners(ctx, q)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "ID", "ADDRESS", "SITE", "POSITION", "MODEL", "FIRMWARE", "STATE", "HASHRATE", "POWER", "J/TH", "HOTTEST", "LAST SEEN")
	for _, m := range list.Miners {
		t.row(m.ID, m.Address, orDash(m.Site), orDash(formatPosition(m.Position)), orDash(m.Model), orDash(m.Firmware), string(m.Status.State),
			formatHashRate(m.Status.HashRate), formatPower(m.Status), formatFloat(m.Status.Efficiency, ""),
			formatFloat(m.Status.HottestChip, "°C"), formatAgo(m.Status.LastSeen, list.Now))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d miners\n", len(list.Miners), list.Total)
	return nil
}

func runMinersAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth miners add", "hearth miners add ADDRESS [flags]", "Add a miner to a hearth server. Without --family the server identifies it by probing.", stderr)
	var cf clientFlags
	cf.register(fs)
	var req hearthhttp.CreateMinerRequest
	var family, tags string
	fs.IntVar(&req.Port, "port", 0, "management port (default: the family's, 4028 or 80)")
	fs.IntVar(&req.WebPort, "web-port", 0, "web interface port where the family has one (default 80)")
	fs.IntVar(&req.APIPort, "api-port", 0, "second API's port where the family has one (default 4433 for Whatsminer API v3, 50051 for Braiins OS gRPC)")
	fs.StringVar(&family, "family", "", "protocol family ("+familyNames()+"); empty: identify")
	fs.StringVar(&req.Site, "site", "", "site the miner belongs to")
	fs.StringVar(&req.Position.Row, "row", "", "row the miner sits in at its site")
	fs.StringVar(&req.Position.Rack, "rack", "", "rack the miner sits in")
	fs.StringVar(&req.Position.Shelf, "shelf", "", "shelf of the rack")
	fs.StringVar(&req.Position.Slot, "slot", "", "slot on the shelf")
	fs.StringVar(&req.ID, "id", "", "miner id (default: derived from its hostname or address)")
	fs.StringVar(&tags, "tags", "", "comma-separated tags")
	arg, err := oneArg(fs, args, "hearth miners add", "ADDRESS", stderr)
	if err != nil {
		return err
	}
	req.Address = arg
	req.Family = hearth.Family(family)
	if tags != "" {
		req.Tags = strings.Split(tags, ",")
	}
	m, err := cf.client().CreateMiner(ctx, req)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, m)
	}
	fmt.Fprintf(stdout, "added %s: %s %s at %s (%s)\n", m.ID, orDash(m.Model), orDash(m.Firmware), m.Address, m.Family)
	return nil
}

// familyNames lists the miner families hearth has drivers for, for flag
// help, so that it names every one as drivers are added.
func familyNames() string {
	var names []string
	for _, d := range driver.All() {
		names = append(names, string(d.Family()))
	}
	return strings.Join(names, ", ")
}

// formatPower formats a miner's power, marked when hearth estimated it
// from the model's nameplate efficiency rather than the firmware measuring
// it.
func formatPower(st hearthhttp.StatusSummary) string {
	power := formatFloat(st.Power, "W")
	if st.PowerEstimated && st.Power > 0 {
		power += " (est.)"
	}
	return power
}

func runMinersShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cf, id, err := parseMinerID(args, "show", "Show one miner: identity, status, boards, fans and pools.", stderr)
	if err != nil {
		return err
	}
	m, err := cf.client().GetMiner(ctx, id)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, m)
	}
	now := m.Now
	if now.IsZero() {
		now = time.Now()
	}
	t := newTable(stdout, "FIELD", "VALUE")
	t.row("id", m.ID)
	t.row("address", fmt.Sprintf("%s:%d", m.Address, m.Port))
	t.row("family", string(m.Family))
	t.row("model", orDash(m.Model))
	t.row("firmware", orDash(m.Firmware))
	t.row("hostname", orDash(m.Hostname))
	t.row("mac", orDash(m.MAC))
	t.row("serial", orDash(m.Serial))
	t.row("site", orDash(m.Site))
	t.row("position", orDash(m.Position.String()))
	t.row("state", string(m.Status.State))
	t.row("last seen", formatAgo(m.Status.LastSeen, now))
	t.row("last error", orDash(m.Status.LastError))
	t.row("hashrate", formatHashRate(m.Status.HashRate))
	t.row("power", formatPower(m.Status))
	t.row("efficiency", formatFloat(m.Status.Efficiency, "J/TH"))
	if err := t.flush(); err != nil {
		return err
	}
	if r := m.Latest; r != nil {
		fmt.Fprintln(stdout)
		bt := newTable(stdout, "BOARD", "HASHRATE", "CHIP °C", "BOARD °C", "CHIPS", "FAILED")
		for _, b := range r.Boards {
			bt.row(fmt.Sprint(b.Index), formatHashRate(b.HashRate), formatFloat(b.ChipTemp, ""), formatFloat(b.BoardTemp, ""),
				fmt.Sprintf("%d/%d", b.Chips, b.ExpectedChips), fmt.Sprint(b.FailedChips))
		}
		bt.flush()
		fmt.Fprintln(stdout)
		ft := newTable(stdout, "FAN", "RPM")
		for _, f := range r.Fans {
			name := f.Name
			if name == "" {
				name = hearth.FanName(m.Model, f.Index)
			}
			ft.row(name, fmt.Sprintf("%.0f", f.RPM))
		}
		ft.flush()
		fmt.Fprintln(stdout)
		pt := newTable(stdout, "POOL", "URL", "USER", "STATUS", "ACTIVE")
		for _, p := range r.Pools {
			pt.row(fmt.Sprint(p.Index), p.URL, orDash(p.User), p.Status, fmt.Sprint(p.Active))
		}
		pt.flush()
	}
	return nil
}

func runMinersRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cf, id, err := parseMinerID(args, "remove", "Remove a miner from a hearth server; it is no longer polled.", stderr)
	if err != nil {
		return err
	}
	if err := cf.client().DeleteMiner(ctx, id); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, map[string]any{"removed": id})
	}
	fmt.Fprintf(stdout, "removed %s\n", id)
	return nil
}

// parseMinerID parses the flags of a subcommand that takes one miner ID.
func parseMinerID(args []string, sub, description string, stderr io.Writer) (*clientFlags, string, error) {
	fs := newFlagSet("hearth miners "+sub, "hearth miners "+sub+" ID [flags]", description, stderr)
	cf := &clientFlags{}
	cf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, "", err
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "hearth miners %s: exactly one miner ID expected\n", sub)
		return nil, "", errUsage
	}
	return cf, pos[0], nil
}

// formatPosition prints a position compactly for a table column:
// row/rack/shelf/slot, "-" for parts not recorded, "" for none at all.
func formatPosition(p hearth.Position) string {
	if p.IsZero() {
		return ""
	}
	return orDash(p.Row) + "/" + orDash(p.Rack) + "/" + orDash(p.Shelf) + "/" + orDash(p.Slot)
}

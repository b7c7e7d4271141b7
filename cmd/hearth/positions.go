package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

const positionsUsage = `Usage: hearth positions <export|import> [flags]

Where each miner sits: its site and its row, rack, shelf and slot, as CSV
that a spreadsheet opens and saves.

  hearth positions export [--site S] [-o FILE]
  hearth positions import FILE [--dry-run]

The file's first line names the columns, in any order: miner (its ID,
address, MAC or serial number), site, row, rack, shelf, slot. A column left
out leaves that field as it is; an empty cell clears it. An import is all
or nothing: an error names the line and column, and nothing is stored.
FILE "-" is standard input.

Every subcommand takes --server (env HEARTH_SERVER), --token (env
HEARTH_TOKEN; needed for import, also with --dry-run) and --json.
`

func runPositions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "hearth positions", positionsUsage, subcommands{
		"export": runPositionsExport,
		"import": runPositionsImport,
	}, args, stdout, stderr)
}

func runPositionsExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth positions export", "hearth positions export [flags]", "Write every miner's site and position as CSV.", stderr)
	var cf clientFlags
	cf.register(fs)
	var site, out string
	fs.StringVar(&site, "site", "", "only miners of this site")
	fs.StringVar(&out, "o", "", "write to this file instead of standard output")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		fmt.Fprintln(stderr, "hearth positions export: no arguments expected; use -o FILE")
		return errUsage
	}
	client := cf.client()
	if cf.json {
		list, err := client.ListMiners(ctx, hearthhttp.MinerQuery{Site: site})
		if err != nil {
			return err
		}
		type placed struct {
			Miner string `json:"miner"`
			hearth.SitePosition
		}
		out := make([]placed, len(list.Miners))
		for i, m := range list.Miners {
			out[i] = placed{Miner: m.ID, SitePosition: hearth.SitePosition{Site: m.Site, Position: m.Position}}
		}
		return writeJSON(stdout, out)
	}
	data, err := client.ExportPositions(ctx, site)
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err = stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write positions: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %d miners' positions to %s\n", strings.Count(string(data), "\n")-1, out)
	return nil
}

func runPositionsImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth positions import", "hearth positions import FILE [flags]", "Place miners from a CSV file, all or none.", stderr)
	var cf clientFlags
	cf.register(fs)
	var dryRun bool
	fs.BoolVar(&dryRun, "dry-run", false, "store nothing; show what would change")
	arg, err := oneArg(fs, args, "hearth positions import", "FILE", stderr)
	if err != nil {
		return err
	}
	var data []byte
	if arg == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(arg)
	}
	if err != nil {
		return hearth.WrapError(hearth.EINVALID, err, "Cannot read %s: %v", arg, err)
	}
	report, err := cf.client().ImportPositions(ctx, data, dryRun)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, report)
	}
	if len(report.Changes) > 0 {
		t := newTable(stdout, "LINE", "MINER", "BEFORE", "AFTER")
		for _, c := range report.Changes {
			t.row(fmt.Sprint(c.Line), c.MinerID, formatPlacement(c.Before), formatPlacement(c.After))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	verb := "placed"
	if report.DryRun {
		verb = "would place"
	}
	fmt.Fprintf(stdout, "%s %d miners; %d already where the file says", verb, len(report.Changes), report.Unchanged)
	if len(report.SitesCreated) > 0 {
		fmt.Fprintf(stdout, "; new sites: %s", strings.Join(report.SitesCreated, ", "))
	}
	fmt.Fprintln(stdout)
	if report.DryRun {
		fmt.Fprintln(stdout, "dry run: nothing was stored")
	}
	return nil
}

// formatPlacement prints a site and position for a table cell.
func formatPlacement(p hearth.SitePosition) string {
	site := p.Site
	if site == "" {
		site = "(default site)"
	}
	if p.Position.IsZero() {
		return site
	}
	return site + ": " + p.Position.String()
}

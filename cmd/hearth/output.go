package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// writeJSON prints v as indented JSON, the --json output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table prints aligned columns for terminal output.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *table) flush() error { return t.tw.Flush() }

// formatHashRate prints hashes per second in the unit people use for it.
func formatHashRate(hs float64) string {
	switch {
	case hs <= 0:
		return "-"
	case hs >= 1e15:
		return fmt.Sprintf("%.2f PH/s", hs/1e15)
	case hs >= 1e12:
		return fmt.Sprintf("%.2f TH/s", hs/1e12)
	default:
		return fmt.Sprintf("%.1f GH/s", hs/1e9)
	}
}

func formatFloat(v float64, unit string) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// formatAgo prints how long ago t was, "-" for never.
func formatAgo(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String() + " ago"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

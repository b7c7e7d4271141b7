package main

import (
	"context"
	"fmt"
	"io"
)

// runMinersLogs prints a miner's own firmware log, fetched through the
// server (which holds the miner's credentials).
func runMinersLogs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cf, id, err := parseMinerID(args, "logs", "Fetch a miner's firmware log through the server and print it.", stderr)
	if err != nil {
		return err
	}
	l, err := cf.client().MinerLogs(ctx, id)
	if err != nil {
		return err
	}
	if cf.json {
		return writeJSON(stdout, l)
	}
	if _, err := io.WriteString(stdout, l.Text); err != nil {
		return err
	}
	if l.Truncated {
		fmt.Fprintf(stderr, "hearth: the log of %s is longer than hearth fetches; this is its beginning\n", id)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/scan"
)

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hearth scan", "hearth scan RANGE... [flags]",
		"Discover miners: probe every address of the ranges (CIDRs such as 192.168.1.0/24, ranges\n"+
			"such as 10.0.0.1-10.0.0.254 or 10.0.0.1-254, single addresses) and identify each miner's\n"+
			"family, firmware and model. With --add, add what is found to a running hearth server.", stderr)
	var s scan.Scanner
	var cf clientFlags
	var add bool
	cf.register(fs)
	fs.IntVar(&s.Concurrency, "concurrency", scan.DefaultConcurrency, "hosts probed at once")
	fs.DurationVar(&s.Timeout, "timeout", scan.DefaultTimeout, "time allowed to identify one host")
	fs.IntVar(&s.Ports.RPC, "rpc-port", driver.StandardRPCPort, "port of the miners' RPC API (CGMiner)")
	fs.IntVar(&s.Ports.HTTP, "http-port", driver.StandardHTTPPort, "port of the miners' web interface and HTTP API")
	fs.IntVar(&s.Ports.API, "api-port", 0, "port of a family's second API (default: each family's own, 4433 for Whatsminer API v3, 50051 for Braiins OS gRPC)")
	fs.BoolVar(&add, "add", false, "add the miners found to the server given by --server")
	ranges, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(ranges) == 0 {
		fmt.Fprintln(stderr, "hearth scan: at least one RANGE expected")
		fs.Usage()
		return errUsage
	}
	rs, err := scan.ParseRanges(ranges)
	if err != nil {
		return err
	}
	if add && cf.token == "" {
		return hearth.Errorf(hearth.EINVALID, "--add needs an API token: set HEARTH_TOKEN or pass --token.")
	}
	if bar := newProgressBar(stderr, "scanning"); bar != nil {
		s.Progress = bar.update
		defer bar.finish()
	}
	start := time.Now()
	found, err := s.Scan(ctx, rs)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	var added []string
	if add {
		added, err = addFound(ctx, cf.client(), found, stderr)
		if err != nil {
			return err
		}
	}
	if cf.json {
		if found == nil {
			found = []*hearth.Identity{}
		}
		return writeJSON(stdout, found)
	}
	t := newTable(stdout, "ADDRESS", "PORT", "FAMILY", "FIRMWARE", "MODEL", "HASHRATE", "HOSTNAME")
	for _, id := range found {
		t.row(id.Address, fmt.Sprint(id.Port), string(id.Family), orDash(id.Firmware), orDash(id.Model), formatHashRate(id.HashRate), orDash(id.Hostname))
	}
	if err := t.flush(); err != nil {
		return err
	}
	var total uint64
	for _, r := range rs {
		total += r.Size()
	}
	fmt.Fprintf(stdout, "%d miners found in %d addresses in %s\n", len(found), total, elapsed.Round(time.Millisecond))
	if add {
		fmt.Fprintf(stdout, "%d added to %s\n", len(added), cf.server)
	}
	return nil
}

// addFound adds every identified miner to the server. Miners the server
// has already are reported and skipped; any other failure stops the run.
func addFound(ctx context.Context, c *hearthhttp.Client, found []*hearth.Identity, stderr io.Writer) ([]string, error) {
	var added []string
	for _, id := range found {
		m, err := c.CreateMiner(ctx, hearthhttp.CreateMinerRequest{Address: id.Address, Port: id.Port, WebPort: id.WebPort, APIPort: id.APIPort})
		if hearth.ErrorCode(err) == hearth.ECONFLICT {
			fmt.Fprintf(stderr, "hearth: %s is known already\n", id.Address)
			continue
		}
		if err != nil {
			return added, fmt.Errorf("add %s: %w", id.Address, err)
		}
		added = append(added, m.ID)
	}
	return added, nil
}

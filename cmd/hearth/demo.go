package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/scan"
	"github.com/hearth-fleet/hearth/sim"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f simFlags
	var cfg serveConfig
	var admin string
	var asJSON bool
	var site string
	fs := newFlagSet("hearth demo", "hearth demo [flags]",
		"Run a simulated fleet and the control plane in one process: the miners are found by a scan\n"+
			"of the simulator's addresses, added, polled and served. Prints the URL and the admin token.\n\n"+
			sim.FaultHelp, stderr)
	f.register(fs, 100)
	cfg.register(fs, "")
	// The demo is for looking at the fleet, not at the storage engine's
	// start-up chatter.
	cfg.logLevel = envOr("HEARTH_LOG_LEVEL", "warn")
	fs.Lookup("log-level").DefValue = cfg.logLevel
	fs.StringVar(&admin, "sim-admin", "127.0.0.1:0", "listen address of the simulator's fault-injection API")
	fs.BoolVar(&asJSON, "json", false, "print the URLs and the admin token as one JSON object")
	fs.StringVar(&site, "site", "", "site of the simulated miners, so that a site's desired state applies to them")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if cfg.data == "" {
		dir, err := os.MkdirTemp("", "hearth-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.data = dir
	}

	s, err := f.start(stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	adminURL, err := serveAdmin(ctx, s, admin)
	if err != nil {
		return err
	}

	srv, err := openServer(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer srv.close()

	n, err := addSimulated(ctx, srv, s, site, stderr)
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(stdout, map[string]any{
			"miners": n, "url": srv.url, "admin_token": srv.adminToken,
			"prometheus": srv.url + "/prometheus", "faults": adminURL, "data": cfg.data,
		}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "hearth demo: %d simulated miners added; open the fleet in a browser\n", n)
		fmt.Fprintf(stdout, "fleet:        %s\n", srv.url)
		if srv.adminToken != "" {
			fmt.Fprintf(stdout, "admin token:  %s\n", srv.adminToken)
		}
		fmt.Fprintf(stdout, "prometheus:   %s/prometheus\n", srv.url)
		fmt.Fprintf(stdout, "faults:       %s\n", adminURL)
		fmt.Fprintf(stdout, "data:         %s\n", cfg.data)
	}
	return srv.run(ctx)
}

// addSimulated finds the simulator's miners the way a user would, with a
// scan of their addresses, and adds those the inventory does not have, at
// site.
func addSimulated(ctx context.Context, srv *server, s *sim.Sim, site string, stderr io.Writer) (int, error) {
	miners := s.Miners()
	if len(miners) == 0 {
		return 0, nil
	}
	// APIPort is 0 unless both second APIs share one port; each family's
	// default is then where the simulator serves it.
	sc := scan.Scanner{Ports: driver.Ports{RPC: s.RPCPort(), HTTP: s.HTTPPort(), API: s.APIPort()}}
	if bar := newProgressBar(stderr, "finding miners"); bar != nil {
		sc.Progress = bar.update
		defer bar.finish()
	}
	found, err := sc.Scan(ctx, []scan.Range{{First: miners[0].Address, Last: miners[len(miners)-1].Address}})
	if err != nil {
		return 0, err
	}
	known := map[netip.Addr]bool{}
	existing, _, err := srv.miners.FindMiners(ctx, hearth.MinerFilter{})
	if err != nil {
		return 0, err
	}
	for _, m := range existing {
		if a, err := netip.ParseAddr(m.Address); err == nil {
			known[a] = true
		}
	}
	// The simulator names its miners (sim-00000, ...); the demo uses those
	// names as IDs, as an operator names machines, so that they are the
	// same whatever a faulty miner answered to the scan.
	names := map[netip.Addr]string{}
	for _, mi := range miners {
		names[mi.Address] = mi.Name
	}
	var add []*hearth.Miner
	for _, id := range found {
		if a, err := netip.ParseAddr(id.Address); err == nil && !known[a] {
			known[a] = true
			m := minerFromIdentity(id)
			m.ID = names[a]
			add = append(add, m)
		}
	}
	// Miners whose fault keeps them from answering a scan (offline,
	// garbled, slow) are added as an operator adds a machine that is down:
	// by naming its family and model.
	var unidentified int
	for _, mi := range miners {
		if !known[mi.Address] {
			unidentified++
			add = append(add, &hearth.Miner{ID: mi.Name, Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, APIPort: mi.APIPort, Family: mi.Family, Model: mi.Model})
		}
	}
	for _, m := range add {
		m.Site = site
	}
	if err := srv.miners.CreateMiners(ctx, add); err != nil {
		return 0, fmt.Errorf("add simulated miners: %w", err)
	}
	for _, m := range add {
		srv.poller.Add(m)
	}
	if unidentified > 0 {
		fmt.Fprintf(stderr, "hearth: %d simulated miners did not answer the scan (their faults keep them quiet); added by family and model\n", unidentified)
	}
	return len(add), nil
}

// minerFromIdentity is the inventory record for a machine a scan found.
func minerFromIdentity(id *hearth.Identity) *hearth.Miner {
	return &hearth.Miner{
		Address: id.Address, Port: id.Port, WebPort: id.WebPort, APIPort: id.APIPort,
		Family: id.Family, Firmware: id.Firmware, Model: id.Model,
		Serial: id.Serial, MAC: id.MAC, Hostname: id.Hostname,
	}
}

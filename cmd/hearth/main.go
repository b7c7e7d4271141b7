// Command hearth is the mining management system: the control plane
// (serve), a simulated fleet (sim), both at once (demo), discovery (scan),
// the inventory client (miners) and benchmarks (bench).
//
// This package only wires: flags and environment into the packages that do
// the work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hearth-fleet/hearth"
	_ "github.com/hearth-fleet/hearth/driver/antminer"
	_ "github.com/hearth-fleet/hearth/driver/avalon"
	_ "github.com/hearth-fleet/hearth/driver/axeos"
	_ "github.com/hearth-fleet/hearth/driver/braiins"
	_ "github.com/hearth-fleet/hearth/driver/epic"
	_ "github.com/hearth-fleet/hearth/driver/luxos"
	_ "github.com/hearth-fleet/hearth/driver/vnish"
	_ "github.com/hearth-fleet/hearth/driver/whatsminer"
	_ "github.com/hearth-fleet/hearth/mqtt"
	_ "github.com/hearth-fleet/hearth/openadr" // the openadr power-program kind
	_ "github.com/hearth-fleet/hearth/price"
)

const usage = `hearth manages Bitcoin miners: it finds, watches and controls a fleet.

Usage:
  hearth <command> [flags]

Commands:
  serve        run the control plane (API, web UI, poller, metrics)
  demo         run a simulated fleet and the control plane together
  sim          run a simulated fleet of miners speaking the real protocols
  scan         discover miners in address ranges
  miners       list, add, show, remove and control miners through a running server
  diag         download a miner's diagnostics bundle (logs, readings, configuration, alerts, errors)
  audit        show the audit log of control actions
  status       show what a running server holds: metrics disk use and history by tier
  credentials  set, list and remove the passwords hearth uses to control miners
  schedules    list, add, show and remove schedules; preview when one is in force (schedules next)
  sites        list, add, show, edit and remove sites and their power facts
  groups       list, add, show and remove groups of miners and their members
  positions    export and import where miners sit (site, row, rack, shelf, slot) as CSV
  desired      set what sites, groups and miners should be, and show drift
  power        hold sites to power targets: status, overrides, signals and requests
  profiles     list, set, show and remove named power profiles (eco, night) with per-model watts
  tokens       make and list API tokens in the data directory (one per child hearth of an aggregator)
  rules        test and check alerting rule files (rules test FILE...), print the defaults
  alerts       pending and firing alerts, history, acknowledgements, silences and receivers
  maintenance  boards to replace and miners with repeated faults, by site and rack
  bench        measure hearth (bench sweep, bench curtail)
  plan         plan economics: hashprice, heat, roi, montecarlo, backtest, site, home
  version      print the version

Run 'hearth <command> --help' for a command's flags.
`

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run dispatches to a command. It is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	if err := loadConfig(rest); err != nil {
		return err
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "sim":
		return runSim(ctx, rest, stdout, stderr)
	case "scan":
		return runScan(ctx, rest, stdout, stderr)
	case "miners":
		return runMiners(ctx, rest, stdout, stderr)
	case "diag":
		return runDiag(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "plan":
		return runPlan(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "credentials":
		return runCredentials(ctx, rest, stdout, stderr)
	case "schedules":
		return runSchedules(ctx, rest, stdout, stderr)
	case "power":
		return runPower(ctx, rest, stdout, stderr)
	case "sites":
		return runSites(ctx, rest, stdout, stderr)
	case "groups":
		return runGroups(ctx, rest, stdout, stderr)
	case "positions":
		return runPositions(ctx, rest, stdout, stderr)
	case "desired":
		return runDesired(ctx, rest, stdout, stderr)
	case "profiles":
		return runProfiles(ctx, rest, stdout, stderr)
	case "tokens":
		return runTokens(ctx, rest, stdout, stderr)
	case "status":
		return runStatus(ctx, rest, stdout, stderr)
	case "alerts":
		return runAlerts(ctx, rest, stdout, stderr)
	case "rules":
		return runRules(ctx, rest, stdout, stderr)
	case "maintenance":
		return runMaintenance(ctx, rest, stdout, stderr)
	case "version", "--version":
		if len(rest) > 0 && (rest[0] == "--json" || rest[0] == "-json") {
			return writeJSON(stdout, map[string]string{"version": Version})
		}
		fmt.Fprintf(stdout, "hearth %s\n", Version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "hearth: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

// errUsage is returned after a usage message has been printed.
var errUsage = errors.New("usage")

// exitCode prints err for the user and returns the process exit status:
// 0 for success and --help, 2 for usage errors, 1 for everything else.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	}
	fmt.Fprintf(stderr, "hearth: %s\n", userMessage(err))
	if hearth.ErrorCode(err) == hearth.EINVALID {
		return 2
	}
	return 1
}

// userMessage is the text to show for err: the domain message where there
// is one (it is written for users), the error itself otherwise.
func userMessage(err error) string {
	var e *hearth.Error
	if errors.As(err, &e) {
		if e.Code == hearth.EINTERNAL && e.Err != nil {
			return e.Error()
		}
		return e.Message
	}
	return err.Error()
}

// newFlagSet returns a flag set that prints a command's usage with its
// description and returns errors instead of exiting.
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// ("hearth scan 10.0.0.0/24 --json"), and returns the positional ones. A
// parse error becomes errUsage (the flag package has printed it already).
// noArgs parses args for a command that takes flags only, refusing
// positional arguments with a usage error naming the command.
func noArgs(fs *flag.FlagSet, args []string, name string, stderr io.Writer) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprintln(stderr, name+": no arguments expected")
		return errUsage
	}
	return nil
}

func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// envOr returns the environment variable key, else the config file's
// value of it, else def, so that flags default to the environment and the
// file, and override them when given.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	if v, ok := fileSetting(key); ok && v != "" {
		return v
	}
	return def
}

// oneArg parses args for a command that takes exactly one positional
// argument, what (a NAME, an ID, a FILE), and returns it; anything else is
// a usage error naming the command.
func oneArg(fs *flag.FlagSet, args []string, name, what string, stderr io.Writer) (string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "%s: exactly one %s expected\n", name, what)
		return "", errUsage
	}
	return pos[0], nil
}

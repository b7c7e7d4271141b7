package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
)

// subcommand runs one subcommand with the arguments after its name.
type subcommand func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// subcommands maps each name of a command's subcommands, aliases included,
// to its entry point.
type subcommands map[string]subcommand

// isHelpWord reports whether arg asks for a command's usage.
func isHelpWord(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// dispatch runs the subcommand args[0] of the command called name. Every
// command answers alike: a help word prints usage on stdout; no
// subcommand, or an unknown one, prints usage on stderr and fails with
// errUsage.
func dispatch(ctx context.Context, name, usage string, cmds subcommands, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand(name, usage, args, stdout, stderr, slices.Collect(maps.Keys(cmds))...)
	if !ok {
		return err
	}
	return cmds[sub](ctx, rest, stdout, stderr)
}

// pickSubcommand is dispatch for a command whose subcommands share their
// flags and code: it returns the subcommand and its arguments when args[0]
// is one of names, and ok true. Otherwise it answers as dispatch does and
// returns ok false with the error to return (nil after help).
func pickSubcommand(name, usage string, args []string, stdout, stderr io.Writer, names ...string) (sub string, rest []string, ok bool, err error) {
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, usage)
		return "", nil, false, errUsage
	case isHelpWord(args[0]):
		fmt.Fprint(stdout, usage)
		return "", nil, false, nil
	case slices.Contains(names, args[0]):
		return args[0], args[1:], true, nil
	}
	fmt.Fprintf(stderr, "%s: unknown subcommand %q\n\n%s", name, args[0], usage)
	return "", nil, false, errUsage
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hearth-fleet/hearth/secret"
)

const tokensUsage = `Usage: hearth tokens <create|list> [flags]

API tokens of this hearth, made and listed in its data directory (the
store of a serve or demo; it may be running). A token's name says what it
is for; a child hearth reporting to this one as its aggregator is named
by its token: create one token per child and give it to the child as its
aggregator program's secret.

  hearth tokens create NAME [--data DIR] [--db URL] [--json]
  hearth tokens list [--data DIR] [--db URL] [--json]

The secret of a new token is printed once; only its hash is kept.
`

// runTokens dispatches the tokens subcommands.
func runTokens(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	create := func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return runTokensCommand(ctx, true, args, stdout, stderr)
	}
	list := func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return runTokensCommand(ctx, false, args, stdout, stderr)
	}
	return dispatch(ctx, "hearth tokens", tokensUsage, subcommands{
		"create": create, "add": create,
		"list": list, "ls": list,
	}, args, stdout, stderr)
}

// runTokensCommand creates a token (create) or lists them.
func runTokensCommand(ctx context.Context, create bool, args []string, stdout, stderr io.Writer) error {
	name := "hearth tokens list"
	if create {
		name = "hearth tokens create"
	}
	fs := newFlagSet(name, name+" [flags]", "Make or list API tokens in the data directory's store.", stderr)
	data := fs.String("data", envOr("HEARTH_DATA", "./hearth-data"), "data directory (env HEARTH_DATA)")
	db := fs.String("db", envOr("HEARTH_DB", ""), "relational store, as for serve (env HEARTH_DB)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != map[bool]int{true: 1, false: 0}[create] {
		fmt.Fprintln(stderr, name+": "+map[bool]string{true: "exactly one NAME expected", false: "no arguments expected"}[create])
		return errUsage
	}
	if _, err := os.Stat(*data); err != nil {
		return fmt.Errorf("data directory %s: %w", *data, err)
	}
	box, err := secret.LoadBox(*data)
	if err != nil {
		return fmt.Errorf("secret key: %w", err)
	}
	st, err := openStore(*data, *db, box)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.close()
	if create {
		tok, secret, err := st.tokens.CreateToken(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, map[string]any{"id": tok.ID, "name": tok.Name, "prefix": tok.Prefix, "token": secret})
		}
		fmt.Fprintf(stdout, "token %s (shown once, keep it): %s\n", tok.Name, secret)
		return nil
	}
	list, err := st.tokens.FindTokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, list)
	}
	t := newTable(stdout, "ID", "NAME", "PREFIX", "CREATED", "LAST USED")
	for _, tok := range list {
		last := "-"
		if !tok.LastUsedAt.IsZero() {
			last = tok.LastUsedAt.UTC().Format("2006-01-02 15:04")
		}
		t.row(fmt.Sprint(tok.ID), tok.Name, tok.Prefix, tok.CreatedAt.UTC().Format("2006-01-02 15:04"), last)
	}
	return t.flush()
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hearth-fleet/hearth"
)

const credentialsUsage = `Usage: hearth credentials <set|list|remove> [flags]

The users and passwords hearth uses to control miners, per family, and
optionally per site or per miner (the most specific applies; without one,
the family's documented default). Passwords are encrypted at rest with the
server's secret key and never shown again.

  hearth credentials set --family antminer [--site S | --miner ID] --user root --password-stdin
  hearth credentials list
  hearth credentials remove --family antminer [--site S | --miner ID]
`

func runCredentials(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth credentials", credentialsUsage, args, stdout, stderr, "set", "list", "ls", "remove", "rm")
	if !ok {
		return err
	}
	fs := newFlagSet("hearth credentials "+sub, "hearth credentials "+sub+" [flags]", strings.TrimPrefix(credentialsUsage, "Usage: "), stderr)
	var cf clientFlags
	cf.register(fs)
	var c hearth.MinerCredential
	var family, password string
	var fromStdin bool
	fs.StringVar(&family, "family", "", "miner family ("+familyNames()+")")
	fs.StringVar(&c.Site, "site", "", "only for the miners of this site")
	fs.StringVar(&c.MinerID, "miner", "", "only for this miner")
	fs.StringVar(&c.User, "user", "", "user name (set)")
	fs.StringVar(&password, "password", "", "password (set); prefer --password-stdin, which keeps it out of shell history")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input (set)")
	if _, err := parseFlags(fs, rest); err != nil {
		return err
	}
	c.Family = hearth.Family(family)
	client := cf.client()
	switch sub {
	case "set":
		if fromStdin {
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return hearth.Errorf(hearth.EINVALID, "No password on standard input.")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		c.Password = password
		out, err := client.SetCredential(ctx, c)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, out)
		}
		fmt.Fprintf(stdout, "stored the %s credential of user %s for %s\n", out.Family, out.User, scopeOf(out))
		return nil
	case "list", "ls":
		list, err := client.Credentials(ctx)
		if err != nil {
			return err
		}
		if cf.json {
			return writeJSON(stdout, list)
		}
		t := newTable(stdout, "FAMILY", "SCOPE", "USER", "UPDATED")
		for _, c := range list.Credentials {
			t.row(string(c.Family), scopeOf(c), c.User, c.UpdatedAt.Local().Format("2006-01-02 15:04"))
		}
		return t.flush()
	default: // "remove", "rm"
		if family == "" {
			return hearth.Errorf(hearth.EINVALID, "--family is required.")
		}
		if err := client.DeleteCredential(ctx, c.Family, c.Site, c.MinerID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed the %s credential for %s\n", c.Family, scopeOf(&c))
		return nil
	}
}

func scopeOf(c *hearth.MinerCredential) string {
	switch {
	case c.MinerID != "":
		return "miner " + c.MinerID
	case c.Site != "":
		return "site " + c.Site
	}
	return "the fleet"
}

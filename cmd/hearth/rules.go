package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hearth-fleet/hearth/alerting"
)

const rulesUsage = `Usage: hearth rules <command> [flags]

Alerting rules, in the Prometheus rule-file format.

Commands:
  test FILE...   run rule unit tests in the promtool test-rules format
                 (rule_files, evaluation_interval, tests with input_series in
                 promqltest notation, alert_rule_test, promql_expr_test)
  check FILE...  parse rule files as hearth (and Prometheus) would load them
  defaults       print hearth's built-in default rules

Rule files live in the rules directory (serve --rules-dir, default
<data>/rules) and are managed over the API at /api/v1/rules/{name}; the
rules and their alerts are listed at /prometheus/api/v1/rules and
/prometheus/api/v1/alerts.
`

// runRules dispatches the rules subcommands.
func runRules(_ context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, ok, err := pickSubcommand("hearth rules", rulesUsage, args, stdout, stderr, "test", "check", "defaults")
	if !ok {
		return err
	}
	switch sub {
	case "test", "check":
		synopsis := "hearth rules " + sub + " FILE..."
		fs := newFlagSet("hearth rules "+sub, synopsis, "See 'hearth rules --help'.", stderr)
		files, err := parseFlags(fs, rest)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			fmt.Fprintf(stderr, "Usage: %s\n", synopsis)
			return errUsage
		}
		if sub == "test" {
			return alerting.RunRuleTests(stdout, files...)
		}
		return checkRuleFiles(stdout, files)
	default: // defaults
		_, err := stdout.Write(alerting.DefaultRules())
		return err
	}
}

// checkRuleFiles parses each file with the rule-file parser and reports
// the first failing one.
func checkRuleFiles(stdout io.Writer, files []string) error {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := alerting.ValidateRuleFile(b, nil); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		fmt.Fprintf(stdout, "%s: SUCCESS\n", f)
	}
	return nil
}

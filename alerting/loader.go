package alerting

import (
	"embed"
	"log/slog"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// defaultRules holds hearth's default rule file and its unit tests.
//
//go:embed rules/default.yml
var defaultRules embed.FS

// defaultRulesPath is the default rule file's path in defaultRules.
const defaultRulesPath = "rules/default.yml"

// embeddedPrefix marks a rule file identifier that names a built-in file
// rather than a path on disk. The rule manager keys groups by identifier,
// so the prefix also shows in /api/v1/rules as the group's file.
const embeddedPrefix = "builtin:"

// defaultRulesID identifies the default rules to the rule manager.
const defaultRulesID = embeddedPrefix + defaultRulesPath

// DefaultRules returns hearth's default rule file, as shipped.
func DefaultRules() []byte {
	b, err := defaultRules.ReadFile(defaultRulesPath)
	if err != nil {
		panic("alerting: default rules not embedded: " + err.Error())
	}
	return b
}

// nameValidation is the metric and label name scheme of rule files,
// Prometheus 3's default.
const nameValidation = model.UTF8Validation

// groupLoader loads rule files for the rule manager: built-in files from
// the binary, the others from disk, each parsed and validated by the
// Prometheus rule-file parser.
type groupLoader struct {
	parser parser.Parser
	logger *slog.Logger
}

func newGroupLoader(logger *slog.Logger) groupLoader {
	return groupLoader{parser: ruleParser(), logger: logger}
}

// Load reads and validates the rule file identifier.
func (l groupLoader) Load(identifier string, ignoreUnknownFields bool, _ model.ValidationScheme) (*rulefmt.RuleGroups, []error) {
	if path, ok := strings.CutPrefix(identifier, embeddedPrefix); ok {
		b, err := defaultRules.ReadFile(path)
		if err != nil {
			return nil, []error{err}
		}
		return rulefmt.Parse(b, ignoreUnknownFields, nameValidation, l.parser, l.logger)
	}
	return rulefmt.ParseFile(identifier, ignoreUnknownFields, nameValidation, l.parser, l.logger)
}

// Parse parses a rule's PromQL expression.
func (l groupLoader) Parse(query string) (parser.Expr, error) {
	return l.parser.ParseExpr(query)
}

// displayName is how a rule file identifier is shown to users.
func displayName(identifier string) string {
	if path, ok := strings.CutPrefix(identifier, embeddedPrefix); ok {
		return "(built in) " + path
	}
	return identifier
}

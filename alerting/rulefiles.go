package alerting

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// MaxRuleFileSize bounds one user rule file, so that an API client cannot
// fill the disk or the parser's memory.
const MaxRuleFileSize = 1 << 20

// ruleFileExt is the extension of rule files the API writes; files ending
// in .yaml are read as well.
const ruleFileExt = ".yml"

// validRuleFileName is a rule file's name as the API takes it: a file name
// without extension, so that it can never leave the rules directory.
var validRuleFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// RuleFile is one user rule file: its name (the file name without
// extension) and its content.
type RuleFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// RuleFiles keeps the user's rule files in a directory. Files may also be
// edited on disk; a reload picks them up.
type RuleFiles struct {
	dir    string
	parser parser.Parser
}

// OpenRuleFiles returns the rule files of dir, creating it if needed.
func OpenRuleFiles(dir string, p parser.Parser) (*RuleFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("alerting: create rules directory %s: %w", dir, err)
	}
	if p == nil {
		p = ruleParser()
	}
	return &RuleFiles{dir: dir, parser: p}, nil
}

// Dir returns the directory of the rule files.
func (f *RuleFiles) Dir() string { return f.dir }

// paths lists the rule files in name order.
func (f *RuleFiles) paths() ([]string, error) {
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return nil, fmt.Errorf("alerting: read rules directory %s: %w", f.dir, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if ext := filepath.Ext(e.Name()); ext == ".yml" || ext == ".yaml" {
			out = append(out, filepath.Join(f.dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// List returns the names of the rule files.
func (f *RuleFiles) List() ([]string, error) {
	paths, err := f.paths()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)))
	}
	return names, nil
}

// path returns the file of name: the existing one (.yml or .yaml) or the
// one Put would write.
func (f *RuleFiles) path(name string) (string, error) {
	if !validRuleFileName.MatchString(name) || strings.Contains(name, "..") {
		return "", hearth.Errorf(hearth.EINVALID, "Rule file name %q: use letters, digits, '.', '_' and '-' (up to 100).", name)
	}
	for _, ext := range []string{".yml", ".yaml"} {
		p := filepath.Join(f.dir, name+ext)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return filepath.Join(f.dir, name+ruleFileExt), nil
}

// Get returns the rule file name (ENOTFOUND when there is none).
func (f *RuleFiles) Get(name string) (*RuleFile, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Rule file %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("alerting: read rule file %s: %w", p, err)
	}
	return &RuleFile{Name: name, Content: string(b)}, nil
}

// Put validates content with the Prometheus rule-file parser and stores it
// as the rule file name, replacing any. A file the parser refuses is not
// stored: the error (EINVALID) carries the parser's messages. The file is
// written beside and renamed over the old one, so that a reload never reads
// half of it.
func (f *RuleFiles) Put(name string, content []byte) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if len(content) > MaxRuleFileSize {
		return hearth.Errorf(hearth.ETOOLARGE, "Rule file is %d bytes; at most %d.", len(content), MaxRuleFileSize)
	}
	if err := ValidateRuleFile(content, f.parser); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.dir, ".rules-*")
	if err != nil {
		return fmt.Errorf("alerting: write rule file %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return fmt.Errorf("alerting: write rule file %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("alerting: write rule file %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("alerting: write rule file %s: %w", name, err)
	}
	return nil
}

// Delete removes the rule file name (ENOTFOUND when there is none).
func (f *RuleFiles) Delete(name string) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return hearth.Errorf(hearth.ENOTFOUND, "Rule file %q not found.", name)
	} else if err != nil {
		return fmt.Errorf("alerting: delete rule file %s: %w", name, err)
	}
	return nil
}

// ValidateRuleFile parses content as a Prometheus rule file, rejecting
// unknown fields, and returns the parser's errors as one EINVALID error, or
// nil. A nil parser means the default one.
func ValidateRuleFile(content []byte, p parser.Parser) error {
	if p == nil {
		p = ruleParser()
	}
	_, errs := rulefmt.Parse(content, false, nameValidation, p, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return hearth.Errorf(hearth.EINVALID, "Invalid rule file: %s", strings.Join(msgs, "; "))
	}
	return nil
}

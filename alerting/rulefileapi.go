package alerting

import (
	"context"
	"fmt"

	"github.com/hearth-fleet/hearth"
)

// filesOrErr returns the rule files store, or EUNSUPPORTED when the
// Manager was built without a rules directory.
func (m *Manager) filesOrErr() (*RuleFiles, error) {
	if m.files == nil {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED, "No rules directory is configured.")
	}
	return m.files, nil
}

// RuleFileNames lists the user's rule files by name.
func (m *Manager) RuleFileNames() ([]string, error) {
	f, err := m.filesOrErr()
	if err != nil {
		return nil, err
	}
	return f.List()
}

// RuleFile returns the content of the user's rule file name.
func (m *Manager) RuleFile(name string) (string, error) {
	f, err := m.filesOrErr()
	if err != nil {
		return "", err
	}
	rf, err := f.Get(name)
	if err != nil {
		return "", err
	}
	return rf.Content, nil
}

// SetRuleFile validates content with the Prometheus rule-file parser,
// stores it as the rule file name and reloads the rules. A file the parser
// refuses is not stored (EINVALID, with the parser's messages).
func (m *Manager) SetRuleFile(ctx context.Context, name string, content []byte) error {
	f, err := m.filesOrErr()
	if err != nil {
		return err
	}
	if err := f.Put(name, content); err != nil {
		return err
	}
	if err := m.Reload(ctx); err != nil {
		return fmt.Errorf("stored rule file %s, but reloading failed: %w", name, err)
	}
	return nil
}

// DeleteRuleFile removes the rule file name and reloads the rules.
func (m *Manager) DeleteRuleFile(ctx context.Context, name string) error {
	f, err := m.filesOrErr()
	if err != nil {
		return err
	}
	if err := f.Delete(name); err != nil {
		return err
	}
	return m.Reload(ctx)
}

// ReloadRules re-reads every rule file; see Reload.
func (m *Manager) ReloadRules(ctx context.Context) error { return m.Reload(ctx) }

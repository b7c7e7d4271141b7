package http_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/alerting"
)

// ruleFileYAML is a valid rule file with one alerting rule.
const ruleFileYAML = `groups:
  - name: mine
    rules:
      - alert: Hot
        expr: mining_board_chip_temperature_celsius > 80
        for: 1m
        labels: {severity: warning}
`

// ruleStore is a RuleService over real rule files in a temporary
// directory, so that PUT is validated by the Prometheus rule-file parser;
// reloads are counted.
type ruleStore struct {
	files   *alerting.RuleFiles
	reloads int
}

func newRuleStore(t testing.TB) *ruleStore {
	t.Helper()
	files, err := alerting.OpenRuleFiles(filepath.Join(t.TempDir(), "rules"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Put("mine", []byte(ruleFileYAML)); err != nil {
		t.Fatal(err)
	}
	return &ruleStore{files: files}
}

func (s *ruleStore) RuleFileNames() ([]string, error) { return s.files.List() }

func (s *ruleStore) RuleFile(name string) (string, error) {
	f, err := s.files.Get(name)
	if err != nil {
		return "", err
	}
	return f.Content, nil
}

func (s *ruleStore) SetRuleFile(_ context.Context, name string, content []byte) error {
	if err := s.files.Put(name, content); err != nil {
		return err
	}
	s.reloads++
	return nil
}

func (s *ruleStore) DeleteRuleFile(_ context.Context, name string) error {
	if err := s.files.Delete(name); err != nil {
		return err
	}
	s.reloads++
	return nil
}

func (s *ruleStore) ReloadRules(context.Context) error { s.reloads++; return nil }

// A rule file is stored, listed, read back and removed through the API; a
// file the rule-file parser refuses is answered 400 with the parser's
// message and not stored; a name that could leave the directory is
// refused.
func TestRuleFiles(t *testing.T) {
	f := newFixture(t)
	h := f.Handler

	rec := serve(h, withToken(request("PUT", "/api/v1/rules/extra", ruleFileYAML), validToken))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	var list struct{ Files []string }
	rec = serve(h, request("GET", "/api/v1/rules", nil))
	decode(t, rec, &list)
	if strings.Join(list.Files, ",") != "extra,mine" {
		t.Errorf("files = %v, want [extra mine]", list.Files)
	}
	rec = serve(h, request("GET", "/api/v1/rules/extra", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != ruleFileYAML || rec.Header().Get("Content-Type") != "application/yaml" {
		t.Errorf("GET: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}

	bad := strings.Replace(ruleFileYAML, "> 80", "> > 80", 1)
	rec = serve(h, withToken(request("PUT", "/api/v1/rules/broken", bad), validToken))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "parse error") {
		t.Errorf("PUT of a bad expression: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := f.Rules.RuleFile("broken"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("refused file was stored (err %v)", err)
	}
	rec = serve(h, withToken(request("PUT", "/api/v1/rules/x", "groups:\n  - name: g\n    rules:\n      - alert: A\n        exprr: up\n"), validToken))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "exprr") {
		t.Errorf("PUT with an unknown field: %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(h, withToken(request("PUT", "/api/v1/rules/..hidden", ruleFileYAML), validToken))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("PUT ..hidden: %d %s", rec.Code, rec.Body.String())
	}

	rec = serve(h, withToken(request("DELETE", "/api/v1/rules/extra", nil), validToken))
	if rec.Code != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(h, request("GET", "/api/v1/rules/extra", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", rec.Code)
	}
	rec = serve(h, withToken(request("POST", "/api/v1/rules/-/reload", nil), validToken))
	if rec.Code != http.StatusNoContent || f.Rules.reloads != 3 {
		t.Errorf("reload: %d, %d reloads, want 3", rec.Code, f.Rules.reloads)
	}
	// Writes need a token.
	rec = serve(h, request("PUT", "/api/v1/rules/extra", ruleFileYAML))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("PUT without a token: %d", rec.Code)
	}
}

// /prometheus/api/v1/alerts and /rules go to AlertsAPI, the other
// Prometheus paths to PrometheusAPI; without AlertsAPI they answer 404.
func TestAlertsAPIMounted(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Server.Handler(), request("GET", "/prometheus/api/v1/alerts", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("alerts without AlertsAPI: %d", rec.Code)
	}
	f.Server.AlertsAPI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("alerts:" + r.URL.Path)) })
	f.Server.PrometheusAPI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("query:" + r.URL.Path)) })
	h := f.Server.Handler()
	for path, want := range map[string]string{
		"/prometheus/api/v1/alerts": "alerts:/prometheus/api/v1/alerts",
		"/prometheus/api/v1/rules":  "alerts:/prometheus/api/v1/rules",
		"/prometheus/api/v1/query":  "query:/query",
	} {
		if rec := serve(h, request("GET", path, nil)); rec.Body.String() != want {
			t.Errorf("GET %s: %d %q, want %q", path, rec.Code, rec.Body.String(), want)
		}
	}
}

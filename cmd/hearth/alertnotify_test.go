package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// An alert the rule engine raises reaches a receiver configured with the
// CLI, and the alert history keeps it: the whole path from a rule file to
// a webhook, through a running demo.
func TestAlertReachesAWebhookReceiver(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var payloads []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&p); err == nil {
			mu.Lock()
			payloads = append(payloads, p)
			mu.Unlock()
		}
	}))
	defer hook.Close()

	d := startDemo(t, "--miners", "2", "--models", "s21", "--poll-interval", "1s", "--rules-interval", "1s")
	c := []string{"--server", d.URL, "--token", d.Token}
	if out, errOut, code := runCLI(t, append([]string{"alerts", "receivers", "set", "hook", "--kind", "webhook", "--group-by", "alertname",
		"--group-wait", "100ms", "--group-interval", "1s", "--settings", `{"url":"` + hook.URL + `"}`}, c...)...); code != 0 {
		t.Fatalf("receivers set: %s%s", out, errOut)
	}
	rule := "groups:\n- name: e2e\n  rules:\n  - alert: MinerMining\n    expr: mining_up == 1\n    labels:\n      severity: info\n    annotations:\n      summary: '{{ $labels.miner }} is mining'\n"
	req, _ := http.NewRequest(http.MethodPut, d.URL+"/api/v1/rules/e2e", strings.NewReader(rule))
	req.Header.Set("Authorization", "Bearer "+d.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode > 299 {
		t.Fatalf("PUT rule file: %s", resp.Status)
	}
	eventually(t, "the webhook to receive MinerMining for both miners", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range payloads {
			alerts, _ := p["alerts"].([]any)
			miners := map[string]bool{}
			for _, a := range alerts {
				labels, _ := a.(map[string]any)["labels"].(map[string]any)
				if labels["alertname"] == "MinerMining" && a.(map[string]any)["status"] == "firing" {
					miners[labels["miner"].(string)] = true
				}
			}
			if len(miners) == 2 && p["version"] == "4" {
				return true
			}
		}
		return false
	})
	if t.Failed() {
		var alerts any
		apiJSON(t, d, "GET", "/prometheus/api/v1/alerts", nil, &alerts)
		out, _, _ := runCLI(t, append([]string{"alerts", "receivers", "list", "--json"}, c...)...)
		mu.Lock()
		t.Logf("alerts %v\nreceivers %s\npayloads %d", alerts, out, len(payloads))
		mu.Unlock()
	}
	out, errOut, code := runCLI(t, append([]string{"alerts", "history", "--open", "--json"}, c...)...)
	if code != 0 || strings.Count(out, "MinerMining") < 2 {
		t.Errorf("alerts history: %s%s", out, errOut)
	}
}

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sqlite"
)

// An operator sees on /alerts the alert firing now and the history,
// silences the alert from its row, and ends the silence again.
func TestBrowserAlerts(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	first, stop := startServe(t, data, "127.0.0.1:"+freePort(t))
	defer stop()
	url, token := first["url"].(string), first["admin_token"].(string)

	// The rule engine's history sink would record these; the test writes
	// them to the store that serve has open.
	db := sqlite.NewDB(filepath.Join(data, "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	labels := map[string]string{"miner": "sim-00003", "site": "barn"}
	fp := hearth.Fingerprint("FanFailed", labels)
	now := time.Now().UTC()
	if err := sqlite.NewAlertHistoryService(db).RecordAlertEvents(context.Background(), []*hearth.AlertEvent{
		{Fingerprint: hearth.Fingerprint("PoolDown", labels), Name: "PoolDown", Labels: labels, State: hearth.AlertFiring, At: now.Add(-time.Hour)},
		{Fingerprint: hearth.Fingerprint("PoolDown", labels), Name: "PoolDown", Labels: labels, State: hearth.AlertResolved, At: now.Add(-50 * time.Minute)},
		{Fingerprint: fp, Name: "FanFailed", Labels: labels, Annotations: map[string]string{"summary": "fan 2 of sim-00003 stopped"},
			State: hearth.AlertFiring, Value: 0, At: now.Add(-10 * time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t, 120*time.Second)
	var summary string
	browse(t, ctx, "open the alerts page",
		openWithToken(url+"/alerts", token),
		chromedp.WaitVisible(`table#alerts-current[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#alerts-current-body tr[data-alert="FanFailed"]`, chromedp.ByQuery),
		chromedp.Text(`#alerts-current-body tr[data-alert="FanFailed"] td[data-col="summary"]`, &summary, chromedp.ByQuery),
		chromedp.WaitVisible(`#alerts-history-body tr[data-state="resolved"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`table#silences[data-loaded="true"]`, chromedp.ByQuery),
		screenshot("alerts"),
	)
	if summary != "fan 2 of sim-00003 stopped" {
		t.Errorf("summary %q", summary)
	}
	var matchers string
	browse(t, ctx, "silence the alert from its row",
		chromedp.Click(`#alerts-current-body tr[data-alert="FanFailed"] button[data-action="silence"]`, chromedp.ByQuery),
		chromedp.Value(`#silence-matchers`, &matchers, chromedp.ByQuery),
		chromedp.SetValue(`#silence-for`, "4h", chromedp.ByQuery),
		chromedp.SendKeys(`#silence-comment`, "fan on order", chromedp.ByQuery),
		chromedp.Click(`#silence-save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#silences-body tr[data-silence="1"]`, chromedp.ByQuery),
	)
	if !strings.Contains(matchers, `alertname="FanFailed"`) || !strings.Contains(matchers, `miner="sim-00003"`) {
		t.Errorf("silence form prefilled with %q", matchers)
	}
	out, errOut, code := runCLI(t, "alerts", "silence", "list", "--json", "--server", url)
	if code != 0 || !strings.Contains(out, `"comment": "fan on order"`) || !strings.Contains(out, `"created_by": "admin"`) {
		t.Errorf("silences after the form: %d %s%s", code, out, errOut)
	}
	browse(t, ctx, "end the silence",
		chromedp.Evaluate(`window.confirm = () => true`, nil),
		chromedp.Click(`#silences-body tr[data-silence="1"] button[data-action="delete"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#silences-body tr[data-silence="1"]`, chromedp.ByQuery),
	)
	var acked string
	browse(t, ctx, "acknowledge the alert from its row",
		chromedp.Click(`#alerts-current-body tr[data-alert="FanFailed"] button[data-action="ack"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#alerts-current-body tr[data-alert="FanFailed"] td[data-col="ack"] [data-acked-by="admin"]`, chromedp.ByQuery),
		chromedp.Text(`#alerts-current-body tr[data-alert="FanFailed"] td[data-col="ack"]`, &acked, chromedp.ByQuery),
	)
	if !strings.Contains(acked, "acknowledged by admin") {
		t.Errorf("acknowledged cell %q", acked)
	}
	out, errOut, code = runCLI(t, "alerts", "history", "--open", "--json", "--server", url)
	if code != 0 || !strings.Contains(out, `"acked_by": "admin"`) {
		t.Errorf("history after the button: %d %s%s", code, out, errOut)
	}
}

// slowHeatRule is a rule over the simulator's "hot" fault with a "for"
// far longer than the test: its alert stays pending.
const slowHeatRule = `groups:
  - name: slow
    rules:
      - alert: SlowHeat
        expr: |
          max by (miner) (mining_board_chip_temperature_celsius) > 90
            or max by (miner) (mining_board_temperature_celsius) > 85
            or max by (miner) (mining_board_outlet_temperature_celsius) > 85
        for: 1h
        labels: {severity: warning}
        annotations: {summary: "{{ $labels.miner }} runs hot"}
`

// An operator watching a miner heat up sees its alert pending on /alerts
// and in 'hearth alerts list', with when it fires, before it fires; it is
// not shown as firing.
func TestBrowserAlertsPending(t *testing.T) {
	t.Parallel()
	rules := t.TempDir()
	writeTestFile(t, filepath.Join(rules, "slow.yml"), slowHeatRule)
	d := startDemo(t, "--models", "s21", "--miners", "2", "--poll-interval", "1s", "--faults", "1:hot", "--rules-dir", rules)

	var pending *hearthhttp.ActiveAlert
	eventually(t, "SlowHeat pending for sim-00001", func() bool {
		out, _, code := runCLI(t, "alerts", "list", "--state", "pending", "--json", "--server", d.URL)
		var list hearthhttp.ActiveAlertList
		if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
			return false
		}
		for _, a := range list.Alerts {
			if a.Name == "SlowHeat" {
				pending = &a
			}
		}
		return pending != nil
	})
	if pending == nil {
		t.FailNow()
	}
	if pending.State != hearth.AlertPending || pending.Labels["miner"] != "sim-00001" || pending.ForSeconds != 3600 ||
		!pending.FiresAt.Equal(pending.ActiveAt.Add(time.Hour)) {
		t.Errorf("pending alert %+v, want SlowHeat of sim-00001 firing an hour after it became active", pending)
	}
	out, errOut, code := runCLI(t, "alerts", "list", "--server", d.URL)
	if code != 0 || !regexp.MustCompile(`(?m)^pending\s+SlowHeat\s+sim-00001\s+warning\s`).MatchString(out) {
		t.Errorf("alerts list: %d\n%s%s", code, out, errOut)
	}

	ctx := newBrowser(t, 120*time.Second)
	var since, fires, firesText string
	var firing int
	row := `#alerts-pending-body tr[data-alert="SlowHeat"][data-miner="sim-00001"]`
	browse(t, ctx, "open the alerts page",
		openWithToken(d.URL+"/alerts", d.Token),
		chromedp.WaitVisible(`table#alerts-pending[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`table#alerts-current[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery),
		chromedp.AttributeValue(row+` td[data-col="since"]`, "data-value", &since, nil, chromedp.ByQuery),
		chromedp.AttributeValue(row+` td[data-col="fires"]`, "data-value", &fires, nil, chromedp.ByQuery),
		chromedp.Text(row+` td[data-col="fires"]`, &firesText, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#alerts-current-body tr[data-alert="SlowHeat"]').length`, &firing),
		screenshot("alerts-pending"),
	)
	s, err1 := time.Parse(time.RFC3339Nano, since)
	f, err2 := time.Parse(time.RFC3339Nano, fires)
	if err1 != nil || err2 != nil || f.Sub(s) != time.Hour {
		t.Errorf("since %q, fires at %q: want an hour apart", since, fires)
	}
	if !strings.Contains(firesText, "(in 59 min)") && !strings.Contains(firesText, "(in 1 h 0 min)") {
		t.Errorf("fires-at cell %q, want it to say it fires in about an hour", firesText)
	}
	if firing != 0 {
		t.Errorf("SlowHeat listed as firing %d times", firing)
	}

	// Other labels leave out what the miner column already says.
	var labelCells []string
	browse(t, ctx, "pending labels",
		chromedp.Evaluate(`[...document.querySelectorAll('#alerts-pending-body td[data-col="labels"]')].map((td) => td.textContent)`, &labelCells))
	for _, l := range labelCells {
		if strings.Contains(l, "firmware=") || strings.Contains(l, "job=") || strings.Contains(l, "model=") {
			t.Errorf("pending alert's other labels %q repeat the miner's identity", l)
		}
	}

	// Between refreshes the countdown moves on by itself: a row due in
	// 20 s counts down within seconds.
	browse(t, ctx, "the countdown moves",
		chromedp.Evaluate(`document.querySelector('`+row+` td[data-col="fires"]').dataset.value = new Date(Date.now() + 20000).toISOString()`, nil),
		chromedp.WaitVisible(row+` td[data-col="fires"]`, chromedp.ByQuery),
		chromedp.Poll(`/\(in 1[0-9] s\)$/.test(document.querySelector('`+row+` td[data-col="fires"]').textContent)`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
	)
}

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-fleet/hearth"
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

package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/hearth-fleet/hearth/diag"
)

// The miner page lists the control actions sent to the miner with its own
// result, even when an action covered other miners too, and its "Download
// diagnostics" button saves the miner's bundle under the server's file
// name: the page fetches it with the API token (which a plain link could
// not carry) and hands it to the browser.
func TestDiagnosticsButtonInBrowser(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "2", "--models", "s21", "--poll-interval", "1s")
	eventually(t, "sim-00000 online", func() bool { return showMiner(t, d, "sim-00000").Status.State == "online" })
	// One action shared with another miner, then one for the other miner
	// alone, which sim-00000's page must not list.
	if r := doVerb(t, d, "locate-on", "--select", "sim-00000,sim-00001")["sim-00000"]; !r.OK {
		t.Fatalf("locate-on: %+v", r)
	}
	if r := doVerb(t, d, "locate-off", "--select", "sim-00001")["sim-00001"]; !r.OK {
		t.Fatalf("locate-off: %+v", r)
	}
	downloads := t.TempDir()
	ctx := newBrowser(t, 90*time.Second)
	var actionRows int
	var actionText string
	browse(t, ctx, "download the bundle",
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads),
		chromedp.Navigate(d.URL+"/miners/sim-00000"),
		chromedp.WaitVisible(`#miner[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#miner-actions[data-loaded="true"] tr[data-verb="locate-on"][data-result="ok"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#actions-body tr[data-audit-id]').length`, &actionRows),
		chromedp.Text(`#actions-body tr[data-verb="locate-on"]`, &actionText, chromedp.ByQuery),
		chromedp.Click(`#miner-diagnostics`, chromedp.ByQuery),
		chromedp.WaitVisible(`#miner[data-diagnostics^="hearth-diag-sim-00000-"]`, chromedp.ByQuery),
		screenshot("miner-diagnostics"),
	)
	if actionRows != 1 {
		t.Errorf("recent actions of sim-00000 list %d entries, want the one shared locate-on", actionRows)
	}
	for _, want := range []string{"locate-on", "sim-00000,sim-00001", "ok"} {
		if !strings.Contains(actionText, want) {
			t.Errorf("recent action row %q lacks %q", actionText, want)
		}
	}
	var saved string
	eventually(t, "the browser to save the bundle", func() bool {
		entries, _ := os.ReadDir(downloads)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "hearth-diag-sim-00000-") && strings.HasSuffix(e.Name(), ".zip") {
				saved = filepath.Join(downloads, e.Name())
				return true
			}
		}
		return false
	})
	if saved == "" {
		return
	}
	zr, err := zip.OpenReader(saved)
	if err != nil {
		t.Fatalf("saved bundle: %v", err)
	}
	defer zr.Close()
	if _, err := zr.Open(diag.ManifestName); err != nil {
		t.Errorf("saved bundle has no manifest: %v", err)
	}
}

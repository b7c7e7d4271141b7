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

// The miner page's "Download diagnostics" button saves the miner's bundle
// under the server's file name: the page fetches it with the API token
// (which a plain link could not carry) and hands it to the browser.
func TestDiagnosticsButtonInBrowser(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--miners", "1", "--models", "s21", "--poll-interval", "1s")
	eventually(t, "sim-00000 online", func() bool { return showMiner(t, d, "sim-00000").Status.State == "online" })
	downloads := t.TempDir()
	ctx := newBrowser(t, 90*time.Second)
	browse(t, ctx, "download the bundle",
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads),
		chromedp.Navigate(d.URL+"/miners/sim-00000"),
		chromedp.WaitVisible(`#miner[data-loaded="true"]`, chromedp.ByQuery),
		chromedp.Click(`#miner-diagnostics`, chromedp.ByQuery),
		chromedp.WaitVisible(`#miner[data-diagnostics^="hearth-diag-sim-00000-"]`, chromedp.ByQuery),
		screenshot("miner-diagnostics"),
	)
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

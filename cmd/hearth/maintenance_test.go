package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
	"github.com/hearth-fleet/hearth/sqlite"
)

// hearth maintenance shows the broken boards of a simulated fleet by
// rack, once its miners are placed and polled, and marks a rack ready
// when it reaches the level asked for.
func TestMaintenanceCLI(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "s21", "--miners", "5", "--poll-interval", "1s",
		"--faults", "0:failed-chips,1:dead-board,2:failed-chips")
	cli := func(args ...string) (string, string, int) {
		return runCLI(t, append(args, "--server", d.URL, "--token", d.Token)...)
	}
	csv := filepath.Join(t.TempDir(), "positions.csv")
	if err := os.WriteFile(csv, []byte("miner,site,row,rack,shelf,slot\n"+
		"sim-00000,barn,1,A,1,1\nsim-00001,barn,1,A,1,2\nsim-00002,barn,1,A,2,1\nsim-00003,barn,1,A,2,2\nsim-00004,barn,,,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := cli("positions", "import", csv); code != 0 {
		t.Fatalf("positions import: %d %s%s", code, out, errOut)
	}

	var q hearth.MaintenanceQueue
	var rack hearth.MaintenanceRack
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, errOut, code := cli("maintenance", "--site", "barn", "--rack-percent", "50", "--json")
		if code != 0 || json.Unmarshal([]byte(out), &q) != nil {
			t.Fatalf("maintenance --json: %d %s%s", code, out, errOut)
		}
		if len(q.Sites) == 1 && len(q.Sites[0].Racks) == 1 {
			rack = q.Sites[0].Racks[0]
			if rack.Replace == 3 && rack.Boards == 12 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue never showed rack A's 3 boards: %s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if rack.Site != "barn" || rack.Rack != "A" || rack.Ready || q.Thresholds.RackPercent != 50 || q.Thresholds.RackBoards != hearth.DefaultMaintenanceThresholds.RackBoards {
		t.Errorf("rack %+v under %+v: want A of barn, not ready at 3 of 12 boards", rack, q.Thresholds)
	}
	dead := 0
	for _, it := range rack.Items {
		if it.Dead && it.MinerID == "sim-00001" && *it.Board == 1 {
			dead++
		}
	}
	if dead != 1 || len(rack.Items) != 3 {
		t.Errorf("items %+v: want 3 boards, sim-00001's board 1 dead", rack.Items)
	}

	out, errOut, code := cli("maintenance", "--site", "barn", "--rack-boards", "3")
	if code != 0 || !strings.Contains(out, "barn row 1 rack A: 3 of 12 boards to replace (25 %)  READY") ||
		!strings.Contains(out, "replace board 1 (dead)") || !strings.Contains(out, "replace board 0 (20 failed chips)") {
		t.Errorf("table: %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := cli("maintenance", "--faults", "-1"); code != 2 || !strings.Contains(errOut, "fault count") {
		t.Errorf("bad threshold: %d %s", code, errOut)
	}
}

// hearth alerts ack acknowledges the open alerts of a miner, and the
// history shows who did.
func TestAlertsAckCLI(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	first, stop := startServe(t, data, "127.0.0.1:"+freePort(t))
	defer stop()
	url, token := first["url"].(string), first["admin_token"].(string)
	cli := func(args ...string) (string, string, int) {
		return runCLI(t, append(args, "--server", url, "--token", token)...)
	}
	db := sqlite.NewDB(filepath.Join(data, "hearth.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	labels := map[string]string{"miner": "sim-00003", "site": "barn", "fan": "0"}
	fp := hearth.Fingerprint("FanFailed", labels)
	if err := sqlite.NewAlertHistoryService(db).RecordAlertEvents(context.Background(), []*hearth.AlertEvent{
		{Fingerprint: fp, Name: "FanFailed", Labels: labels, State: hearth.AlertFiring, At: time.Now().Add(-time.Minute), ActiveAt: time.Now().Add(-2 * time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}

	if _, _, code := cli("alerts", "ack"); code != 2 {
		t.Errorf("ack without an alert: %d, want 2", code)
	}
	out, errOut, code := cli("alerts", "ack", "--miner", "sim-00003", "--json")
	var list hearthhttp.AlertAckList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Acks) != 1 || list.Acks[0].Fingerprint != fp || list.Acks[0].AckedBy != "admin" {
		t.Fatalf("ack: %d %s%s", code, out, errOut)
	}
	if _, errOut, code := cli("alerts", "ack", fp); code != 1 || !strings.Contains(errOut, "No open or located alert") {
		t.Errorf("acknowledging it again: %d %s", code, errOut)
	}
	if out, _, _ := cli("alerts", "history"); !strings.Contains(out, "ACKNOWLEDGED") || !strings.Contains(out, "admin ") {
		t.Errorf("history table:\n%s", out)
	}
}

// A technician opens /maintenance from the navigation and sees rack A
// with its level and the dead board to replace.
func TestBrowserMaintenance(t *testing.T) {
	t.Parallel()
	d := startDemo(t, "--models", "s21", "--miners", "3", "--poll-interval", "1s", "--faults", "1:dead-board")
	csv := filepath.Join(t.TempDir(), "positions.csv")
	if err := os.WriteFile(csv, []byte("miner,site,row,rack\nsim-00000,barn,1,A\nsim-00001,barn,1,A\nsim-00002,barn,1,A\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCLI(t, "positions", "import", csv, "--server", d.URL, "--token", d.Token); code != 0 {
		t.Fatalf("positions import: %d %s%s", code, out, errOut)
	}
	// The page shows what the API shows: wait for the poll that sees it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _, _ := runCLI(t, "maintenance", "--json", "--server", d.URL)
		if strings.Contains(out, `"dead": true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dead board never reached the queue: %s", out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	ctx := newBrowser(t, 120*time.Second)
	var level, what string
	browse(t, ctx, "open the maintenance page from the navigation",
		openWithToken(d.URL+"/alerts", d.Token),
		chromedp.Click(`nav a[href="/maintenance"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#maint-queue section[data-rack="A"] tr[data-miner="sim-00001"][data-board="1"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#maint-queue section[data-rack="A"] meter`, "value", &level, nil, chromedp.ByQuery),
		chromedp.Text(`#maint-queue section[data-rack="A"] tr[data-miner="sim-00001"] td[data-col="what"]`, &what, chromedp.ByQuery),
		chromedp.WaitVisible(`#maint-queue section[data-rack="A"][data-ready="true"]`, chromedp.ByQuery),
		screenshot("maintenance"),
	)
	if what != "board 1 dead (no chips)" || !strings.HasPrefix(level, "0.111") {
		t.Errorf("rack A shows %q at level %q, want the dead board at 1/9", what, level)
	}
}

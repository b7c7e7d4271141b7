package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/postgres/postgrestest"
)

// The tests on PostgreSQL are not parallel: they take a fraction of a
// second, and running them beside TestBenchSweepReports would add their
// allocations to the heap per miner it measures process-wide.

// hearth serve --db postgres://... keeps the inventory and the credentials
// in PostgreSQL: what the CLI adds is there after a restart, the admin
// token is made once, and no SQLite file appears in the data directory. A
// site made through the CLI is kept with its facts.
func TestServeOnPostgreSQL(t *testing.T) {
	db := postgrestest.NewURL(t)
	data := t.TempDir()
	listen := "127.0.0.1:" + freePort(t)
	first, stop := startServeArgs(t, "--data", data, "--listen", listen, "--db", db)
	token, _ := first["admin_token"].(string)
	url, _ := first["url"].(string)
	if !strings.HasPrefix(token, "hth_") || url == "" {
		t.Fatalf("first start printed %v", first)
	}
	if _, errOut, code := runCLI(t, "miners", "add", "127.1.9.9", "--family", "antminer", "--id", "rack1-slot4",
		"--server", url, "--token", token); code != 0 {
		t.Fatalf("miners add: %s", errOut)
	}
	if _, errOut, code := runCLI(t, "credentials", "set", "--family", "antminer", "--miner", "rack1-slot4",
		"--user", "root", "--password", "s3cret-pw", "--server", url, "--token", token); code != 0 {
		t.Fatalf("credentials set: %s", errOut)
	}
	if _, errOut, code := runCLI(t, "sites", "add", "north-barn", "--power-budget-kw", "500", "--phases", "3",
		"--time-zone", "Europe/Oslo", "--server", url, "--token", token); code != 0 {
		t.Fatalf("sites add: %s", errOut)
	}
	stop()

	if _, err := os.Stat(filepath.Join(data, "hearth.db")); !os.IsNotExist(err) {
		t.Errorf("hearth.db in the data directory (err=%v): the SQLite store was used", err)
	}
	var sealed []byte
	postgrestest.QueryRow(t, db, `SELECT password FROM credentials WHERE miner_id = 'rack1-slot4'`, &sealed)
	if len(sealed) == 0 || strings.Contains(string(sealed), "s3cret-pw") {
		t.Errorf("the password is stored as %q, not sealed", sealed)
	}

	second, stop := startServeArgs(t, "--data", data, "--listen", listen, "--db", db)
	defer stop()
	if _, ok := second["admin_token"]; ok {
		t.Errorf("the admin token was printed again: %v", second)
	}
	if second["miners"] != float64(1) {
		t.Errorf("second start polls %v miners, want 1", second["miners"])
	}
	out, errOut, code := runCLI(t, "miners", "show", "rack1-slot4", "--server", url, "--json")
	if code != 0 || !strings.Contains(out, `"127.1.9.9"`) {
		t.Errorf("miner after restart: exit %d %s %s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, "sites", "show", "north-barn", "--json", "--server", url)
	var site struct {
		Name        string  `json:"name"`
		PowerBudget float64 `json:"power_budget_w"`
		Phases      int     `json:"phases"`
		TimeZone    string  `json:"time_zone"`
	}
	if code != 0 {
		t.Fatalf("sites show after restart: exit %d %s %s", code, out, errOut)
	} else if err := json.Unmarshal([]byte(out), &site); err != nil {
		t.Fatalf("sites show: %v: %s", err, out)
	}
	if site.Name != "north-barn" || site.PowerBudget != 500e3 || site.Phases != 3 || site.TimeZone != "Europe/Oslo" {
		t.Errorf("site after restart: %s", out)
	}
	out, errOut, code = runCLI(t, "credentials", "list", "--json", "--server", url, "--token", token)
	if code != 0 {
		t.Fatalf("credentials list: %s", errOut)
	}
	var list struct {
		Credentials []struct {
			Family, MinerID, User, Password string
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("credentials list: %v: %s", err, out)
	}
	if len(list.Credentials) != 1 || list.Credentials[0].User != "root" || list.Credentials[0].Password != "" {
		t.Errorf("credentials after restart: %s", out)
	}
}

// A --db that names no store hearth has is refused before anything opens.
func TestServeRefusesUnknownDB(t *testing.T) {
	t.Parallel()
	_, errOut, code := runCLI(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--db", "mysql://h/db")
	if code == 0 || !strings.Contains(errOut, "postgres://") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// hearth demo --db postgres://... puts the fleet it finds in PostgreSQL.
func TestDemoOnPostgreSQL(t *testing.T) {
	db := postgrestest.NewURL(t)
	d := startDemo(t, "--miners", "4", "--models", "s21", "--poll-interval", "1s", "--db", db)
	if d.Token == "" {
		t.Fatalf("demo printed no admin token:\n%s", d.stdout.String())
	}
	var n int
	postgrestest.QueryRow(t, db, `SELECT COUNT(*) FROM miners`, &n)
	if n != 4 {
		t.Fatalf("%d miners in PostgreSQL, want 4", n)
	}
	out, errOut, code := runCLI(t, "miners", "list", "--server", d.URL)
	if code != 0 || strings.Count(out, "sim-0000") != 4 {
		t.Fatalf("miners list: exit %d\n%s%s", code, out, errOut)
	}
}

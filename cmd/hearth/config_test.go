package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func TestParseConfig(t *testing.T) {
	got, err := parseConfig([]byte("# hearth\n\nHEARTH_DATA=/var/lib/hearth\nexport HEARTH_LISTEN = 0.0.0.0:8080\nHEARTH_JOB=\"Bitcoin miner #2\"\nHEARTH_LOG_LEVEL='debug'\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"HEARTH_DATA": "/var/lib/hearth", "HEARTH_LISTEN": "0.0.0.0:8080", "HEARTH_JOB": "Bitcoin miner #2", "HEARTH_LOG_LEVEL": "debug"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, bad := range []string{"HEARTH_DATA", "HEARTH_NOPE=1", "=x", "HEARTH_JOB=\"open", "HEARTH_JOB=\"bad\\q\""} {
		_, err := parseConfig([]byte("# ok\n" + bad + "\n"))
		if hearth.ErrorCode(err) != hearth.EINVALID || !strings.Contains(hearth.ErrorMessage(err), "line 2") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("HEARTH_DATA=/var/lib/hearth\nHEARTH_LISTEN=0.0.0.0:8080\n"))
	f.Add([]byte("# c\nexport HEARTH_JOB=\"a b\"\n"))
	f.Add([]byte("HEARTH_TOKEN='x'\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("error without EINVALID: %v", err)
			}
			return
		}
		for k := range cfg {
			if !configKeys[k] {
				t.Fatalf("unknown key %q accepted", k)
			}
		}
	})
}

// A config file supplies settings; a flag overrides it. (Not parallel: the
// file's settings are the process's while the command runs.)
func TestServeReadsConfigFile(t *testing.T) {
	dir := t.TempDir()
	listen := "127.0.0.1:" + freePort(t)
	conf := filepath.Join(dir, "hearth.conf")
	if err := os.WriteFile(conf, []byte("HEARTH_LISTEN="+listen+"\nHEARTH_DATA="+filepath.Join(dir, "data")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, stop := startServeArgs(t, "--config", conf)
	if got["url"] != "http://"+listen {
		t.Errorf("url %v, want http://%s from the config file", got["url"], listen)
	}
	stop()
	if _, err := os.Stat(filepath.Join(dir, "data", "hearth.db")); err != nil {
		t.Errorf("data directory from the config file not used: %v", err)
	}
	other := "127.0.0.1:" + freePort(t)
	got, stop = startServeArgs(t, "--config", conf, "--listen", other)
	defer stop()
	if got["url"] != "http://"+other {
		t.Errorf("url %v, want the flag's http://%s", got["url"], other)
	}
	_, errOut, code := runCLI(t, "serve", "--config", filepath.Join(dir, "missing.conf"))
	if code == 0 || !strings.Contains(errOut, "missing.conf") {
		t.Errorf("missing config: exit %d %q", code, errOut)
	}
}

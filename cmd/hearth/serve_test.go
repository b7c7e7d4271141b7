package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// startServe runs 'hearth serve --json' and returns what it printed first.
func startServe(t *testing.T, data, listen string) (map[string]any, func()) {
	t.Helper()
	return startServeArgs(t, "--data", data, "--listen", listen)
}

// startServeArgs runs 'hearth serve --json' with args.
func startServeArgs(t *testing.T, args ...string) (map[string]any, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--json", "--log-level", "warn"}, args...), out, errOut)
	}()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve ended with %v: %s", err, errOut.String())
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var v map[string]any
		if s := out.String(); strings.HasSuffix(s, "}\n") && json.Unmarshal([]byte(s), &v) == nil {
			return v, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	stop()
	t.Fatalf("serve printed nothing usable: %q", out.String())
	return nil, nil
}

// The admin token is printed on first start only, and the inventory
// outlives a restart.
func TestServeKeepsInventoryAndPrintsTokenOnce(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	listen := "127.0.0.1:" + freePort(t)
	first, stop := startServe(t, data, listen)
	token, _ := first["admin_token"].(string)
	url, _ := first["url"].(string)
	if !strings.HasPrefix(token, "hth_") || url == "" {
		t.Fatalf("first start printed %v", first)
	}
	if _, errOut, code := runCLI(t, "miners", "add", "127.1.9.9", "--family", "antminer", "--id", "rack1-slot4",
		"--server", url, "--token", token); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	stop()

	second, stop := startServe(t, data, listen)
	defer stop()
	if _, ok := second["admin_token"]; ok {
		t.Errorf("the admin token was printed again: %v", second)
	}
	if second["miners"] != float64(1) {
		t.Errorf("second start polls %v miners, want 1", second["miners"])
	}
	out, errOut, code := runCLI(t, "miners", "show", "rack1-slot4", "--server", url, "--json")
	if code != 0 || !strings.Contains(out, `"127.1.9.9"`) {
		t.Errorf("after restart: exit %d %s %s", code, out, errOut)
	}
	// The old token still works for writes.
	if _, errOut, code := runCLI(t, "miners", "remove", "rack1-slot4", "--server", url, "--token", token); code != 0 {
		t.Errorf("remove with the first token after restart: %s", errOut)
	}
}

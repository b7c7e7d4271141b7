package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// hearth status shows the metrics tiers with the retentions serve was given,
// as a table and as JSON.
func TestStatusShowsMetricsTiers(t *testing.T) {
	t.Parallel()
	first, stop := startServeArgs(t, "--data", t.TempDir(), "--listen", "127.0.0.1:"+freePort(t),
		"--retention", "240h", "--rollup-retention", "9600h")
	defer stop()
	url, _ := first["url"].(string)

	out, errOut, code := runCLI(t, "status", "--server", url, "--json")
	if code != 0 {
		t.Fatalf("status --json: exit %d: %s", code, errOut)
	}
	var st struct {
		Storage struct {
			Raw, Rollup struct {
				Bytes            *int64  `json:"bytes"`
				RetentionSeconds float64 `json:"retention_seconds"`
			}
		} `json:"storage"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v: %s", err, out)
	}
	if st.Storage.Raw.RetentionSeconds != 240*3600 || st.Storage.Rollup.RetentionSeconds != 9600*3600 ||
		st.Storage.Raw.Bytes == nil || st.Storage.Rollup.Bytes == nil {
		t.Errorf("status --json: %s", out)
	}

	out, errOut, code = runCLI(t, "status", "--server", url)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"METRICS", "raw", "rollup", "10 days", "400 days"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

// Rollups kept for less time than raw samples are refused.
func TestServeRefusesShortRollupRetention(t *testing.T) {
	t.Parallel()
	_, errOut, code := runCLI(t, "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--retention", "720h", "--rollup-retention", "24h")
	if code != 2 || !strings.Contains(errOut, "Rollup retention") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 3 << 30: "3.0 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

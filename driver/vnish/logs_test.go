package vnish_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/vnish"
)

const sampleMinerLog = "[2026/03/01 11:00:00] INFO: Starting miner 1.2.6 (2024-11-18 12:00:00) on Antminer S19j Pro\n" +
	"[2026/03/01 11:00:03] INFO: Chain 0: found 126 chips of 126\n"

// textBody answers with s as plain text.
func textBody(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, s)
	}
}

func TestFetchLogs(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/logs/miner", false, textBody(sampleMinerLog))
	before := time.Now()
	l, err := vnish.New().FetchLogs(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if l.Text != sampleMinerLog || l.Source != "/api/v1/logs/miner" || l.Truncated || l.FetchedAt.Before(before) {
		t.Fatalf("got %+v", l)
	}
	if got := strings.Join(f.seen(), ","); got != "GET /api/v1/logs/miner" {
		t.Errorf("requests %s, want one GET /api/v1/logs/miner", got)
	}
	if r, _ := f.last(http.MethodGet, "/api/v1/logs/miner"); r.Auth != "" {
		t.Errorf("sent Authorization %q with no token cached", r.Auth)
	}
}

// A release that protects the logs answers 401: the driver unlocks with
// the password and asks again with the bearer token.
func TestFetchLogsUnlocksOn401(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/logs/miner", true, textBody(sampleMinerLog))
	l, err := vnish.New().FetchLogs(ctxFor(t, 5*time.Second), f.target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if l.Text != sampleMinerLog {
		t.Fatalf("text %q", l.Text)
	}
	want := "GET /api/v1/logs/miner,POST /api/v1/unlock,GET /api/v1/logs/miner"
	if got := strings.Join(f.seen(), ","); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
	if r, _ := f.last(http.MethodGet, "/api/v1/logs/miner"); r.Auth != "Bearer tok-1" {
		t.Errorf("retry sent Authorization %q", r.Auth)
	}

	f.password = "changed"
	f.rotate()
	_, err = vnish.New().FetchLogs(ctxFor(t, 5*time.Second), f.target)
	wantCode(t, err, hearth.EAUTH)
}

func TestFetchLogsErrors(t *testing.T) {
	f := newFake(t) // no /logs route: an old release
	_, err := vnish.New().FetchLogs(ctxFor(t, 5*time.Second), f.target)
	wantCode(t, err, hearth.EUNSUPPORTED)

	f.handle("GET /api/v1/logs/miner", false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"err":"log unavailable"}`)
	})
	_, err = vnish.New().FetchLogs(ctxFor(t, 5*time.Second), f.target)
	wantCode(t, err, hearth.EUNAVAILABLE)
	if !strings.Contains(err.Error(), "log unavailable") {
		t.Errorf("error %v lacks the firmware's explanation", err)
	}

	_, err = vnish.New().FetchLogs(ctxFor(t, time.Second), hearth.Target{})
	wantCode(t, err, hearth.EINVALID)
}

func TestFetchLogsHugeIsTruncated(t *testing.T) {
	f := newFake(t)
	line := "[2026/03/01 11:00:03] INFO: Chain 0: found 126 chips of 126\n"
	f.handle("GET /api/v1/logs/miner", false, textBody(strings.Repeat(line, (10<<20)/len(line))))
	l, err := vnish.New().FetchLogs(ctxFor(t, 10*time.Second), f.target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if !l.Truncated || len(l.Text) > hearth.MaxLogSize || len(l.Text) < hearth.MaxLogSize-len(line) || !strings.HasSuffix(l.Text, "\n") {
		t.Fatalf("truncated %v, %d bytes", l.Truncated, len(l.Text))
	}
}

func TestFetchLogsTrickleTimesOut(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/logs/miner", false, func(w http.ResponseWriter, r *http.Request) {
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := io.WriteString(w, "x"); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	d := vnish.New()
	d.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := d.FetchLogs(t.Context(), f.target)
	wantCode(t, err, hearth.ETIMEOUT)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v past a 500ms timeout", took)
	}
}

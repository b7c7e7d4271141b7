package epic_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/epic"
)

const sampleLog = "2026-03-01T11:00:00Z  INFO umc: Starting PowerPlay-BMS v1.5.13 on umcOS, model Antminer S19j Pro\n" +
	"2026-03-01T11:00:03Z  INFO umc: HB0: detected 126 of 126 chips\n"

func TestFetchLogs(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	target := newMiner(t, map[string]http.HandlerFunc{
		"/": func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path+" accept="+r.Header.Get("Accept"))
			mu.Unlock()
			if r.Method != http.MethodGet || r.URL.Path != "/log" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, sampleLog)
		},
	})
	before := time.Now()
	l, err := epic.New().FetchLogs(timeoutCtx(t, 5*time.Second), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if l.Text != sampleLog || l.Source != "/log" || l.Truncated || l.FetchedAt.Before(before) {
		t.Fatalf("got %+v", l)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, ","); got != "GET /log accept=text/plain" {
		t.Errorf("requests %s, want one GET /log", got)
	}
}

func TestFetchLogsErrors(t *testing.T) {
	target := newMiner(t, umcRoutes(t)) // no /log: an old release
	_, err := epic.New().FetchLogs(timeoutCtx(t, 5*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)

	target = newMiner(t, map[string]http.HandlerFunc{"GET /log": func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}})
	_, err = epic.New().FetchLogs(timeoutCtx(t, 5*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)

	_, err = epic.New().FetchLogs(timeoutCtx(t, time.Second), hearth.Target{})
	wantCode(t, err, hearth.EINVALID)
}

func TestFetchLogsHugeIsTruncated(t *testing.T) {
	line := "2026-03-01T11:00:03Z  INFO umc: HB0: detected 126 of 126 chips\n"
	huge := strings.Repeat(line, (10<<20)/len(line))
	target := newMiner(t, map[string]http.HandlerFunc{"GET /log": func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, huge)
	}})
	l, err := epic.New().FetchLogs(timeoutCtx(t, 10*time.Second), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if !l.Truncated || len(l.Text) > hearth.MaxLogSize || len(l.Text) < hearth.MaxLogSize-len(line) || !strings.HasSuffix(l.Text, "\n") {
		t.Fatalf("truncated %v, %d bytes", l.Truncated, len(l.Text))
	}
}

func TestFetchLogsTrickleTimesOut(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{"GET /log": func(w http.ResponseWriter, r *http.Request) {
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
	}})
	d := epic.New()
	d.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := d.FetchLogs(t.Context(), target)
	wantCode(t, err, hearth.ETIMEOUT)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v past a 500ms timeout", took)
	}
}

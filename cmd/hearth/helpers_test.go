package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from a running command while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// demo is a running 'hearth demo' inside the test process.
type demo struct {
	URL, Token string
	stdout     *syncBuffer
	stderr     *syncBuffer
	cancel     context.CancelFunc
	done       chan error
}

// startDemo runs 'hearth demo' with args on free ports and waits until it
// prints its URL and token. A port found free can be taken by another
// test's connection before the demo binds it: the demo is then started
// again on other ports.
func startDemo(t *testing.T, args ...string) *demo {
	t.Helper()
	for attempt := 1; ; attempt++ {
		d, err := tryDemo(t, args)
		if err == nil {
			return d
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
	}
}

// tryDemo starts one demo for startDemo; the error says why it stopped
// before printing its URL.
func tryDemo(t *testing.T, args []string) (*demo, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &demo{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	// One free port carries both second APIs (Whatsminer API v3 and
	// Braiins OS gRPC), as the simulator allows, so the demo's scan finds
	// both families with one --api-port.
	apiPort := freePort(t)
	all := append([]string{"demo", "--listen", "127.0.0.1:" + freePort(t), "--rpc-port", freePort(t), "--http-port", freePort(t),
		"--whatsminer-v3-port", apiPort, "--grpc-port", apiPort, "--log-level", "warn"}, args...)
	go func() { d.done <- run(ctx, all, d.stdout, d.stderr) }()
	urlRe := regexp.MustCompile(`fleet:\s+(\S+)`)
	tokRe := regexp.MustCompile(`admin token:\s+(\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out := d.stdout.String()
		if m := urlRe.FindStringSubmatch(out); m != nil {
			d.URL = m[1]
			if m := tokRe.FindStringSubmatch(out); m != nil {
				d.Token = m[1]
			}
			t.Cleanup(func() {
				cancel()
				select {
				case err := <-d.done:
					if err != nil {
						t.Errorf("demo ended with %v\nstderr:\n%s", err, d.stderr.String())
					}
				case <-time.After(30 * time.Second):
					t.Errorf("demo did not stop within 30 s")
				}
			})
			return d, nil
		}
		select {
		case err := <-d.done:
			cancel()
			return nil, fmt.Errorf("demo stopped early: %v\nstdout:\n%s\nstderr:\n%s", err, out, d.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
	}
	return nil, fmt.Errorf("demo did not start within 60 s\nstdout:\n%s\nstderr:\n%s", d.stdout.String(), d.stderr.String())
}

// freePort returns a TCP port free on every loopback address right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// promQuery runs an instant query through the Prometheus-compatible API
// and returns the value per miner label.
func promQuery(t *testing.T, base, q string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/prometheus/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %s %s", q, resp.Status, body)
	}
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		var v float64
		fmt.Sscan(s.Value[1].(string), &v)
		out[s.Metric["miner"]] = v
	}
	return out
}

// runCLI runs one hearth command in-process and returns its output and
// exit status as main would compute it.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, args, &o, &e)
	code = exitCode(err, &e)
	return o.String(), e.String(), code
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

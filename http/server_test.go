package http_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestOpenClose(t *testing.T) {
	f := newFixture(t)
	s := f.Server
	if s.Addr() != nil || s.URL() != "" {
		t.Fatal("address before Open")
	}
	if err := s.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Open("127.0.0.1:0"); err == nil {
		t.Fatal("second Open succeeded")
	}
	resp, err := http.Get(s.URL() + "/api/v1/fleet")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"total":5`) {
		t.Fatalf("GET over TCP: %d %s", resp.StatusCode, body)
	}
	url := s.URL()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := client.Get(url + "/api/v1/fleet"); err == nil {
		t.Fatal("server still answers after Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if err := (&hearthhttp.Server{}).Open("127.0.0.1:0"); err == nil {
		t.Fatal("Open without MinerService succeeded")
	}
	a := newFixture(t).Server
	if err := a.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b := newFixture(t).Server
	if err := b.Open(a.Addr().String()); err == nil || !strings.Contains(err.Error(), a.Addr().String()) {
		t.Fatalf("Open on a busy port: %v", err)
	}
}

// TestListenAndServeGraceful checks that cancelling the context lets a
// request in flight finish before ListenAndServe returns.
func TestListenAndServeGraceful(t *testing.T) {
	f := newFixture(t)
	started, release := make(chan struct{}), make(chan struct{})
	f.Server.MetricsHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.Server.ListenAndServe(ctx, "127.0.0.1:0") }()

	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); {
		url = f.Server.URL()
		time.Sleep(5 * time.Millisecond)
	}
	if url == "" {
		t.Fatal("server did not open")
	}

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	cancel()
	select {
	case err := <-served:
		t.Fatalf("ListenAndServe returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Fatalf("request in flight: %q, %v", r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("ListenAndServe: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after shutdown")
	}
}

// TestCloseTimeout checks that a request that never ends does not hold
// Close beyond ShutdownTimeout.
func TestCloseTimeout(t *testing.T) {
	f := newFixture(t)
	f.Server.ShutdownTimeout = 100 * time.Millisecond
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	f.Server.MetricsHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	if err := f.Server.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	go http.Get(f.Server.URL() + "/metrics")
	<-started
	start := time.Now()
	err := f.Server.Close()
	if err == nil {
		t.Fatal("Close reported a clean shutdown with a request still running")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
}

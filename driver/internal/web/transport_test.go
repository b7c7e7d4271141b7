package web_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// get sends a GET for path to srv through the shared client and reads the
// body capped at max, returning the body, the latency and the error.
func get(t *testing.T, ctx context.Context, base, path string, max int) ([]byte, time.Duration, error) {
	t.Helper()
	traced, latency := web.TraceLatency(ctx)
	req, err := web.NewRequest(traced, http.MethodGet, base, path, nil, "application/json", "hearth-test")
	if err != nil {
		return nil, 0, err
	}
	resp, err := web.NewClient(web.NewTransport()).Do(req)
	if err != nil {
		return nil, 0, web.TransportError(ctx, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if err := web.ReadBody(ctx, resp, path, max, &buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), latency(), nil
}

func TestExchange(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"ok":true}`))
		case "/big":
			w.Write(bytes.Repeat([]byte("x"), 200))
		case "/chunked":
			w.Write(bytes.Repeat([]byte("x"), 100))
			w.(http.Flusher).Flush()
			w.Write(bytes.Repeat([]byte("x"), 100))
		case "/headers":
			w.Header().Set("X-Flood", strings.Repeat("h", web.MaxHeaderBytes+1))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	b, latency, err := get(t, ctx, srv.URL, "/ok", 100)
	if err != nil || string(b) != `{"ok":true}` || latency <= 0 {
		t.Errorf("ok: %q, latency %v, %v", b, latency, err)
	}
	if got.Get("User-Agent") != "hearth-test" || got.Get("Accept") != "application/json" || got.Get("Connection") != "close" {
		t.Errorf("request headers %v", got)
	}
	if _, _, err := get(t, ctx, srv.URL, "/big", 100); hearth.ErrorCode(err) != hearth.ETOOLARGE || !strings.Contains(err.Error(), "200 bytes") {
		t.Errorf("announced too large: %v", err)
	}
	if _, _, err := get(t, ctx, srv.URL, "/chunked", 100); hearth.ErrorCode(err) != hearth.ETOOLARGE || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("too large body: %v", err)
	}
	if _, _, err := get(t, ctx, srv.URL, "/headers", 100); hearth.ErrorCode(err) != hearth.ETOOLARGE {
		t.Errorf("header flood: %v", err)
	}
	if b, _, err := get(t, ctx, srv.URL, "/redirect", 100); err != nil || bytes.Contains(b, []byte(`"ok":true`)) {
		t.Errorf("redirect followed: %q %v", b, err)
	}
	if _, _, err := get(t, ctx, "http://bad host", "/", 100); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("bad base: %v", err)
	}
}

func TestTransportErrorCodes(t *testing.T) {
	// Something that is not HTTP: a CGMiner-style reply. Like a CGMiner
	// port, it reads the request before answering; a reply sent before
	// the request would reach net/http as an unsolicited response instead.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			c.Read(buf)
			c.Write([]byte(`{"STATUS":[{"STATUS":"S"}]}` + "\x00"))
			c.Close()
		}
	}()
	if _, _, err := get(t, context.Background(), "http://"+ln.Addr().String(), "/", 100); hearth.ErrorCode(err) != hearth.EPROTOCOL {
		t.Errorf("not HTTP: %v", err)
	}

	// A server that never answers, within a short deadline.
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer silent.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := get(t, ctx, silent.URL, "/", 100); hearth.ErrorCode(err) != hearth.ETIMEOUT {
		t.Errorf("silent: %v", err)
	}

	// A closed port.
	addr := ln.Addr().String()
	ln.Close()
	if _, _, err := get(t, context.Background(), "http://"+addr, "/", 100); hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("refused: %v", err)
	}
}

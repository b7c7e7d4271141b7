package vnish_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/vnish"
)

// Miners that misbehave must give a clear hearth error within the caller's
// deadline and without unbounded memory.

func TestGarbageSummary(t *testing.T) {
	for _, body := range []string{"<html>\x00\xff</html>", `{"status":"ok"}`, `[1,2]`, `{"miner":{"hr_realtime":"fast"}}`} {
		f := newFake(t)
		f.handle("GET /api/v1/summary", false, jsonBody([]byte(body)))
		_, err := vnish.New().Poll(ctxFor(t, 5*time.Second), f.target)
		wantCode(t, err, hearth.EPROTOCOL)
	}
}

// endless streams JSON-looking bytes until the client goes away, declaring
// the whole size first when declared is set.
func endless(total int64, declared bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
		}
		chunk := bytes.Repeat([]byte(`{"hr_realtime":1},`), 4096)
		for written := int64(0); written < total; written += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

func TestOversizedReplies(t *testing.T) {
	for _, declared := range []bool{true, false} {
		f := newFake(t)
		f.handle("GET /api/v1/summary", false, endless(100<<20, declared))
		_, err := vnish.New().Poll(ctxFor(t, 10*time.Second), f.target)
		wantCode(t, err, hearth.ETOOLARGE)
	}
}

func TestTrickleTimesOut(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/summary", false, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{"))
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	start := time.Now()
	_, err := vnish.New().Poll(ctxFor(t, 500*time.Millisecond), f.target)
	wantCode(t, err, hearth.ETIMEOUT)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v past a 500ms deadline", took)
	}
}

func TestDriverTimeoutWithoutDeadline(t *testing.T) {
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
			go func() { io.Copy(io.Discard, c) }() // never answers
		}
	}()
	d := vnish.New()
	d.Timeout = 300 * time.Millisecond
	_, err = d.Poll(t.Context(), targetOf(t, ln.Addr()))
	wantCode(t, err, hearth.ETIMEOUT)
}

func TestNotHTTP(t *testing.T) {
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
			go func() {
				defer c.Close()
				// Read the request head first, so that the reply is an
				// answer and not bytes on an idle connection.
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				c.Write([]byte("\x00\x01\x02 this is not HTTP at all\r\n\r\n"))
			}()
		}
	}()
	tg := targetOf(t, ln.Addr())
	_, err = vnish.New().Poll(ctxFor(t, 2*time.Second), tg)
	wantCode(t, err, hearth.EPROTOCOL)
	_, err = vnish.New().Identify(ctxFor(t, 2*time.Second), tg)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := targetOf(t, ln.Addr())
	ln.Close()
	_, err = vnish.New().Poll(ctxFor(t, 2*time.Second), tg)
	wantCode(t, err, hearth.EUNAVAILABLE)
	_, err = vnish.New().Identify(ctxFor(t, 2*time.Second), tg)
	wantCode(t, err, hearth.EUNAVAILABLE)
}

func TestHostileUnlock(t *testing.T) {
	for body, code := range map[string]string{
		`{"token":""}`:    hearth.EPROTOCOL,
		`not json`:        hearth.EPROTOCOL,
		`{"token":12345}`: hearth.EPROTOCOL,
	} {
		f := newFake(t)
		f.unlockStatus, f.unlockBody = http.StatusOK, body
		err := vnish.New().Reboot(ctxFor(t, 2*time.Second), f.target)
		wantCode(t, err, code)
	}
	// An absurd lock-out is capped and still reported as EAUTH.
	f := newFake(t)
	f.unlockStatus, f.unlockBody = http.StatusTooManyRequests, `{"unlock_timeout":1e300}`
	err := vnish.New().Reboot(ctxFor(t, 2*time.Second), f.target)
	wantCode(t, err, hearth.EAUTH)
}

func TestBadTarget(t *testing.T) {
	_, err := vnish.New().Poll(ctxFor(t, time.Second), hearth.Target{})
	wantCode(t, err, hearth.EINVALID)
	_, err = vnish.New().Poll(ctxFor(t, time.Second), hearth.Target{Address: "127.0.0.1", Port: 70000})
	wantCode(t, err, hearth.EINVALID)
}

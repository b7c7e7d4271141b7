package axeos_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/axeos"
)

// Miners that misbehave must give a clear hearth error within the caller's
// deadline and without unbounded memory.

func TestGarbageBody(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html><body>\x00\xffnot json at all</body></html>"))
		},
	})
	_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EPROTOCOL)
	msg := hearth.ErrorMessage(err)
	if !strings.Contains(msg, "<html><body>..not json") {
		t.Errorf("message %q lacks a safe excerpt of the reply", msg)
	}

	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestJSONThatIsNotAxeOS(t *testing.T) {
	for _, body := range []string{`{"status":"ok"}`, `[1,2,3]`, `null`, `"x"`} {
		target := newMiner(t, map[string]http.HandlerFunc{"/api/system/info": serveJSON([]byte(body))})
		_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EPROTOCOL)
		_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EUNSUPPORTED)
	}
}

// endless writes a JSON-looking stream until the client goes away; with
// declared set it first announces the whole size in Content-Length.
func endless(total int64, declared bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
		}
		chunk := bytes.Repeat([]byte(`{"hashRate":1},`), 4096)
		w.Write([]byte("["))
		for written := int64(1); written < total; written += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

func TestHundredMegabyteBody(t *testing.T) {
	const size = 100 << 20
	for _, declared := range []bool{false, true} {
		t.Run("content-length="+strconv.FormatBool(declared), func(t *testing.T) {
			target := newMiner(t, map[string]http.HandlerFunc{"/api/system/info": endless(size, declared)})
			d := axeos.New()

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := d.Poll(timeoutCtx(t, 10*time.Second), target)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)

			wantCode(t, err, hearth.ETOOLARGE)
			if elapsed > 5*time.Second {
				t.Errorf("took %v to refuse the reply", elapsed)
			}
			// The server's own writes allocate nothing per chunk; what
			// is allocated is the driver's capped buffer.
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("allocated %d MiB reading a 100 MB reply", grew>>20)
			}
		})
	}
}

func TestTricklingBody(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			flusher := w.(http.Flusher)
			for _, c := range []byte(`{"ASICModel":"BM1370","hashRate":1200,"power":18,"temp":60,"padding":"` + strings.Repeat("x", 1000) + `"}`) {
				if _, err := w.Write([]byte{c}); err != nil {
					return
				}
				flusher.Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		},
	})
	const deadline = 1 * time.Second
	start := time.Now()
	_, err := axeos.New().Poll(timeoutCtx(t, deadline), target)
	elapsed := time.Since(start)
	wantCode(t, err, hearth.ETIMEOUT)
	if elapsed > deadline+500*time.Millisecond {
		t.Errorf("gave up after %v, deadline was %v", elapsed, deadline)
	}
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln
}

func TestServerThatNeverAnswers(t *testing.T) {
	target := targetOf(t, silentListener(t).Addr())
	const deadline = 500 * time.Millisecond
	for name, call := range map[string]func(context.Context, hearth.Target) error{
		"Poll":     func(ctx context.Context, tg hearth.Target) error { _, err := axeos.New().Poll(ctx, tg); return err },
		"Identify": func(ctx context.Context, tg hearth.Target) error { _, err := axeos.New().Identify(ctx, tg); return err },
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := call(timeoutCtx(t, deadline), target)
			elapsed := time.Since(start)
			wantCode(t, err, hearth.ETIMEOUT)
			if elapsed > deadline+500*time.Millisecond {
				t.Errorf("gave up after %v, deadline was %v", elapsed, deadline)
			}
		})
	}
}

// A context without a deadline is bounded by Driver.Timeout.
func TestDefaultTimeout(t *testing.T) {
	target := targetOf(t, silentListener(t).Addr())
	d := axeos.New()
	d.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := d.Poll(context.Background(), target)
	wantCode(t, err, hearth.ETIMEOUT)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("gave up after %v, Timeout was %v", elapsed, d.Timeout)
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := targetOf(t, ln.Addr())
	ln.Close()
	_, err = axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
}

func TestConnectionReset(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Read the request, then reset instead of answering.
			c.Read(make([]byte, 4096))
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	_, err = axeos.New().Poll(timeoutCtx(t, 2*time.Second), targetOf(t, ln.Addr()))
	wantCode(t, err, hearth.EUNAVAILABLE)
}

// A server on the port that does not speak HTTP (a CGMiner-style socket).
func TestNotHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 4096))
			c.Write([]byte("{\"STATUS\":[{\"STATUS\":\"E\",\"Code\":14,\"Msg\":\"Invalid command\"}]}\x00"))
			c.Close()
		}
	}()
	target := targetOf(t, ln.Addr())
	_, err = axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EPROTOCOL)
	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestHugeHeaders(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			for i := range 64 {
				w.Header().Set("X-Filler-"+strconv.Itoa(i), strings.Repeat("y", 4000))
			}
			w.Write(fixture(t, "head_v2_15_0_system_info.json"))
		},
	})
	_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.ETOOLARGE)
}

// HTTP 401 is AxeOS's network check: EAUTH, saying why. The same status
// with a Digest challenge is an Antminer's web interface: not AxeOS.
func TestUnauthorized(t *testing.T) {
	axeos401 := newMiner(t, map[string]http.HandlerFunc{
		"/": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		},
	})
	_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), axeos401)
	wantCode(t, err, hearth.EAUTH)
	if msg := hearth.ErrorMessage(err); !strings.Contains(msg, "private") || !strings.Contains(msg, "401") {
		t.Errorf("message %q does not explain the network check", msg)
	}
	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), axeos401)
	wantCode(t, err, hearth.EAUTH)

	antminer := newMiner(t, map[string]http.HandlerFunc{
		"/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Digest realm="antMiner Configuration", nonce="abc", qop="auth"`)
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		},
	})
	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), antminer)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestOtherStatuses(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		target := newMiner(t, map[string]http.HandlerFunc{
			"/": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", status) },
		})
		_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EUNAVAILABLE)
		_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EUNSUPPORTED)
	}
}

// Redirects are not followed: the poller goes nowhere it was not sent.
func TestRedirectNotFollowed(t *testing.T) {
	hit := false
	var mu sync.Mutex
	target := newMiner(t, map[string]http.HandlerFunc{
		"/api/system/info": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		},
		"/elsewhere": func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hit = true
			mu.Unlock()
			w.Write(fixture(t, "head_v2_15_0_system_info.json"))
		},
	})
	_, err := axeos.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
	_, err = axeos.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
	mu.Lock()
	defer mu.Unlock()
	if hit {
		t.Fatal("redirect was followed")
	}
}

// A reply just under the cap is read whole: the cap refuses only what
// exceeds it.
func TestReplyJustUnderCapIsRead(t *testing.T) {
	body := append([]byte(`{"ASICModel":"BM1370","hashRate":1000,"padding":"`), bytes.Repeat([]byte("z"), axeos.MaxReplyBytes-100)...)
	body = append(body, `"}`...)
	if len(body) > axeos.MaxReplyBytes {
		t.Fatalf("test body %d bytes exceeds the cap", len(body))
	}
	r := poll(t, newMiner(t, map[string]http.HandlerFunc{"/api/system/info": serveJSON(body)}))
	if r.HashRate != 1e12 {
		t.Fatalf("HashRate = %g", r.HashRate)
	}
}

package epic_test

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/epic"
)

// Miners that misbehave must give a clear hearth error within the caller's
// deadline and without unbounded memory.

func TestGarbageBody(t *testing.T) {
	garbage := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>\x00\xffnot json</html>")) }
	target := newMiner(t, map[string]http.HandlerFunc{"/summary": garbage, "/capabilities": garbage})
	_, err := epic.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EPROTOCOL)
	if msg := hearth.ErrorMessage(err); !strings.Contains(msg, "<html>..not json") {
		t.Errorf("message %q lacks a safe excerpt of the reply", msg)
	}
	_, err = epic.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
}

func TestJSONThatIsNotUMC(t *testing.T) {
	for _, body := range []string{`{"status":"ok"}`, `[1,2,3]`, `null`, `"x"`, `{"Model":""}`} {
		target := newMiner(t, map[string]http.HandlerFunc{"/summary": serveJSON([]byte(body)), "/capabilities": serveJSON([]byte(body))})
		_, err := epic.New().Poll(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EPROTOCOL)
		_, err = epic.New().Identify(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EUNSUPPORTED)
	}
}

// An AxeOS or Antminer web server answers /capabilities with 404 or 401:
// not UMC, so another driver may claim the machine.
func TestOtherHTTPServer(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusUnauthorized, http.StatusInternalServerError} {
		target := newMiner(t, map[string]http.HandlerFunc{"/": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }})
		_, err := epic.New().Identify(timeoutCtx(t, 2*time.Second), target)
		wantCode(t, err, hearth.EUNSUPPORTED)
	}
}

// listen starts a raw TCP server that runs serve on each connection.
func listen(t *testing.T, serve func(net.Conn)) hearth.Target {
	t.Helper()
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
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return targetOf(t, ln.Addr())
}

// A CGMiner socket on 4028 (stock Antminer, LuxOS, Whatsminer) answers
// with a JSON reply and a NUL, no HTTP: not UMC. The driver must have sent
// HTTP, not CGMiner bytes.
func TestCGMinerSocket(t *testing.T) {
	got := make(chan string, 4)
	target := listen(t, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		got <- line
		c.Write([]byte(`{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}` + "\x00"))
	})
	_, err := epic.New().Identify(timeoutCtx(t, 3*time.Second), target)
	wantCode(t, err, hearth.EUNSUPPORTED)
	if line := <-got; line != "GET /capabilities HTTP/1.1\r\n" {
		t.Errorf("driver sent %q, want an HTTP GET of /capabilities", line)
	}
}

func TestRefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := targetOf(t, ln.Addr())
	ln.Close()
	_, err = epic.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
	_, err = epic.New().Identify(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.EUNAVAILABLE)
}

// endless writes a JSON-looking stream until the client goes away; with
// declared set it first announces the whole size in Content-Length.
func endless(total int64, declared bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declared {
			w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
		}
		chunk := bytes.Repeat([]byte(`{"Hashrate":[1]},`), 4096)
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
			target := newMiner(t, map[string]http.HandlerFunc{"/summary": endless(size, declared)})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := epic.New().Poll(timeoutCtx(t, 10*time.Second), target)
			runtime.ReadMemStats(&after)
			wantCode(t, err, hearth.ETOOLARGE)
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 16<<20 {
				t.Errorf("allocated %d bytes reading a 100 MB reply, want a few MiB at most", grown)
			}
		})
	}
}

func TestHugeHeaders(t *testing.T) {
	target := newMiner(t, map[string]http.HandlerFunc{"/summary": func(w http.ResponseWriter, r *http.Request) {
		for i := range 64 {
			w.Header().Set("X-Junk-"+strconv.Itoa(i), strings.Repeat("j", 1024))
		}
		w.Write([]byte("{}"))
	}})
	_, err := epic.New().Poll(timeoutCtx(t, 2*time.Second), target)
	wantCode(t, err, hearth.ETOOLARGE)
}

// A reply trickling one byte a second must end at the caller's deadline.
func TestTrickle(t *testing.T) {
	target := listen(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
		c.Write([]byte(head))
		for range 30 {
			time.Sleep(time.Second)
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	})
	start := time.Now()
	_, err := epic.New().Poll(timeoutCtx(t, 500*time.Millisecond), target)
	wantCode(t, err, hearth.ETIMEOUT)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Poll took %v past a 500 ms deadline", elapsed)
	}
}

// A silent miner with no deadline from the caller is bounded by Timeout.
func TestSilentMinerUsesDriverTimeout(t *testing.T) {
	target := listen(t, func(c net.Conn) { time.Sleep(3 * time.Second) })
	d := epic.New()
	d.Timeout = 200 * time.Millisecond
	start := time.Now()
	err := d.Reboot(t.Context(), target)
	wantCode(t, err, hearth.ETIMEOUT)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Reboot took %v with a 200 ms timeout", elapsed)
	}
}

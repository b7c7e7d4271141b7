package cgminer_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

func TestClientCommand(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"summary": wire(t, "summary.json")[:len(wire(t, "summary.json"))-1],
		"stats":   wire(t, "stats.json")[:len(wire(t, "stats.json"))-1],
	}))
	defer srv.Close()
	var c cgminer.Client

	r, err := c.Command(context.Background(), srv.Addr, "summary", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.First("SUMMARY").Float("GHS 5s"); got != 110566.89 {
		t.Errorf("GHS 5s = %v", got)
	}
	if r.FirstByte <= 0 || r.FirstByte > time.Second {
		t.Errorf("FirstByte = %v", r.FirstByte)
	}
	if r.Command != "summary" || len(r.Raw) == 0 || r.Raw[len(r.Raw)-1] == 0 {
		t.Errorf("reply metadata: %q, %d raw bytes", r.Command, len(r.Raw))
	}

	r, err = c.Command(context.Background(), srv.Addr, "stats", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Section("STATS").Object(1).Float("chain_acn1"); got != 114 {
		t.Errorf("chain_acn1 = %v", got)
	}

	_, err = c.Command(context.Background(), srv.Addr, "summary+pools", "")
	if hearth.ErrorCode(err) != hearth.EUNSUPPORTED || !strings.Contains(hearth.ErrorMessage(err), "Invalid command") {
		t.Errorf("joined command: %v", err)
	}
	if got := srv.Commands(); strings.Join(got, ",") != "summary,stats,summary+pools" {
		t.Errorf("server saw %q", got)
	}
}

// recordingDialer counts the writes of each connection it opens.
type recordingDialer struct {
	net.Dialer
	mu     sync.Mutex
	writes [][]byte
}

type recordingConn struct {
	net.Conn
	d *recordingDialer
}

func (c recordingConn) Write(b []byte) (int, error) {
	c.d.mu.Lock()
	c.d.writes = append(c.d.writes, bytes.Clone(b))
	c.d.mu.Unlock()
	return c.Conn.Write(b)
}

func (d *recordingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return recordingConn{c, d}, nil
}

func TestClientRequestBytes(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"addpool": []byte(`{"STATUS":[{"STATUS":"S","Code":55,"Msg":"Added pool 3: 'x'"}],"id":1}`),
		"version": []byte(`{"STATUS":[{"STATUS":"S","Code":22}],"VERSION":[{}],"id":1}`),
	}))
	defer srv.Close()
	d := &recordingDialer{}
	c := cgminer.Client{Dialer: d}
	ctx := context.Background()
	if _, err := c.Command(ctx, srv.Addr, "version", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Command(ctx, srv.Addr, "addpool", "stratum+tcp://pool.example:3333,worker\"1,x\\y"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"command":"version"}`,
		`{"command":"addpool","parameter":"stratum+tcp://pool.example:3333,worker\"1,x\\y"}`,
	}
	if len(d.writes) != len(want) {
		t.Fatalf("%d writes, want one per command: %q", len(d.writes), d.writes)
	}
	for i, w := range want {
		if string(d.writes[i]) != w {
			t.Errorf("write %d = %s, want %s", i, d.writes[i], w)
		}
	}
	if _, err := c.Command(ctx, srv.Addr, strings.Repeat("x", cgminer.MaxRequestSize), ""); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("oversized request: %v", err)
	}
}

func TestClientReplyEndings(t *testing.T) {
	body := `{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{"Elapsed":7}],"id":1}`
	for name, h := range map[string]cgminertest.Handler{
		// cgminer: NUL, then close.
		"NUL and close": cgminertest.Static([]byte(body + "\x00")),
		// Close without NUL.
		"EOF": cgminertest.Static([]byte(body)),
		// NUL but the connection stays open: the NUL alone must end it.
		"NUL, kept open": func(conn net.Conn, _ []byte) {
			conn.Write([]byte(body + "\x00"))
			holdOpen(conn)
		},
		// Newline-terminated, kept open (asic-rs saw such miners).
		"newline, kept open": func(conn net.Conn, _ []byte) {
			conn.Write([]byte(body + "\n"))
			holdOpen(conn)
		},
		// A pretty-printed reply in several segments, then a newline.
		"pretty, segmented": func(conn net.Conn, _ []byte) {
			conn.Write([]byte("{\n  \"STATUS\": [{\"STATUS\": \"S\"}],\n"))
			time.Sleep(20 * time.Millisecond)
			conn.Write([]byte("  \"SUMMARY\": [{\"Elapsed\": 7}]\n}\n"))
			holdOpen(conn)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := cgminertest.NewServer(h)
			defer srv.Close()
			c := cgminer.Client{Timeout: 5 * time.Second}
			start := time.Now()
			r, err := c.Command(context.Background(), srv.Addr, "summary", "")
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 2500*time.Millisecond {
				t.Errorf("took %v: the end of the reply was not noticed", d)
			}
			if got := r.First("SUMMARY").Float("Elapsed"); got != 7 {
				t.Errorf("Elapsed = %v", got)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	for name, tc := range map[string]struct {
		handler cgminertest.Handler
		addr    string
		code    string
		connect bool
	}{
		"refused":         {addr: closed, code: hearth.EUNAVAILABLE, connect: true},
		"closed at once":  {handler: func(net.Conn, []byte) {}, code: hearth.EUNAVAILABLE},
		"proxy down":      {handler: cgminertest.Static([]byte("Socket connect failed: Connection refused\n")), code: hearth.EUNAVAILABLE},
		"garbage":         {handler: cgminertest.Static([]byte("\x16\x03\x01\x02\x00garbage\xff")), code: hearth.EPROTOCOL},
		"HTTP on 4028":    {handler: cgminertest.Static([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")), code: hearth.EPROTOCOL},
		"error status":    {handler: cgminertest.Static([]byte(`{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}` + "\x00")), code: hearth.EUNSUPPORTED},
		"silent":          {handler: cgminertest.Silent(), code: hearth.ETIMEOUT},
		"trickle":         {handler: cgminertest.Trickle(200 * time.Millisecond), code: hearth.ETIMEOUT},
		"flood of 100 MB": {handler: cgminertest.Flood(100 << 20), code: hearth.ETOOLARGE},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := tc.addr
			if tc.handler != nil {
				srv := cgminertest.NewServer(tc.handler)
				defer srv.Close()
				addr = srv.Addr
			}
			c := cgminer.Client{Timeout: time.Second}
			start := time.Now()
			_, err := c.Command(context.Background(), addr, "summary", "")
			if got := hearth.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.code)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v with a 1s timeout", d)
			}
			if got := errors.Is(err, cgminer.ErrConnect); got != tc.connect {
				t.Errorf("errors.Is(err, ErrConnect) = %v", got)
			}
		})
	}
}

func TestClientContextDeadlineAndCancel(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Silent())
	defer srv.Close()
	c := cgminer.Client{Timeout: time.Minute}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Command(ctx, srv.Addr, "summary", "")
	if hearth.ErrorCode(err) != hearth.ETIMEOUT || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("context deadline ignored: %v", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	_, err = c.Command(ctx, srv.Addr, "summary", "")
	if !errors.Is(err, context.Canceled) || hearth.ErrorCode(err) != hearth.EUNAVAILABLE || strings.Contains(err.Error(), "did not") {
		t.Errorf("cancel reported as %q (%s), want a cancellation, not a timeout", err, hearth.ErrorCode(err))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancellation ignored: %v", d)
	}
}

func TestClientReplyCap(t *testing.T) {
	const max = 4096
	reply := func(n int) []byte {
		pad := strings.Repeat("a", n-len(`{"STATUS":"S","x":""}`))
		return []byte(`{"STATUS":"S","x":"` + pad + `"}`)
	}
	c := cgminer.Client{MaxReplySize: max, Timeout: time.Second}
	for _, tc := range []struct {
		size int
		nul  bool
		code string
	}{
		{max, true, ""},
		{max, false, ""},
		{max + 1, true, hearth.ETOOLARGE},
		{max + 1, false, hearth.ETOOLARGE},
	} {
		b := reply(tc.size)
		if tc.nul {
			b = append(b, 0)
		}
		srv := cgminertest.NewServer(cgminertest.Static(b))
		_, err := c.Command(context.Background(), srv.Addr, "summary", "")
		srv.Close()
		if got := hearth.ErrorCode(err); got != tc.code {
			t.Errorf("reply of %d bytes (NUL %v): code %q (%v), want %q", tc.size, tc.nul, got, err, tc.code)
		}
	}
}

func TestClientFloodMemoryBounded(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Flood(100 << 20))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var c cgminer.Client
	_, err := c.Command(context.Background(), srv.Addr, "stats", "")
	runtime.ReadMemStats(&after)
	if hearth.ErrorCode(err) != hearth.ETOOLARGE {
		t.Fatalf("flood: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("allocated %d MiB reading a flood; the reply cap is 1 MiB", grew>>20)
	}
}

func TestClientConcurrent(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{"pools": wire(t, "pools.json")}))
	defer srv.Close()
	var c cgminer.Client
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			r, err := c.Command(context.Background(), srv.Addr, "pools", "")
			if err != nil {
				t.Error(err)
				return
			}
			if r.Section("POOLS").Len() != 3 {
				t.Error("pools misread")
			}
		})
	}
	wg.Wait()
}

// holdOpen keeps conn open until the client closes it.
func holdOpen(conn net.Conn) {
	buf := make([]byte, 64)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

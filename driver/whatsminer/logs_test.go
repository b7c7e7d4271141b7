package whatsminer_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// logFile is one file of a log archive.
type logFile struct{ name, body string }

// tgz packs files into a gzipped tar, as btminer does its logs.
func tgz(tb testing.TB, files ...logFile) []byte {
	tb.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "log/", Typeflag: tar.TypeDir, Mode: 0o755})
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			tb.Fatal(err)
		}
		io.WriteString(tw, f.body)
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	zw.Close()
	return out.Bytes()
}

// logDownload serves get.log.download as btminer does: a frame with the
// archive's size, then the archive's bytes unframed. It records the
// request frames it received.
type logDownload struct {
	mu       sync.Mutex
	requests []string
	logsize  string // announced size; len(archive) when ""
	archive  []byte
	// send, when set, writes the archive instead.
	send func(conn net.Conn, archive []byte)
}

func (l *logDownload) serve(conn net.Conn) {
	req, err := readFrame(conn)
	if err != nil {
		return
	}
	l.mu.Lock()
	l.requests = append(l.requests, string(req))
	l.mu.Unlock()
	size := l.logsize
	if size == "" {
		size = fmt.Sprint(len(l.archive))
	}
	writeFrame(conn, []byte(`{"code":0,"when":1672281726,"msg":{"logsize":"`+size+`"},"desc":"get.log.download"}`))
	if l.send != nil {
		l.send(conn, l.archive)
		return
	}
	conn.Write(l.archive)
}

// logMiner starts a btminer with 2025 firmware whose API v3 serves l,
// and returns its target.
func logMiner(t *testing.T, l *logDownload) hearth.Target {
	_, target, m := v3ByVersion(t)
	m.mu.Lock()
	m.Handler = l.serve
	m.mu.Unlock()
	target.APIPort = m.Port
	return target
}

const (
	sampleBTMinerLog = "2026-03-01 11:00:00 [INFO] btminer 20251209.16.Rel2 start, miner type M60S_VK40\n" +
		"2026-03-01 11:00:03 [INFO] SM0: find 156 chips, expected 156\n"
	sampleMessages = "Mar  1 10:59:40 sim-00000 kernel: Booting Linux on physical CPU 0x0\n"
)

func TestFetchLogsV3(t *testing.T) {
	l := &logDownload{archive: tgz(t, logFile{"log/btminer.log", sampleBTMinerLog}, logFile{"log/messages", sampleMessages})}
	target := logMiner(t, l)
	before := time.Now()
	got, err := newDriver(0).FetchLogs(t.Context(), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	want := "== log/btminer.log ==\n" + sampleBTMinerLog + "== log/messages ==\n" + sampleMessages
	if got.Text != want || got.Source != "get.log.download" || got.Truncated || got.FetchedAt.Before(before) {
		t.Fatalf("got %+v\nwant text %q", got, want)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requests) != 1 || l.requests[0] != `{"cmd":"get.log.download"}` {
		t.Errorf("requests %q, want one {\"cmd\":\"get.log.download\"}", l.requests)
	}
}

func TestFetchLogsV2IsUnsupported(t *testing.T) {
	v2 := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"get_version": []byte(`{"STATUS":"S","When":1773869570,"Code":131,"Msg":{"api_ver":"2.0.5","fw_ver":"20230803.11.REL","platform":"H616"},"Description":""}`),
	}))
	t.Cleanup(v2.Close)
	_, err := newDriver(closedPort(t)).FetchLogs(t.Context(), targetOf(t, v2.Addr))
	if hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
		t.Fatalf("API v2 miner: %v, want EUNSUPPORTED", err)
	}
}

func TestFetchLogsRefusedOrBroken(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *logDownload
		code string
	}{
		{"not gzip", &logDownload{archive: []byte("this is not an archive at all")}, hearth.EPROTOCOL},
		{"no size", &logDownload{logsize: "many", archive: []byte{}}, hearth.EPROTOCOL},
		{"closed early", &logDownload{
			archive: tgz(t, logFile{"log/btminer.log", strings.Repeat(sampleBTMinerLog, 100)}),
			send:    func(conn net.Conn, archive []byte) { conn.Write(archive[:len(archive)/2]) },
		}, hearth.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := logMiner(t, tc.l)
			_, err := newDriver(0).FetchLogs(t.Context(), target)
			if hearth.ErrorCode(err) != tc.code {
				t.Fatalf("%v, want %s", err, tc.code)
			}
		})
	}

	d, target, m := v3ByVersion(t) // the fake answers unknown commands with code -1
	target.APIPort = m.Port
	if _, err := d.FetchLogs(t.Context(), target); err == nil {
		t.Fatal("a refused get.log.download gave no error")
	}
}

func TestFetchLogsHugeIsTruncated(t *testing.T) {
	line := "2026-03-01 11:00:03 [INFO] SM0: find 156 chips, expected 156\n"
	l := &logDownload{archive: tgz(t, logFile{"log/btminer.log", strings.Repeat(line, (10<<20)/len(line))})}
	target := logMiner(t, l)
	got, err := newDriver(0).FetchLogs(t.Context(), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	if !got.Truncated || len(got.Text) > hearth.MaxLogSize || len(got.Text) < hearth.MaxLogSize-len(line) || !strings.HasSuffix(got.Text, "\n") {
		t.Fatalf("truncated %v, %d bytes", got.Truncated, len(got.Text))
	}
}

// An archive announced larger than hearth reads is cut there: the text up
// to the cut is kept and marked Truncated.
func TestFetchLogsHugeArchiveIsCut(t *testing.T) {
	noise := make([]byte, 5<<20) // incompressible, so the archive is over 4 MiB
	rand.Read(noise)
	l := &logDownload{archive: tgz(t, logFile{"log/btminer.log", sampleBTMinerLog}, logFile{"log/noise.bin", string(noise)})}
	target := logMiner(t, l)
	d := newDriver(0)
	d.Timeout = 10 * time.Second
	got, err := d.FetchLogs(t.Context(), target)
	if err != nil {
		t.Fatalf("FetchLogs: %v", err)
	}
	want := "== log/btminer.log ==\n" + sampleBTMinerLog + "== log/noise.bin (binary, skipped) ==\n"
	if !got.Truncated || got.Text != want {
		t.Fatalf("truncated %v, %d bytes, starts %q", got.Truncated, len(got.Text), got.Text[:min(80, len(got.Text))])
	}
}

func TestFetchLogsTrickleTimesOut(t *testing.T) {
	l := &logDownload{
		archive: tgz(t, logFile{"log/btminer.log", sampleBTMinerLog}),
		send: func(conn net.Conn, archive []byte) {
			for _, b := range archive {
				time.Sleep(100 * time.Millisecond)
				if _, err := conn.Write([]byte{b}); err != nil {
					return
				}
			}
		},
	}
	target := logMiner(t, l)
	d := newDriver(0)
	d.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := d.FetchLogs(t.Context(), target)
	if hearth.ErrorCode(err) != hearth.ETIMEOUT {
		t.Fatalf("%v, want ETIMEOUT", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v past a 500ms timeout", took)
	}
}

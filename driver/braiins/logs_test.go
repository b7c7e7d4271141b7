package braiins_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth"
)

const methodGetLog = svc + "MinerService/GetLog"

// logChunk encodes GetLogResponse{chunk_data = 1}.
func logChunk(data []byte) []byte {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(b, data)
}

// chunked streams text in chunks of n bytes.
func chunked(text []byte, n int) streamFunc {
	return func(context.Context, []byte) ([][]byte, error) {
		var out [][]byte
		for rest := text; len(rest) > 0; {
			k := min(n, len(rest))
			out = append(out, logChunk(rest[:k]))
			rest = rest[k:]
		}
		return out, nil
	}
}

func TestFetchLogs(t *testing.T) {
	f := newFakeBOS(t)
	text := []byte(strings.Repeat("2025-08-06T10:00:02.300000Z INFO  bosminer::hal::hashboard: Hashboard 1: found 108 chips\n", 200))
	f.HandleStream(methodGetLog, chunked(text, 1000))
	d := newDriver(t)
	before := time.Now()
	log, err := d.FetchLogs(context.Background(), f.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if log.Text != string(text) || log.Truncated || log.Source != "gRPC MinerService/GetLog (LOG_TYPE_BOSMINER)" || log.FetchedAt.Before(before) {
		t.Errorf("log: %d bytes (want %d), truncated %v, source %q, at %v", len(log.Text), len(text), log.Truncated, log.Source, log.FetchedAt)
	}
	calls := f.Calls(methodGetLog)
	if len(calls) != 1 || !bytes.Equal(calls[0].Body, []byte{0x08, 0x02}) || calls[0].Token == "" {
		t.Errorf("GetLog requests %+v, want log_type LOG_TYPE_BOSMINER (08 02) with a token", calls)
	}
}

func TestFetchLogsTruncated(t *testing.T) {
	f := newFakeBOS(t)
	line := strings.Repeat("x", 99) + "\n"
	chunk := []byte(strings.Repeat(line, 5000)) // 500 kB a chunk
	sent := 0
	f.HandleStream(methodGetLog, func(context.Context, []byte) ([][]byte, error) {
		var out [][]byte
		for range 12 { // 6 MB in all, beyond hearth.MaxLogSize
			out = append(out, logChunk(chunk))
			sent += len(chunk)
		}
		return out, nil
	})
	d := newDriver(t)
	log, err := d.FetchLogs(context.Background(), f.target(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !log.Truncated || len(log.Text) > hearth.MaxLogSize || len(log.Text) < hearth.MaxLogSize-len(line) ||
		!strings.HasSuffix(log.Text, "\n") {
		t.Errorf("truncated log: %d bytes, truncated %v", len(log.Text), log.Truncated)
	}
}

func TestFetchLogsEmptyAndInvalidUTF8(t *testing.T) {
	f := newFakeBOS(t)
	f.HandleStream(methodGetLog, chunked(nil, 10))
	d := newDriver(t)
	log, err := d.FetchLogs(context.Background(), f.target(t, ""))
	if err != nil || log.Text != "" || log.Truncated {
		t.Fatalf("empty log %+v, %v", log, err)
	}
	// A multi-byte character split across chunks survives; a run of
	// stray bytes becomes one U+FFFD.
	f.HandleStream(methodGetLog, chunked([]byte("temp 95 °C\n\xff\xfe\n"), 9))
	log, err = d.FetchLogs(context.Background(), f.target(t, ""))
	if err != nil || log.Text != "temp 95 °C\n\uFFFD\n" {
		t.Fatalf("log %q, %v", log.Text, err)
	}
}

func TestFetchLogsErrors(t *testing.T) {
	cases := []struct {
		name string
		h    streamFunc
		want string
	}{
		{"not implemented", nil, hearth.EUNSUPPORTED},
		{"garbled chunk", func(context.Context, []byte) ([][]byte, error) {
			return [][]byte{logChunk([]byte("ok\n")), {0x0a, 0x7f, 'x'}}, nil
		}, hearth.EPROTOCOL},
		{"fails midway", func(context.Context, []byte) ([][]byte, error) {
			return [][]byte{logChunk([]byte("ok\n"))}, status.Error(codes.Unavailable, "log file vanished")
		}, hearth.EUNAVAILABLE},
		{"refused log type", func(context.Context, []byte) ([][]byte, error) {
			return nil, status.Error(codes.InvalidArgument, "unknown log type")
		}, hearth.EINVALID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBOS(t)
			if tc.h != nil {
				f.HandleStream(methodGetLog, tc.h)
			}
			_, err := newDriver(t).FetchLogs(context.Background(), f.target(t, ""))
			wantCode(t, err, tc.want)
		})
	}
}

func TestFetchLogsLogsInAgain(t *testing.T) {
	f := newFakeBOS(t)
	f.HandleStream(methodGetLog, chunked([]byte("line\n"), 10))
	d := newDriver(t)
	target := f.target(t, "")
	if _, err := d.FetchLogs(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	f.DropTokens() // as a reboot does
	log, err := d.FetchLogs(context.Background(), target)
	if err != nil || log.Text != "line\n" {
		t.Fatalf("after the miner dropped the token: %+v, %v", log, err)
	}
	bad := target
	bad.Credentials = hearth.Credentials{User: "root", Password: "wrong"}
	_, err = d.FetchLogs(context.Background(), bad)
	wantCode(t, err, hearth.EAUTH)
}

func TestFetchLogsTimeout(t *testing.T) {
	f := newFakeBOS(t)
	f.HandleStream(methodGetLog, func(ctx context.Context, _ []byte) ([][]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	d := newDriver(t)
	d.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := d.FetchLogs(context.Background(), f.target(t, ""))
	wantCode(t, err, hearth.ETIMEOUT)
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

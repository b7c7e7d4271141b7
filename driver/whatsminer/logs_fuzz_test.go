package whatsminer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// FuzzLogSize feeds arbitrary replies to the parser of get.log.download's
// first frame: it must return a size that is not negative, or an error.
func FuzzLogSize(f *testing.F) {
	f.Add([]byte(`{"code":0,"when":1672281726,"msg":{"logsize":"12345"},"desc":"get.log.download"}`))
	f.Add([]byte(`{"code":0,"msg":{"logsize":12345}}`))
	f.Add([]byte(`{"code":0,"msg":{"logsize":"-1"}}`))
	f.Add([]byte(`{"code":0,"msg":{"logsize":"1e30"}}`))
	f.Add([]byte(`{"code":-1,"msg":"invalid cmd","desc":"get.log.download"}`))
	f.Add([]byte(`{"code":0,"msg":"ok"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := logSize("127.0.0.1:4433", b)
		if err == nil && n < 0 {
			t.Fatalf("size %d with no error", n)
		}
		if err != nil && hearth.ErrorCode(err) == "" {
			t.Fatalf("error without a hearth code: %v", err)
		}
	})
}

// FuzzLogArchive feeds arbitrary bytes to the archive reader: it must end
// (with its text or an EPROTOCOL error) and never return more than asked.
func FuzzLogArchive(f *testing.F) {
	var good bytes.Buffer
	zw := gzip.NewWriter(&good)
	tw := tar.NewWriter(zw)
	body := "2026-03-01 11:00:03 [INFO] SM0: find 156 chips, expected 156\n"
	tw.WriteHeader(&tar.Header{Name: "log/btminer.log", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	io.WriteString(tw, body)
	tw.WriteHeader(&tar.Header{Name: "log/core", Mode: 0o644, Size: 4, Typeflag: tar.TypeReg})
	tw.Write([]byte{0, 1, 2, 3})
	tw.Close()
	zw.Close()
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("not an archive"))
	f.Add([]byte{})
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, b []byte) {
		a := &archiveText{src: bytes.NewReader(b)}
		text, err := io.ReadAll(io.LimitReader(a, limit))
		if err != nil {
			t.Fatalf("reader returned %v; failures belong in its err", err)
		}
		if len(text) > limit {
			t.Fatalf("%d bytes past the %d asked", len(text), limit)
		}
		if a.err != nil && hearth.ErrorCode(a.err) != hearth.EPROTOCOL {
			t.Fatalf("error %v, want EPROTOCOL", a.err)
		}
	})
}

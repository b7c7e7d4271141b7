package whatsminer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// cmdLogDownload is API v3's log download (apidoc "Log |
// get.log.download"): the miner packs its logs into a gzipped tar, answers
// {"code":0,"msg":{"logsize":"<bytes>"},…} in an ordinary frame, and then
// streams the archive's bytes, unframed, on the same connection.
const cmdLogDownload = "get.log.download"

// maxLogArchive caps the compressed archive hearth reads. Text compresses
// several times over, so the text cap (hearth.MaxLogSize) is normally
// reached first; an archive announced larger is read up to this cap and
// the log marked Truncated.
const maxLogArchive = hearth.MaxLogSize

// FetchLogs downloads the log archive with API v3 get.log.download and
// returns its text files one after the other, each under a "== name =="
// line, within the Driver's Timeout and hearth.MaxLogSize. The archive is
// unpacked as it arrives, so neither a large archive nor one that
// inflates enormously costs more than the cap. API v2 firmware has no log
// command in the client libraries hearth follows and gets EUNSUPPORTED.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	v, err := d.detect(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("logs %s: %w", t.Address, err)
	}
	if v.API != apiV3 {
		return nil, hearth.Errorf(hearth.EUNSUPPORTED,
			"Whatsminer at %s runs API v2 firmware (%s), which has no log download; firmware from 2024-11 (API v3) has get.log.download.", t.Address, v.Firmware)
	}
	l, err := d.downloadLog(ctx, d.v3Addr(t))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", cmdLogDownload, t.Address, err)
	}
	return l, nil
}

// downloadLog sends get.log.download to addr and reads the archive that
// follows the reply.
func (d *Driver) downloadLog(ctx context.Context, addr string) (*hearth.MinerLog, error) {
	req, err := json.Marshal(v3Request{Cmd: cmdLogDownload})
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Encode %s.", cmdLogDownload)
	}
	conn, sent, done, err := d.send(ctx, addr, req, true)
	if err != nil {
		return nil, err
	}
	defer done()
	raw, _, err := d.readFrame(ctx, conn, addr, sent)
	if err != nil {
		return nil, err
	}
	size, err := logSize(addr, raw)
	if err != nil {
		return nil, err
	}
	want := min(size, maxLogArchive)
	archive := &countingReader{r: io.LimitReader(conn, want)}
	text := &archiveText{src: archive}
	l, err := web.ReadLog(ctx, text, cmdLogDownload, time.Now())
	if err != nil {
		return nil, err
	}
	switch {
	case text.err == nil:
	case isTimeout(text.err):
		return nil, netError(ctx, addr, "send its log archive", text.err)
	case archive.n < want:
		return nil, hearth.WrapError(hearth.EUNAVAILABLE, text.err,
			"Miner at %s closed the connection after %d of the %d bytes of its log archive.", addr, archive.n, size)
	case size > maxLogArchive:
		// The archive was cut at maxLogArchive: the text up to the cut
		// is kept, marked Truncated below.
	default:
		return nil, text.err
	}
	if size > maxLogArchive {
		l.Truncated = true
	}
	return l, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// logSize checks the reply to get.log.download and returns the archive
// size it announces (msg.logsize, a string of digits in the apidoc's
// example, a number accepted too).
func logSize(addr string, raw []byte) (int64, error) {
	doc, err := decode(addr, cmdLogDownload, raw)
	if err != nil {
		return 0, err
	}
	if err := doc.Check(cmdLogDownload); err != nil {
		return 0, fmt.Errorf("%s: %w", addr, err)
	}
	v, ok := v3Msg(doc).Get("logsize")
	n, okInt := v.Int()
	if !ok || !okInt || n < 0 {
		return 0, hearth.Errorf(hearth.EPROTOCOL, "Miner at %s announced no log size: %q.", addr, web.Excerpt(raw))
	}
	return n, nil
}

// isTimeout reports whether err is a deadline expiring on the connection.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// archiveText reads a gzipped tar as the concatenation of its regular
// files, each after a "== name ==" line; binary files are only named. It never returns an error to its
// reader, so that web.ReadLog keeps the text read so far: a failure ends
// the text and is kept in err for the caller to judge.
type archiveText struct {
	src    io.Reader
	tr     *tar.Reader
	member io.Reader // the current file's remaining bytes
	header []byte    // the "== name ==" line still to return
	err    error
}

func (a *archiveText) Read(p []byte) (int, error) {
	for {
		if a.err != nil {
			return 0, io.EOF
		}
		if len(a.header) > 0 {
			n := copy(p, a.header)
			a.header = a.header[n:]
			return n, nil
		}
		if a.member != nil {
			n, err := a.member.Read(p)
			if errors.Is(err, io.EOF) {
				a.member = nil
				err = nil
			}
			if err != nil {
				a.fail(err)
			}
			if n > 0 || a.err != nil {
				return n, nil
			}
			continue
		}
		if a.tr == nil {
			zr, err := gzip.NewReader(a.src)
			if err != nil {
				a.fail(err)
				continue
			}
			zr.Multistream(false)
			a.tr = tar.NewReader(zr)
		}
		h, err := a.tr.Next()
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if err != nil {
			a.fail(err)
			continue
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		a.start(path.Clean(h.Name))
	}
}

// sniffSize is how much of each file is looked at to tell text from
// binary (a rotated log still gzipped, a core dump).
const sniffSize = 512

// start begins the file name of the archive: its header line and, when it
// is text, its bytes; a binary file is named and skipped, since its bytes
// would be unreadable in a text log.
func (a *archiveText) start(name string) {
	sniff := make([]byte, sniffSize)
	n, err := io.ReadFull(a.tr, sniff)
	sniff = sniff[:n]
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		a.fail(err)
		return
	}
	if !looksLikeText(sniff, n == sniffSize) {
		a.header = []byte("== " + name + " (binary, skipped) ==\n")
		return
	}
	a.header = append([]byte("== "+name+" ==\n"), sniff...)
	if n == sniffSize {
		a.member = a.tr
	}
}

// looksLikeText reports whether b, the start of a file (cut there when
// more follows), is text: UTF-8 without NUL bytes.
func looksLikeText(b []byte, more bool) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	if more { // a character may be cut at the end
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.Valid(b); i++ {
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
}

// fail ends the text with err: a connection error as it is, a damaged
// archive as EPROTOCOL (io.ErrUnexpectedEOF kept inside, for an archive
// cut short).
func (a *archiveText) fail(err error) {
	if isTimeout(err) {
		a.err = err
		return
	}
	a.err = hearth.WrapError(hearth.EPROTOCOL, err, "The miner's log archive is not a readable gzipped tar.")
}

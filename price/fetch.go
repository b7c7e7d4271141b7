package price

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MaxFeedBytes is the most a price feed may hold. A year of ENTSO-E
// quarter-hour prices is about 4 MiB of XML; anything much larger is a
// wrong URL or a hostile server.
const MaxFeedBytes = 16 << 20

// DefaultTimeout bounds one fetch of a feed or a hashprice when the
// caller sets no timeout.
const DefaultTimeout = 30 * time.Second

// readLocation reads at most limit bytes from location: an http(s)
// URL (sent with header), a file:// URL or a file path. It returns ETOOLARGE beyond the
// limit, ETIMEOUT when the timeout passes, ENOTFOUND for a missing file
// and EUNAVAILABLE for a refused connection or a non-2xx status.
// Errors name the location without its query, which may hold an API
// token.
func readLocation(ctx context.Context, client *http.Client, header http.Header, location string, limit int64, timeout time.Duration) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u, err := url.Parse(location)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
		return readFile(location, limit)
	}
	if u.Scheme == "file" {
		return readFile(u.Path, limit)
	}
	name := redact(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "The URL %s is not usable.", name)
	}
	for k, vs := range header {
		req.Header[k] = append(req.Header[k], vs...)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError(ctx, err, name)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "GET %s answered %s.", name, resp.Status)
	}
	data, err := readLimited(resp.Body, limit, name)
	if err != nil {
		return nil, fetchError(ctx, err, name)
	}
	return data, nil
}

// readFile reads at most limit bytes of a file.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hearth.WrapError(hearth.ENOTFOUND, err, "The price file %s does not exist.", path)
	} else if err != nil {
		return nil, hearth.WrapError(hearth.EUNAVAILABLE, err, "The price file %s cannot be opened.", path)
	}
	defer f.Close()
	return readLimited(f, limit, path)
}

// readLimited reads r to its end, or fails with ETOOLARGE past limit.
func readLimited(r io.Reader, limit int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "%s holds more than %d bytes.", name, limit)
	}
	return data, nil
}

// fetchError gives a failed request its hearth code.
func fetchError(ctx context.Context, err error, name string) error {
	if hearth.ErrorCode(err) != hearth.EINTERNAL {
		return err
	}
	// A *url.Error repeats the whole URL, token and all; keep its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return hearth.WrapError(hearth.ETIMEOUT, err, "GET %s timed out.", name)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, err, "GET %s failed.", name)
}

// redact returns u without its query and user info, which may hold
// credentials such as ENTSO-E's securityToken.
func redact(u *url.URL) string {
	v := *u
	v.User = nil
	v.Fragment, v.RawFragment = "", ""
	if v.RawQuery == "" {
		return v.String()
	}
	v.RawQuery = ""
	return v.String() + "?…"
}

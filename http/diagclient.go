package http

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/hearth-fleet/hearth"
)

// diagnosticsTimeout bounds a bundle download: the server may wait for a
// slow miner's log (30 s at most) before it sends anything.
const diagnosticsTimeout = 3 * time.Minute

// DownloadDiagnostics streams miner id's diagnostics bundle to w and
// returns the file name the server gave it. A failure before the archive
// starts is the server's error (ENOTFOUND for an unknown miner).
func (c *Client) DownloadDiagnostics(ctx context.Context, id string, w io.Writer) (filename string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/api/v1/miners/"+url.PathEscape(id)+"/diagnostics", nil)
	if err != nil {
		return "", hearth.WrapError(hearth.EINVALID, err, "Invalid server URL %q.", c.URL)
	}
	req.Header.Set("Accept", "application/zip")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: diagnosticsTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", hearth.WrapError(hearth.EUNAVAILABLE, err, "Cannot reach the hearth server at %s: %v", c.URL, rootCause(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return "", errorReply(resp, data)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] == "" {
		return "", hearth.Errorf(hearth.EPROTOCOL, "The server sent the diagnostics of %s without a file name.", id)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return "", fmt.Errorf("download diagnostics of %s: %w", id, err)
	}
	return params["filename"], nil
}

package antminer

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode"

	"github.com/hearth-fleet/hearth"
)

// maxWebBody caps what is read of a web CGI reply.
const maxWebBody = 64 << 10

// systemInfo is what hearth reads of /cgi-bin/get_system_info.cgi.
type systemInfo struct {
	Hostname  string `json:"hostname"`
	MAC       string `json:"macaddr"`
	Serial    string `json:"serinum"`
	MinerType string `json:"minertype"`
}

// systemInfo fetches the web CGI's system information within the web
// timeout.
func (d *Driver) systemInfo(ctx context.Context, t hearth.Target) (systemInfo, error) {
	timeout := d.WebTimeout
	if timeout <= 0 {
		timeout = DefaultWebTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := d.webGet(ctx, d.webAddr(t), "/cgi-bin/get_system_info.cgi")
	if err != nil {
		return systemInfo{}, err
	}
	return parseSystemInfo(body)
}

// parseSystemInfo reads get_system_info's JSON and cleans its strings for
// display.
func parseSystemInfo(body []byte) (systemInfo, error) {
	var info systemInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return systemInfo{}, hearth.WrapError(hearth.EPROTOCOL, err, "Miner's system information is not JSON.")
	}
	info.Hostname = cleanText(info.Hostname, 64)
	info.MAC = strings.ToUpper(cleanText(info.MAC, 32))
	info.Serial = cleanText(info.Serial, 64)
	info.MinerType = cleanText(info.MinerType, 64)
	return info, nil
}

// webGet GETs path from the web interface at addr, answering a Digest
// challenge with the configured credentials, and returns the body of a 200
// reply (at most maxWebBody bytes).
func (d *Driver) webGet(ctx context.Context, addr, path string) ([]byte, error) {
	url := "http://" + addr + path
	resp, err := d.webDo(ctx, url, "")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		ch, ok := parseDigestChallenge(resp.Header.Values("WWW-Authenticate"))
		drain(resp)
		if !ok {
			return nil, hearth.Errorf(hearth.EAUTH, "Web interface at %s asks for an authentication hearth does not speak.", addr)
		}
		user, password := d.webCredentials()
		auth, err := ch.authorization(http.MethodGet, path, user, password)
		if err != nil {
			return nil, err
		}
		if resp, err = d.webDo(ctx, url, auth); err != nil {
			return nil, err
		}
	}
	defer drain(resp)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, hearth.Errorf(hearth.EAUTH, "Web interface at %s rejected the credentials.", addr)
	case resp.StatusCode != http.StatusOK:
		return nil, hearth.Errorf(hearth.EUNAVAILABLE, "Web interface at %s answered %s.", addr, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxWebBody+1))
	if err != nil {
		return nil, hearth.WrapError(hearth.EUNAVAILABLE, err, "Reading from the web interface at %s failed.", addr)
	}
	if len(body) > maxWebBody {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Web interface at %s sent more than %d bytes.", addr, maxWebBody)
	}
	return body, nil
}

func (d *Driver) webDo(ctx context.Context, url, authorization string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad web address %q.", url)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	client := d.HTTP
	if client == nil {
		client = defaultHTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		code := hearth.EUNAVAILABLE
		if ctx.Err() != nil {
			code = hearth.ETIMEOUT
		}
		return nil, hearth.WrapError(code, err, "Web interface at %s did not answer.", req.URL.Host)
	}
	return resp, nil
}

func (d *Driver) webCredentials() (user, password string) {
	user, password = d.WebUser, d.WebPassword
	if user == "" {
		user = DefaultWebUser
	}
	if password == "" && d.WebUser == "" {
		password = DefaultWebPassword
	}
	return user, password
}

// drain discards a little of what is left of a body and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}

var defaultHTTPClient = newHTTPClient()

// newHTTPClient returns the client for miners' web interfaces: it follows
// no redirects (a miner has no business sending hearth elsewhere), keeps no
// idle connections to thousands of hosts, and caps response headers.
func newHTTPClient() *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			DialContext:            (&net.Dialer{}).DialContext,
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: 16 << 10,
		},
	}
}

// cleanText trims s, replaces control characters and cuts it to max runes,
// for strings from a miner that hearth shows to users.
func cleanText(s string, max int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

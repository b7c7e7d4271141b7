package antminer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
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
	body, err := d.webGet(ctx, t, "/cgi-bin/get_system_info.cgi")
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

// webGet GETs path from t's web interface; see webRequest.
func (d *Driver) webGet(ctx context.Context, t hearth.Target, path string) ([]byte, error) {
	return d.webRequest(ctx, t, http.MethodGet, path, nil)
}

// webRequest sends method for path to t's web interface, with body as a
// JSON body when it is not nil, answering a Digest challenge with the
// target's credentials (see webCredentials), and returns the body of a 200
// reply (at most maxWebBody bytes). A 401 after the credentials were sent
// is EAUTH naming the web user; other non-200 replies are EUNAVAILABLE
// with a *webStatusError cause, 404 being EUNSUPPORTED (the firmware has no
// such CGI).
func (d *Driver) webRequest(ctx context.Context, t hearth.Target, method, path string, body []byte) ([]byte, error) {
	resp, err := d.webOpen(ctx, t, method, path, body)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	addr := d.webAddr(t)
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxWebBody+1))
	if err != nil {
		code := hearth.EUNAVAILABLE
		if ctx.Err() != nil {
			code = hearth.ETIMEOUT
		}
		return nil, hearth.WrapError(code, err, "Reading from the web interface at %s failed.", addr)
	}
	if len(reply) > maxWebBody {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Web interface at %s sent more than %d bytes.", addr, maxWebBody)
	}
	return reply, nil
}

// webOpen sends the request as webRequest does and returns the response
// of a 200 reply with its body unread, for the caller to read within its
// own cap and then drain.
func (d *Driver) webOpen(ctx context.Context, t hearth.Target, method, path string, body []byte) (*http.Response, error) {
	addr := d.webAddr(t)
	url := "http://" + addr + path
	user, password := d.webCredentials(t)
	// The miner's last challenge, when one is cached, is answered at
	// once; a 401 to that (a stale nonce, a changed password) is answered
	// afresh below, like the 401 to a request without credentials.
	var auth string
	if ch, nc, ok := d.challenges.next(addr, time.Now()); ok {
		var err error
		if auth, err = ch.authorizationNC(method, path, user, password, nc); err != nil {
			return nil, err
		}
	}
	resp, err := d.webDo(ctx, method, url, body, auth)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		ch, ok := parseDigestChallenge(resp.Header.Values("WWW-Authenticate"))
		drain(resp)
		if !ok {
			return nil, hearth.Errorf(hearth.EAUTH, "Web interface at %s asks for an authentication hearth does not speak.", addr)
		}
		auth, err := ch.authorization(method, path, user, password)
		if err != nil {
			return nil, err
		}
		d.challenges.put(addr, ch, time.Now())
		if resp, err = d.webDo(ctx, method, url, body, auth); err != nil {
			return nil, err
		}
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		drain(resp)
		return nil, hearth.Errorf(hearth.EAUTH, "Web interface at %s rejected the credentials of web user %q.", addr, user)
	case resp.StatusCode == http.StatusNotFound:
		drain(resp)
		return nil, hearth.WrapError(hearth.EUNSUPPORTED, &webStatusError{code: resp.StatusCode}, "Web interface at %s has no %s.", addr, path)
	case resp.StatusCode != http.StatusOK:
		drain(resp)
		return nil, hearth.WrapError(hearth.EUNAVAILABLE, &webStatusError{code: resp.StatusCode}, "Web interface at %s answered %s for %s.", addr, resp.Status, path)
	}
	return resp, nil
}

// webStatusError is the cause of an error for a non-200 web reply.
type webStatusError struct{ code int }

func (e *webStatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

func (d *Driver) webDo(ctx context.Context, method, url string, body []byte, authorization string) (*http.Response, error) {
	var payload io.Reader
	if body != nil {
		payload = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, payload)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad web address %q.", url)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
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

// webCredentials returns the web user and password for t: the target's
// Credentials when they name a user, else the driver's WebUser and
// WebPassword, else the factory root/root.
func (d *Driver) webCredentials(t hearth.Target) (user, password string) {
	if t.Credentials.User != "" {
		return t.Credentials.User, t.Credentials.Password
	}
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

// Idle connections to miners' web interfaces. A control verb is two to
// four requests to the same miner in a row (a Digest challenge and its
// answer, get_miner_conf then set_miner_conf), so one connection kept for
// a moment serves them all; none is kept long, nor more than one per
// miner, so a fleet of thousands holds few descriptors.
const (
	webIdleTimeout  = 2 * time.Second
	webIdleMax      = 512
	webIdlePerMiner = 1
)

// newHTTPClient returns the client for miners' web interfaces: it follows
// no redirects (a miner has no business sending hearth elsewhere), keeps
// at most one idle connection per miner for a moment, and caps response
// headers.
func newHTTPClient() *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			DialContext:            (&net.Dialer{}).DialContext,
			MaxIdleConns:           webIdleMax,
			MaxIdleConnsPerHost:    webIdlePerMiner,
			IdleConnTimeout:        webIdleTimeout,
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

package openadr

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MaxResponseBytes caps every answer read from a VTN: a page of 50 events
// fits many times over, a runaway server does not.
const MaxResponseBytes = 8 << 20

// client talks HTTP to one VTN: bearer tokens, bounded reads and hearth
// error codes.
type client struct {
	cfg  *Config
	base *url.URL
	http *http.Client
	auth *tokenSource
}

func newClient(cfg *Config) (*client, error) {
	base, err := url.Parse(strings.TrimSuffix(cfg.URL, "/"))
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad OpenADR VTN URL.")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.InsecureSkipVerify {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the operator's explicit "unverified TLS" setting
	}
	hc := &http.Client{Transport: tr, Timeout: cfg.RequestTimeout}
	c := &client{cfg: cfg, base: base, http: hc}
	c.auth = &tokenSource{client: c, mu: make(chanMutex, 1), now: time.Now}
	return c, nil
}

// endpoint returns the URL of an API path with a query.
func (c *client) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// call sends an authenticated request and decodes a 2xx JSON answer into
// out (when not nil). A 401 or 403 answer drops the token and tries once
// more with a fresh one, since the VTN may have revoked it early.
func (c *client) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return hearth.WrapError(hearth.EINTERNAL, err, "Cannot encode OpenADR %s.", path)
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.auth.token(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, c.endpoint(path, q), bytes.NewReader(body))
		if err != nil {
			return hearth.WrapError(hearth.EINTERNAL, err, "Cannot build OpenADR request.")
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		status, data, err := c.exchange(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if (status == http.StatusUnauthorized || status == http.StatusForbidden) && attempt == 0 {
			c.auth.invalidate(tok)
			continue
		}
		if status < 200 || status > 299 {
			return fmt.Errorf("%s %s: %w", method, path, statusError(status, data))
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return hearth.WrapError(hearth.EPROTOCOL, err, "OpenADR VTN answered %s %s with JSON hearth cannot read.", method, path)
		}
		return nil
	}
}

// exchange sends req and reads at most MaxResponseBytes of the answer.
func (c *client) exchange(req *http.Request) (int, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return 0, nil, transportError(err)
	}
	if len(data) > MaxResponseBytes {
		return 0, nil, hearth.Errorf(hearth.ETOOLARGE, "OpenADR VTN answer exceeds %d bytes.", MaxResponseBytes)
	}
	return resp.StatusCode, data, nil
}

// transportError classifies a failed exchange. The URL in a *url.Error
// never carries a secret: secrets travel in bodies and headers only.
func transportError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return hearth.WrapError(hearth.ETIMEOUT, err, "OpenADR VTN did not answer in time.")
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, err, "OpenADR VTN is unreachable.")
}

// statusError turns a non-2xx answer, with its problem body when there is
// one, into a hearth error.
func statusError(status int, body []byte) error {
	var p Problem
	detail := ""
	if json.Unmarshal(body, &p) == nil {
		detail = p.Title
		if p.Detail != "" {
			detail = strings.TrimSpace(detail + ": " + p.Detail)
		}
	}
	if detail == "" {
		detail = http.StatusText(status)
	}
	code := hearth.EPROTOCOL
	switch {
	case status == http.StatusBadRequest:
		code = hearth.EINVALID
	case status == http.StatusUnauthorized:
		code = hearth.EUNAUTHORIZED
	case status == http.StatusForbidden:
		code = hearth.EFORBIDDEN
	case status == http.StatusNotFound:
		code = hearth.ENOTFOUND
	case status == http.StatusConflict:
		code = hearth.ECONFLICT
	case status == http.StatusNotImplemented:
		code = hearth.EUNSUPPORTED
	case status >= 500:
		code = hearth.EUNAVAILABLE
	}
	return hearth.Errorf(code, "OpenADR VTN answered %d: %s", status, clip(detail))
}

// tokenSource holds the VEN's bearer token and renews it before it
// expires.
type tokenSource struct {
	client *client
	mu     chanMutex
	tok    string
	expiry time.Time // zero: no expiry given
	url    string    // the token endpoint, once known
	now    func() time.Time
}

// chanMutex is a mutex a context can abandon waiting for.
type chanMutex chan struct{}

func (m *chanMutex) lock(ctx context.Context) error {
	if *m == nil {
		panic("openadr: chanMutex not initialised")
	}
	select {
	case *m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *chanMutex) unlock() { <-*m }

// tokenResponse is the clientCredentialResponse of the specification.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// authServerInfo is the answer of GET /auth/server (3.1.0).
type authServerInfo struct {
	TokenURL string `json:"tokenURL"`
}

// token returns a valid bearer token, fetching one when there is none or
// it is close to expiry (within a tenth of its life, at most a minute).
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	if err := ts.mu.lock(ctx); err != nil {
		return "", err
	}
	defer ts.mu.unlock()
	if ts.tok != "" && (ts.expiry.IsZero() || ts.now().Before(ts.expiry)) {
		return ts.tok, nil
	}
	if ts.url == "" {
		u, err := ts.discover(ctx)
		if err != nil {
			return "", err
		}
		ts.url = u
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ts.client.cfg.ClientID}, "client_secret": {ts.client.cfg.ClientSecret}}
	if ts.client.cfg.Scope != "" {
		form.Set("scope", ts.client.cfg.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", hearth.WrapError(hearth.EINTERNAL, err, "Cannot build the OpenADR token request.")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, data, err := ts.client.exchange(req)
	if err != nil {
		return "", fmt.Errorf("OpenADR token: %w", err)
	}
	if status != http.StatusOK {
		var ae struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &ae)
		if status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden {
			return "", hearth.Errorf(hearth.EAUTH, "OpenADR VTN refused the client credentials (%d %s).", status, clip(ae.Error))
		}
		return "", fmt.Errorf("OpenADR token: %w", statusError(status, data))
	}
	var tr tokenResponse
	if err := json.Unmarshal(data, &tr); err != nil || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "Bearer") || tr.ExpiresIn < 0 {
		return "", hearth.Errorf(hearth.EPROTOCOL, "OpenADR token endpoint answered without a bearer access token.")
	}
	ts.tok, ts.expiry = tr.AccessToken, time.Time{}
	if tr.ExpiresIn > 0 {
		life := time.Duration(tr.ExpiresIn) * time.Second
		ts.expiry = ts.now().Add(life - min(life/10, time.Minute))
	}
	return ts.tok, nil
}

// discover finds the token endpoint: GET /auth/server in 3.1.0, the fixed
// /auth/token of 3.0.1.
func (ts *tokenSource) discover(ctx context.Context) (string, error) {
	c := ts.client
	if c.cfg.Version == Version301 {
		return c.endpoint("/auth/token", nil), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("/auth/server", nil), nil)
	if err != nil {
		return "", hearth.WrapError(hearth.EINTERNAL, err, "Cannot build the OpenADR auth server request.")
	}
	req.Header.Set("Accept", "application/json")
	status, data, err := c.exchange(req)
	if err != nil {
		return "", fmt.Errorf("GET /auth/server: %w", err)
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("GET /auth/server: %w", statusError(status, data))
	}
	var info authServerInfo
	if err := json.Unmarshal(data, &info); err != nil || info.TokenURL == "" {
		return "", hearth.Errorf(hearth.EPROTOCOL, "OpenADR VTN's /auth/server gave no tokenURL.")
	}
	u, err := c.base.Parse(info.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", hearth.Errorf(hearth.EPROTOCOL, "OpenADR tokenURL %q is not an http(s) URL.", clip(info.TokenURL))
	}
	return u.String(), nil
}

// invalidate drops tok if it is still the current token, so that the next
// call fetches a new one.
func (ts *tokenSource) invalidate(tok string) {
	ts.mu <- struct{}{}
	defer ts.mu.unlock()
	if ts.tok == tok {
		ts.tok = ""
	}
}

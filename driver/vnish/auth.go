package vnish

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

const pathUnlock = apiPrefix + "/unlock"

// Back-off after a refused unlock when the firmware names no lock-out of its
// own: a wrong password (403) is not retried for a short while, a rate limit
// (429) for longer, so that a fleet-wide sweep with a stale password cannot
// lock every miner out. maxBackoff bounds what a hostile miner can impose.
const (
	backoffWrongPassword = 10 * time.Second
	backoffRateLimited   = time.Minute
	maxBackoff           = 24 * time.Hour
)

// now is the clock; tests of the lock-out do not need to replace it, since
// they use the firmware's own unlock_timeout.
var now = time.Now

// unlockReply is the body of POST /unlock: {"token"} on success,
// {"unlock_timeout": seconds} on 403 and 429.
type unlockReply struct {
	Token         string   `json:"token"`
	UnlockTimeout *float64 `json:"unlock_timeout"`
}

// decodeUnlock parses an unlock reply.
func decodeUnlock(b []byte) (*unlockReply, error) {
	var u unlockReply
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// lockout returns how long to stay away after a refused unlock with HTTP
// status code and the firmware's unlock_timeout (nil when absent).
func (u *unlockReply) lockout(code int) time.Duration {
	if u != nil && u.UnlockTimeout != nil && *u.UnlockTimeout > 0 && !math.IsInf(*u.UnlockTimeout, 0) {
		secs := *u.UnlockTimeout
		if secs > maxBackoff.Seconds() {
			return maxBackoff
		}
		return time.Duration(secs * float64(time.Second))
	}
	if code == http.StatusTooManyRequests {
		return backoffRateLimited
	}
	return backoffWrongPassword
}

// token returns the cached bearer token for ep, or "".
func (d *Driver) token(ep endpoint) string {
	s := d.session(ep)
	d.mu.Lock()
	defer d.mu.Unlock()
	return s.token
}

// forgetToken drops the cached token if it is still tok.
func (d *Driver) forgetToken(ep endpoint, tok string) {
	s := d.session(ep)
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.token == tok {
		s.token = ""
	}
}

// unlock obtains a bearer token with POST /unlock {"pw": password} and
// caches it. While a lock-out from an earlier refusal lasts it sends
// nothing and returns EAUTH at once. The password never appears in errors.
func (d *Driver) unlock(ctx context.Context, ep endpoint) (string, error) {
	s := d.session(ep)
	d.mu.Lock()
	until := s.lockedUntil
	d.mu.Unlock()
	if wait := until.Sub(now()); wait > 0 {
		return "", hearth.Errorf(hearth.EAUTH, "VNish refused hearth's password recently; not trying again for %s to avoid a lock-out.", wait.Round(time.Second))
	}

	body, err := json.Marshal(map[string]string{"pw": ep.password})
	if err != nil {
		return "", hearth.WrapError(hearth.EINTERNAL, err, "Cannot encode the unlock request.")
	}
	r, err := d.client.do(ctx, http.MethodPost, ep.base, pathUnlock, body, "")
	if err != nil {
		return "", err
	}
	switch r.status {
	case http.StatusOK:
		u, err := decodeUnlock(r.body)
		if err != nil {
			return "", hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not JSON: %q.", pathUnlock, web.Excerpt(r.body))
		}
		if u.Token == "" {
			return "", hearth.Errorf(hearth.EPROTOCOL, "Miner's reply to %s has no token.", pathUnlock)
		}
		d.mu.Lock()
		s.token, s.lockedUntil = u.Token, time.Time{}
		d.mu.Unlock()
		return u.Token, nil
	case http.StatusForbidden, http.StatusTooManyRequests:
		u, _ := decodeUnlock(r.body)
		wait := u.lockout(r.status)
		d.mu.Lock()
		s.token, s.lockedUntil = "", now().Add(wait)
		d.mu.Unlock()
		why := "wrong password"
		if r.status == http.StatusTooManyRequests {
			why = "too many attempts"
		}
		return "", hearth.WrapError(hearth.EAUTH, &statusError{code: r.status},
			"VNish refused to unlock (%s); hearth waits %s before trying again. Set the miner's password in hearth's credentials.", why, wait.Round(time.Second))
	}
	return "", statusFailure(http.MethodPost, pathUnlock, r)
}

// send makes one API call and returns a 200 answer. With auth set it
// unlocks first when no token is cached; without, it still sends a cached
// token (some releases protect /summary) and unlocks when the miner answers
// 401. A token refused with 401 is dropped and the call retried once with a
// fresh one. Any other status is an error from statusFailure.
func (d *Driver) send(ctx context.Context, ep endpoint, method, path string, body []byte, auth bool) (*response, error) {
	tok := d.token(ep)
	if auth && tok == "" {
		var err error
		if tok, err = d.unlock(ctx, ep); err != nil {
			return nil, err
		}
	}
	r, err := d.client.do(ctx, method, ep.base, path, body, tok)
	if err != nil {
		return nil, err
	}
	if r.status == http.StatusUnauthorized {
		d.forgetToken(ep, tok)
		if tok, err = d.unlock(ctx, ep); err != nil {
			return nil, err
		}
		if r, err = d.client.do(ctx, method, ep.base, path, body, tok); err != nil {
			return nil, err
		}
	}
	if r.status != http.StatusOK {
		return nil, statusFailure(method, path, r)
	}
	return r, nil
}

// sendJSON marshals v as the body of an authorised call.
func (d *Driver) sendJSON(ctx context.Context, ep endpoint, method, path string, v any) (*response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINTERNAL, err, "Cannot encode the request for %s.", path)
	}
	return d.send(ctx, ep, method, path, body, true)
}

// wrap adds the operation and miner to err for logs, keeping its code.
func wrap(op string, ep endpoint, err error) error {
	return fmt.Errorf("vnish %s %s: %w", op, ep.hostport, err)
}

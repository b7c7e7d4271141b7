package sim

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// HTTP Digest authentication (RFC 7616 with MD5, qop=auth, and the RFC 2069
// form without qop) as the Antminer web server (lighttpd mod_auth) asks for
// it on every page: realm "antMiner Configuration", user root, password
// root.

// Antminer web credentials and realm.
const (
	antWebRealm    = "antMiner Configuration"
	antWebUser     = "root"
	antWebPassword = "root"
	// nonceLifetime is how long a nonce stays valid; an older one gets a
	// 401 with stale=true, and the client retries with the new one.
	nonceLifetime = 10 * time.Minute
)

// digestCredentials are the fields of an Authorization: Digest header.
type digestCredentials struct {
	username, realm, nonce, uri, response string
	algorithm, qop, nc, cnonce, opaque    string
}

var errNotDigest = errors.New("not a Digest authorization")

// parseDigestAuthorization parses the value of an Authorization header:
// "Digest" followed by comma-separated name=value pairs whose values may be
// quoted strings with backslash escapes. Unknown names are ignored.
func parseDigestAuthorization(header string) (digestCredentials, error) {
	var c digestCredentials
	scheme, rest, _ := strings.Cut(strings.TrimLeft(header, " \t"), " ")
	if !strings.EqualFold(scheme, "Digest") {
		return c, errNotDigest
	}
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return c, errors.New("digest parameter without '='")
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var value string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			closed := false
			for i < len(rest) {
				ch := rest[i]
				if ch == '\\' && i+1 < len(rest) {
					b.WriteByte(rest[i+1])
					i += 2
					continue
				}
				if ch == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return c, errors.New("unterminated quoted digest parameter")
			}
			value = b.String()
			rest = rest[i:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			value = strings.TrimSpace(rest[:end])
			rest = rest[end:]
		}
		switch name {
		case "username":
			c.username = value
		case "realm":
			c.realm = value
		case "nonce":
			c.nonce = value
		case "uri":
			c.uri = value
		case "response":
			c.response = value
		case "algorithm":
			c.algorithm = value
		case "qop":
			c.qop = value
		case "nc":
			c.nc = value
		case "cnonce":
			c.cnonce = value
		case "opaque":
			c.opaque = value
		}
	}
	return c, nil
}

// digestAuth issues and checks nonces without keeping state: a nonce is
// the issue time and a keyed hash of it and the miner, so any nonce this
// simulator gave a miner can be checked by recomputing the hash.
type digestAuth struct {
	key [16]byte
}

// nonce returns a fresh nonce for miner index at time now: 32 hex digits.
func (a *digestAuth) nonce(index int, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	mac := a.mac(index, b[:4])
	copy(b[4:], mac[:12])
	return hex.EncodeToString(b[:])
}

func (a *digestAuth) mac(index int, ts []byte) [16]byte {
	var buf [16 + 8 + 4]byte
	copy(buf[:16], a.key[:])
	binary.BigEndian.PutUint64(buf[16:24], uint64(index))
	copy(buf[24:], ts)
	return md5.Sum(buf[:])
}

// checkNonce reports whether nonce was issued for miner index and whether
// it is still fresh at now.
func (a *digestAuth) checkNonce(nonce string, index int, now time.Time) (valid, fresh bool) {
	raw, err := hex.DecodeString(nonce)
	if err != nil || len(raw) != 16 {
		return false, false
	}
	mac := a.mac(index, raw[:4])
	if subtle.ConstantTimeCompare(mac[:12], raw[4:]) != 1 {
		return false, false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint32(raw[:4])), 0)
	age := now.Sub(issued)
	return true, age >= -time.Minute && age <= nonceLifetime
}

// challenge is the WWW-Authenticate value of a 401 for miner index.
func (a *digestAuth) challenge(index int, now time.Time, stale bool) string {
	v := `Digest realm="` + antWebRealm + `", nonce="` + a.nonce(index, now) + `", qop="auth"`
	if stale {
		v += `, stale=true`
	}
	return v
}

// authResult is the outcome of checking a request's credentials.
type authResult int

const (
	authMissing authResult = iota // no or unusable credentials: challenge
	authWrong                     // wrong user, password or nonce: challenge
	authStale                     // right password, expired nonce: challenge with stale=true
	authOK
)

// verify checks the Authorization header of a request with the given
// method and request URI.
func (a *digestAuth) verify(header, method, requestURI string, index int, now time.Time) authResult {
	if header == "" {
		return authMissing
	}
	c, err := parseDigestAuthorization(header)
	if err != nil {
		return authMissing
	}
	if c.username != antWebUser || c.realm != antWebRealm || c.uri != requestURI || c.response == "" {
		return authWrong
	}
	if c.algorithm != "" && !strings.EqualFold(c.algorithm, "MD5") {
		return authWrong
	}
	valid, fresh := a.checkNonce(c.nonce, index, now)
	if !valid {
		return authWrong
	}
	ha1 := md5Hex(antWebUser + ":" + antWebRealm + ":" + antWebPassword)
	ha2 := md5Hex(method + ":" + c.uri)
	var want string
	switch c.qop {
	case "auth":
		if c.nc == "" || c.cnonce == "" {
			return authWrong
		}
		if _, err := strconv.ParseUint(c.nc, 16, 32); err != nil {
			return authWrong
		}
		want = md5Hex(ha1 + ":" + c.nonce + ":" + c.nc + ":" + c.cnonce + ":auth:" + ha2)
	case "":
		want = md5Hex(ha1 + ":" + c.nonce + ":" + ha2)
	default:
		return authWrong
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(c.response)), []byte(want)) != 1 {
		return authWrong
	}
	if !fresh {
		return authStale
	}
	return authOK
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

package antminer

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// digestChallenge is an HTTP Digest challenge (RFC 7616) from a
// WWW-Authenticate header. Bitmain's web CGI sends one with MD5 and
// qop="auth".
type digestChallenge struct {
	realm, nonce, opaque string
	// algorithm is "MD5", "MD5-sess", "SHA-256" or "SHA-256-sess".
	algorithm string
	// qopAuth is set when the server offers qop "auth"; without any qop
	// the RFC 2069 form is used.
	qopAuth  bool
	userhash bool
}

// parseDigestChallenge picks the strongest Digest challenge hearth can
// answer from the values of WWW-Authenticate headers: SHA-256 before MD5,
// and only with qop "auth" or no qop at all.
func parseDigestChallenge(headers []string) (digestChallenge, bool) {
	var best digestChallenge
	found := false
	for _, h := range headers {
		for _, c := range parseChallenges(h) {
			if !strings.EqualFold(c.scheme, "Digest") {
				continue
			}
			ch := digestChallenge{
				realm:    c.params["realm"],
				nonce:    c.params["nonce"],
				opaque:   c.params["opaque"],
				userhash: strings.EqualFold(c.params["userhash"], "true"),
			}
			switch alg := strings.ToUpper(c.params["algorithm"]); alg {
			case "", "MD5":
				ch.algorithm = "MD5"
			case "MD5-SESS":
				ch.algorithm = "MD5-sess"
			case "SHA-256":
				ch.algorithm = "SHA-256"
			case "SHA-256-SESS":
				ch.algorithm = "SHA-256-sess"
			default:
				continue
			}
			if qop, ok := c.params["qop"]; ok {
				for _, q := range strings.Split(qop, ",") {
					if strings.EqualFold(strings.TrimSpace(q), "auth") {
						ch.qopAuth = true
					}
				}
				if !ch.qopAuth {
					continue // auth-int only: needs the body hashed, never used by miners
				}
			}
			if ch.nonce == "" || hasControl(ch.realm+ch.nonce+ch.opaque) {
				continue // unusable, or unsafe to echo in a header
			}
			if !found || strings.HasPrefix(ch.algorithm, "SHA") && !strings.HasPrefix(best.algorithm, "SHA") {
				best, found = ch, true
			}
		}
	}
	return best, found
}

// authorization returns the Authorization header value answering c for a
// request of method on uri, with a fresh client nonce: the first answer to
// a challenge.
func (c digestChallenge) authorization(method, uri, user, password string) (string, error) {
	return c.authorizationNC(method, uri, user, password, 1)
}

// authorizationNC is authorization for the nc-th request answering c.
func (c digestChallenge) authorizationNC(method, uri, user, password string, nc int) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", hearth.WrapError(hearth.EINTERNAL, err, "No randomness for HTTP Digest.")
	}
	return c.authorizationWith(method, uri, user, password, hex.EncodeToString(b[:]), nc), nil
}

// authorizationWith computes the Authorization header for a given client
// nonce and nonce count (RFC 7616 section 3.4).
func (c digestChallenge) authorizationWith(method, uri, user, password, cnonce string, nc int) string {
	h := func(s string) string {
		var f hash.Hash
		if strings.HasPrefix(c.algorithm, "SHA-256") {
			f = sha256.New()
		} else {
			f = md5.New()
		}
		f.Write([]byte(s))
		return hex.EncodeToString(f.Sum(nil))
	}
	ha1 := h(user + ":" + c.realm + ":" + password)
	if strings.HasSuffix(c.algorithm, "-sess") {
		ha1 = h(ha1 + ":" + c.nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	ncHex := hex8(nc)
	var response string
	if c.qopAuth {
		response = h(ha1 + ":" + c.nonce + ":" + ncHex + ":" + cnonce + ":auth:" + ha2)
	} else {
		response = h(ha1 + ":" + c.nonce + ":" + ha2)
	}
	name := user
	if c.userhash {
		name = h(user + ":" + c.realm)
	}

	var b strings.Builder
	b.WriteString("Digest username=")
	b.WriteString(quote(name))
	b.WriteString(", realm=" + quote(c.realm))
	b.WriteString(", nonce=" + quote(c.nonce))
	b.WriteString(", uri=" + quote(uri))
	b.WriteString(", algorithm=" + c.algorithm)
	b.WriteString(", response=" + quote(response))
	if c.opaque != "" {
		b.WriteString(", opaque=" + quote(c.opaque))
	}
	if c.qopAuth {
		b.WriteString(", qop=auth, nc=" + ncHex + ", cnonce=" + quote(cnonce))
	}
	if c.userhash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

func hex8(n int) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// quoteEscaper escapes a quoted-string's backslashes and quotes; built once,
// since a Replacer is costly to build and safe to share.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote writes s as an HTTP quoted-string.
func quote(s string) string {
	return `"` + quoteEscaper.Replace(s) + `"`
}

// challenge is one authentication challenge: a scheme and its parameters.
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenges splits a WWW-Authenticate value into its challenges
// (RFC 9110 section 11.6.1): a scheme token followed by comma-separated
// name=value parameters, values being tokens or quoted strings. Parameter
// names are lower-cased.
func parseChallenges(h string) []challenge {
	var out []challenge
	s := h
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		scheme, rest := token(s)
		if scheme == "" {
			return out // not a token: give up on the rest
		}
		c := challenge{scheme: scheme, params: map[string]string{}}
		s = rest
		for {
			s = strings.TrimLeft(s, " \t")
			name, rest := token(s)
			rest = strings.TrimLeft(rest, " \t")
			if name == "" || !strings.HasPrefix(rest, "=") {
				break // a new challenge, or the end
			}
			rest = strings.TrimLeft(rest[1:], " \t")
			var value string
			if strings.HasPrefix(rest, `"`) {
				value, rest = quotedString(rest)
			} else {
				value, rest = token(rest)
			}
			c.params[strings.ToLower(name)] = value
			s = strings.TrimLeft(rest, " \t")
			if !strings.HasPrefix(s, ",") {
				break
			}
			// Look past the comma: a parameter continues this challenge,
			// a bare token starts the next one.
			next := strings.TrimLeft(s[1:], " \t,")
			_, after := token(next)
			if !strings.HasPrefix(strings.TrimLeft(after, " \t"), "=") {
				s = next
				break
			}
			s = next
		}
		out = append(out, c)
		if len(out) > 16 {
			return out
		}
	}
}

// token returns the leading HTTP token of s and the rest.
func token(s string) (tok, rest string) {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// quotedString reads the quoted-string at the start of s (which begins
// with '"'), undoing backslash escapes, and returns it and the rest. An
// unterminated string runs to the end.
func quotedString(s string) (value, rest string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:]
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// hasControl reports control characters, which must not reach a header.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

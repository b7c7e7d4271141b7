package http

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// prometheusReadPaths are the Prometheus API endpoints that accept POST as a
// way to send a long query, not to change anything. Grafana queries by POST
// by default, so these count as reads. Paths are as seen after
// /prometheus/api/v1.
var prometheusReadPaths = map[string]bool{
	"/query":           true,
	"/query_range":     true,
	"/query_exemplars": true,
	"/series":          true,
	"/labels":          true,
	"/format_query":    true,
	"/parse_query":     true,
}

// authorize applies hearth's access rule to next:
//
//   - a request carrying "Authorization: Bearer <token>" is let through when
//     TokenService accepts the token, and refused with 401 otherwise, even
//     from loopback (a wrong token is a mistake worth reporting);
//   - a write (any method but GET, HEAD and OPTIONS, except a Prometheus
//     query sent by POST) without a token is refused with 401;
//   - a read without a token is let through from loopback clients, or from
//     anywhere when AllowRemoteReads is set, and refused with 401 otherwise.
//
// The token is never logged; only the ID and name of the token that
// authenticated a request are.
func (s *Server) authorize(next http.Handler) http.Handler {
	local := localHostNames()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, present, malformed := bearerToken(r)
		if malformed != "" {
			unauthorized(w, `Bearer realm="hearth", error="invalid_request"`, malformed)
			return
		}
		if present {
			if s.TokenService == nil {
				unauthorized(w, `Bearer realm="hearth", error="invalid_token"`,
					"API tokens are not enabled on this server.")
				return
			}
			token, err := s.TokenService.Authenticate(r.Context(), secret)
			if err != nil {
				if hearth.ErrorCode(err) == hearth.EUNAUTHORIZED {
					unauthorized(w, `Bearer realm="hearth", error="invalid_token"`, "Invalid API token.")
					return
				}
				s.writeError(w, r, err)
				return
			}
			rl := requestLogFrom(r.Context())
			rl.tokenID, rl.tokenName = token.ID, token.Name
			next.ServeHTTP(w, r)
			return
		}

		if !isRead(r) {
			unauthorized(w, `Bearer realm="hearth"`,
				`Changes need an API token: send "Authorization: Bearer <token>".`)
			return
		}
		if s.AllowRemoteReads || isLocalRequest(r, local) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w, `Bearer realm="hearth"`,
			`Reads from other machines need an API token ("Authorization: Bearer <token>") unless the server allows remote reads.`)
	})
}

// unauthorized writes a 401 with the WWW-Authenticate challenge RFC 6750
// asks for, so that generic HTTP clients know to send a bearer token.
func unauthorized(w http.ResponseWriter, challenge, message string) {
	w.Header().Set("WWW-Authenticate", challenge)
	writeErrorResponse(w, http.StatusUnauthorized, hearth.EUNAUTHORIZED, message)
}

// bearerToken returns the token of an "Authorization: Bearer" header and
// whether one was sent. A header that is present but not a usable bearer
// token gives a message saying what is wrong with it.
func bearerToken(r *http.Request) (secret string, present bool, malformed string) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", false, ""
	case 1:
	default:
		return "", false, "Send one Authorization header, not several."
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false, `Only bearer tokens are accepted: send "Authorization: Bearer <token>".`
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", false, "The bearer token is empty."
	}
	return token, true, ""
}

// isRead reports whether r only reads. Reads may be allowed without a token;
// everything else needs one.
func isRead(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	case http.MethodPost:
		// The planner's posts compute from their body and change nothing.
		if strings.HasPrefix(r.URL.Path, "/api/v1/plan/") {
			return true
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/prometheus/api/v1")
		return ok && prometheusReadPaths[rest]
	}
	return false
}

// isLocalRequest reports whether r comes from a program on this machine,
// talking to hearth directly and on purpose:
//
//   - the peer address is a loopback address;
//   - no proxy header is present: a reverse proxy on the same host makes
//     every remote client look like loopback, so a proxied request counts
//     as remote;
//   - the Host header names this machine (an IP literal, localhost or the
//     machine's host name). A web page on another site can make a local
//     browser send requests to 127.0.0.1 under a DNS name it controls (DNS
//     rebinding); such a request carries the attacker's name in Host.
func isLocalRequest(r *http.Request, localNames map[string]bool) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !addr.Unmap().IsLoopback() {
		return false
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	return isLocalHostName(r.Host, localNames)
}

// isLocalHostName reports whether a Host header value names this machine.
func isLocalHostName(hostport string, localNames map[string]bool) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return true // HTTP/1.0 without Host: no browser sends that.
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || localNames[host]
}

// localHostNames returns the names this machine goes by, lower-cased: its
// host name and that name's first label, which is what /etc/hosts commonly
// maps to a loopback address.
func localHostNames() map[string]bool {
	names := map[string]bool{}
	if h, err := os.Hostname(); err == nil && h != "" {
		h = strings.ToLower(h)
		names[h] = true
		if short, _, ok := strings.Cut(h, "."); ok {
			names[short] = true
		}
	}
	return names
}

package http_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// okHandler stands in for the metrics package's handlers.
func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body + " " + r.Method + " " + r.URL.Path))
	})
}

func TestAuth(t *testing.T) {
	newHandler := func(allowRemote bool) (http.Handler, *fixture) {
		f := newFixture(t)
		f.Server.AllowRemoteReads = allowRemote
		f.Server.PrometheusAPI = okHandler("prom")
		f.Server.MetricsHandler = okHandler("metrics")
		return f.Server.Handler(), f
	}
	readPaths := []string{"/api/v1/miners", "/api/v1/fleet", "/api/v1/openapi.json", "/prometheus/api/v1/query?query=up", "/metrics"}

	t.Run("LoopbackReadsWithoutToken", func(t *testing.T) {
		h, _ := newHandler(false)
		for _, p := range readPaths {
			for _, addr := range []string{"127.0.0.1:4000", "[::1]:4000", "127.5.6.7:4000", "[::ffff:127.0.0.1]:4000"} {
				req := request("GET", p, nil)
				req.RemoteAddr = addr
				if rec := serve(h, req); rec.Code != http.StatusOK {
					t.Fatalf("GET %s from %s: %d %s", p, addr, rec.Code, rec.Body.String())
				}
			}
		}
	})

	t.Run("RemoteReadsNeedToken", func(t *testing.T) {
		h, _ := newHandler(false)
		for _, p := range readPaths {
			rec := serve(h, remote(request("GET", p, nil)))
			msg := expectError(t, rec, http.StatusUnauthorized, hearth.EUNAUTHORIZED)
			if !strings.Contains(msg, "token") {
				t.Fatalf("GET %s: message %q should say a token is needed", p, msg)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", got)
			}
			if rec := serve(h, withToken(remote(request("GET", p, nil)), validToken)); rec.Code != http.StatusOK {
				t.Fatalf("GET %s remote with token: %d %s", p, rec.Code, rec.Body.String())
			}
		}
	})

	t.Run("AllowRemoteReads", func(t *testing.T) {
		h, _ := newHandler(true)
		for _, p := range readPaths {
			if rec := serve(h, remote(request("GET", p, nil))); rec.Code != http.StatusOK {
				t.Fatalf("GET %s remote with AllowRemoteReads: %d %s", p, rec.Code, rec.Body.String())
			}
		}
		// Writes still need a token.
		rec := serve(h, remote(request("DELETE", "/api/v1/miners/s19-a", nil)))
		expectError(t, rec, http.StatusUnauthorized, hearth.EUNAUTHORIZED)
	})

	t.Run("WritesNeedTokenEvenFromLoopback", func(t *testing.T) {
		h, f := newHandler(true)
		for _, req := range []*http.Request{
			request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.5", "family": "antminer"}),
			request("DELETE", "/api/v1/miners/s19-a", nil),
			request("PUT", "/api/v1/miners/s19-a", "{}"),
			request("PATCH", "/api/v1/miners/s19-a", "{}"),
			request("POST", "/metrics", nil),
			request("POST", "/prometheus/api/v1/admin/tsdb/delete_series", nil),
		} {
			rec := serve(h, req)
			msg := expectError(t, rec, http.StatusUnauthorized, hearth.EUNAUTHORIZED)
			if !strings.Contains(msg, "Bearer") {
				t.Fatalf("%s %s: message %q should say how to send a token", req.Method, req.URL.Path, msg)
			}
		}
		if l := listMiners(t, h, ""); l.Total != 5 {
			t.Fatalf("a refused write changed the inventory: %d miners", l.Total)
		}
		_ = f
	})

	t.Run("WriteWithToken", func(t *testing.T) {
		h, _ := newHandler(false)
		rec := serve(h, withToken(remote(request("DELETE", "/api/v1/miners/s19-a", nil)), validToken))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("DELETE with token: %d %s", rec.Code, rec.Body.String())
		}
	})

	t.Run("InvalidTokenRefusedEvenFromLoopback", func(t *testing.T) {
		h, _ := newHandler(true)
		for _, req := range []*http.Request{
			withToken(request("GET", "/api/v1/miners", nil), "wrong"),
			withToken(request("GET", "/metrics", nil), "wrong"),
			withToken(request("DELETE", "/api/v1/miners/s19-a", nil), "wrong"),
		} {
			rec := serve(h, req)
			expectError(t, rec, http.StatusUnauthorized, hearth.EUNAUTHORIZED)
			if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, "invalid_token") {
				t.Fatalf("WWW-Authenticate = %q, want error=invalid_token", got)
			}
		}
	})

	t.Run("MalformedAuthorization", func(t *testing.T) {
		h, _ := newHandler(false)
		for _, value := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", validToken} {
			req := request("GET", "/api/v1/miners", nil)
			req.Header.Set("Authorization", value)
			expectError(t, serve(h, req), http.StatusUnauthorized, hearth.EUNAUTHORIZED)
		}
		// The scheme is case-insensitive (RFC 7235).
		req := request("GET", "/api/v1/miners", nil)
		req.Header.Set("Authorization", "bearer "+validToken)
		req = remote(req)
		if rec := serve(h, req); rec.Code != http.StatusOK {
			t.Fatalf("lower-case scheme: %d", rec.Code)
		}
	})

	t.Run("PrometheusQueryByPOSTIsARead", func(t *testing.T) {
		h, _ := newHandler(false)
		for _, p := range []string{"/prometheus/api/v1/query", "/prometheus/api/v1/query_range", "/prometheus/api/v1/series", "/prometheus/api/v1/labels"} {
			req := request("POST", p, "query=up")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if rec := serve(h, req); rec.Code != http.StatusOK {
				t.Fatalf("POST %s from loopback: %d %s", p, rec.Code, rec.Body.String())
			}
			rec := serve(h, remote(request("POST", p, "query=up")))
			expectError(t, rec, http.StatusUnauthorized, hearth.EUNAUTHORIZED)
		}
	})

	t.Run("ProxiedRequestIsRemote", func(t *testing.T) {
		// A reverse proxy on the same machine connects from loopback on
		// behalf of remote clients; its forwarding headers give it away.
		h, _ := newHandler(false)
		for _, header := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"} {
			req := request("GET", "/api/v1/miners", nil)
			req.Header.Set(header, "for=198.51.100.7")
			expectError(t, serve(h, req), http.StatusUnauthorized, hearth.EUNAUTHORIZED)
		}
	})

	t.Run("DNSRebindingRefused", func(t *testing.T) {
		// A page on evil.example whose name resolves to 127.0.0.1 makes the
		// browser send Host: evil.example from loopback.
		h, _ := newHandler(false)
		req := request("GET", "/api/v1/miners", nil)
		req.Host = "evil.example:8080"
		expectError(t, serve(h, req), http.StatusUnauthorized, hearth.EUNAUTHORIZED)

		for _, host := range []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080", "app.localhost", "LOCALHOST."} {
			req := request("GET", "/api/v1/miners", nil)
			req.Host = host
			if rec := serve(h, req); rec.Code != http.StatusOK {
				t.Fatalf("Host %s from loopback: %d", host, rec.Code)
			}
		}
	})

	t.Run("NoTokenService", func(t *testing.T) {
		s := &hearthhttp.Server{MinerService: NewMinerService()}
		h := s.Handler()
		if rec := serve(h, request("GET", "/api/v1/miners", nil)); rec.Code != http.StatusOK {
			t.Fatalf("loopback read without token service: %d", rec.Code)
		}
		msg := expectError(t, serve(h, withToken(request("DELETE", "/api/v1/miners/x", nil), validToken)), http.StatusUnauthorized, hearth.EUNAUTHORIZED)
		if !strings.Contains(msg, "not enabled") {
			t.Fatalf("message %q", msg)
		}
	})

	t.Run("TokenServiceFailure", func(t *testing.T) {
		h, f := newHandler(false)
		f.Tokens.Err = errors.New("database is locked")
		msg := expectError(t, serve(h, withToken(request("GET", "/api/v1/miners", nil), validToken)), http.StatusInternalServerError, hearth.EINTERNAL)
		if strings.Contains(msg, "database") {
			t.Fatalf("internal detail leaked: %q", msg)
		}
	})

	t.Run("TokenNeverLogged", func(t *testing.T) {
		h, f := newHandler(false)
		serve(h, withToken(request("GET", "/api/v1/miners", nil), validToken))
		serve(h, withToken(remote(request("DELETE", "/api/v1/miners/s19-a", nil)), validToken))
		serve(h, withToken(request("GET", "/api/v1/miners", nil), "wrong-secret-value"))
		f.Tokens.Err = errors.New("database is locked")
		serve(h, withToken(request("GET", "/api/v1/miners", nil), validToken))
		log := f.Log.String()
		if log == "" {
			t.Fatal("nothing logged")
		}
		if strings.Contains(log, validToken) || strings.Contains(log, "wrong-secret-value") || strings.Contains(log, validToken[:12]) {
			t.Fatalf("a token appears in the log:\n%s", log)
		}
		if !strings.Contains(log, "token_id=7") || !strings.Contains(log, "token_name=admin") {
			t.Fatalf("the log should name the token that authenticated a request:\n%s", log)
		}
		if len(f.Tokens.Seen) != 4 {
			t.Fatalf("Authenticate called %d times, want 4", len(f.Tokens.Seen))
		}
	})

	t.Run("UIPagesNeedNoToken", func(t *testing.T) {
		// Pages and assets hold no fleet data; their scripts fetch it from
		// the API, which asks for a token.
		h, _ := newHandler(false)
		for _, p := range []string{"/", "/miners/s19-a", "/static/hearth.css"} {
			if rec := serve(h, remote(request("GET", p, nil))); rec.Code != http.StatusOK {
				t.Fatalf("GET %s remote: %d", p, rec.Code)
			}
		}
	})
}

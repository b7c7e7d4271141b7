package http_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

func TestUnknownAPIRoute(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/nope", "/api/v2/miners", "/api/", "/api/v1/miners/s19-a/reboot", "/api/v1/miners/"} {
		rec := serve(f.Handler, request("GET", p, nil))
		msg := expectError(t, rec, http.StatusNotFound, hearth.ENOTFOUND)
		if !strings.Contains(msg, p) {
			t.Fatalf("GET %s: message %q should name the path", p, msg)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"PUT", "/api/v1/miners", "GET, HEAD, POST"},
		{"PATCH", "/api/v1/miners/s19-a", "DELETE, GET, HEAD"},
		{"POST", "/api/v1/miners/s19-a", "DELETE, GET, HEAD"},
		{"DELETE", "/api/v1/fleet", "GET, HEAD"},
		{"POST", "/api/v1/openapi.json", "GET, HEAD"},
	} {
		rec := serve(f.Handler, withToken(request(tc.method, tc.path, "{}"), validToken))
		expectError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := rec.Header().Get("Allow"); got != tc.allow {
			t.Fatalf("%s %s: Allow = %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

func TestHead(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("HEAD", "/api/v1/miners", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("HEAD: %d", rec.Code)
	}
}

// TestErrorCodes checks the mapping from hearth error codes to statuses,
// and that internal errors show a generic message and are logged.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{hearth.Errorf(hearth.EINVALID, "Bad."), 400, hearth.EINVALID},
		{hearth.Errorf(hearth.EUNAUTHORIZED, "Who?"), 401, hearth.EUNAUTHORIZED},
		{hearth.Errorf(hearth.EFORBIDDEN, "No."), 403, hearth.EFORBIDDEN},
		{hearth.Errorf(hearth.ENOTFOUND, "Gone."), 404, hearth.ENOTFOUND},
		{hearth.Errorf(hearth.ECONFLICT, "Taken."), 409, hearth.ECONFLICT},
		{hearth.Errorf(hearth.EUNSUPPORTED, "Cannot."), 422, hearth.EUNSUPPORTED},
		{hearth.Errorf(hearth.ETIMEOUT, "Slow."), 504, hearth.ETIMEOUT},
		{hearth.Errorf(hearth.EUNAVAILABLE, "Refused."), 502, hearth.EUNAVAILABLE},
		{hearth.Errorf(hearth.EPROTOCOL, "Garbage."), 502, hearth.EPROTOCOL},
		{hearth.Errorf(hearth.ETOOLARGE, "Huge."), 502, hearth.ETOOLARGE},
		{hearth.Errorf(hearth.EAUTH, "Miner said no."), 502, hearth.EAUTH},
		{hearth.Errorf(hearth.EINTERNAL, "Bug."), 500, hearth.EINTERNAL},
		{fmt.Errorf("find miner: %w", hearth.Errorf(hearth.ENOTFOUND, "Wrapped.")), 404, hearth.ENOTFOUND},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newFixture(t)
			f.Miners.Err = tc.err
			rec := serve(f.Handler, request("GET", "/api/v1/miners/s19-a", nil))
			msg := expectError(t, rec, tc.status, tc.code)
			if msg != hearth.ErrorMessage(tc.err) {
				t.Fatalf("message = %q, want %q", msg, hearth.ErrorMessage(tc.err))
			}
		})
	}

	t.Run("InternalDetailLoggedNotReturned", func(t *testing.T) {
		f := newFixture(t)
		f.Miners.Err = errors.New("sqlite: disk I/O error at /var/lib/hearth/hearth.db")
		rec := serve(f.Handler, request("GET", "/api/v1/miners", nil))
		msg := expectError(t, rec, http.StatusInternalServerError, hearth.EINTERNAL)
		if msg != "Internal error." {
			t.Fatalf("message = %q", msg)
		}
		if !strings.Contains(f.Log.String(), "/var/lib/hearth/hearth.db") {
			t.Fatalf("the internal error should be logged:\n%s", f.Log.String())
		}
	})
}

func TestPanicBecomesJSON500(t *testing.T) {
	s := &hearthhttp.Server{MinerService: NewMinerService(), StatusService: panicking{}}
	s.MinerService.CreateMiner(t.Context(), antminer("x", "10.0.0.1", "Antminer S21", ""))
	rec := serve(s.Handler(), request("GET", "/api/v1/miners/x", nil))
	expectError(t, rec, http.StatusInternalServerError, hearth.EINTERNAL)
}

type panicking struct{}

func (panicking) MinerStatus(id string) hearth.MinerStatus { panic("status map corrupted") }

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/miners", "/", "/static/hearth.js"} {
		rec := serve(f.Handler, request("GET", p, nil))
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Fatalf("GET %s: headers %v", p, rec.Header())
		}
	}
}

func TestMetricsMounts(t *testing.T) {
	f := newFixture(t)
	var promPath, promQuery string
	f.Server.PrometheusAPI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		promPath, promQuery = r.URL.Path, r.URL.Query().Get("query")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	})
	f.Server.MetricsHandler = okHandler("metrics")
	h := f.Server.Handler()

	for _, tc := range []struct{ url, path string }{
		{"/prometheus/api/v1/query?query=up", "/query"},
		{"/prometheus/api/v1/query_range?query=up", "/query_range"},
		{"/prometheus/api/v1/series?match[]=up", "/series"},
		{"/prometheus/api/v1/labels", "/labels"},
		{"/prometheus/api/v1/label/miner/values", "/label/miner/values"},
	} {
		rec := serve(h, request("GET", tc.url, nil))
		if rec.Code != http.StatusOK || promPath != tc.path {
			t.Fatalf("GET %s: status %d, handler saw %q, want %q", tc.url, rec.Code, promPath, tc.path)
		}
	}
	serve(h, request("GET", "/prometheus/api/v1/query?query="+`mining_hash_rate{miner="a"}`, nil))
	if promQuery != `mining_hash_rate{miner="a"}` {
		t.Fatalf("query = %q", promQuery)
	}

	rec := serve(h, request("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "metrics GET /metrics" {
		t.Fatalf("/metrics: %d %q", rec.Code, rec.Body.String())
	}

	t.Run("NotEnabled", func(t *testing.T) {
		h := newFixture(t).Handler
		for _, p := range []string{"/prometheus/api/v1/query?query=up", "/metrics"} {
			msg := expectError(t, serve(h, request("GET", p, nil)), http.StatusNotFound, hearth.ENOTFOUND)
			if !strings.Contains(msg, "not enabled") {
				t.Fatalf("GET %s: %q", p, msg)
			}
		}
	})
}

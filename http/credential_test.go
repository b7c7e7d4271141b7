package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// Credentials are written with a token and never come back with their
// password, neither in the reply nor in the list.
func TestCredentials(t *testing.T) {
	f := newFixture(t)
	body := map[string]any{"family": "antminer", "site": "barn", "user": "root", "password": "s3cret-pw"}
	if rec := serve(f.Handler, request(http.MethodPut, "/api/v1/credentials", body)); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", rec.Code)
	}
	rec := serve(f.Handler, withToken(request(http.MethodPut, "/api/v1/credentials", body), validToken))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "s3cret-pw") {
		t.Fatalf("set: %d %s", rec.Code, rec.Body.String())
	}
	if f.Credentials.creds[0].Password != "s3cret-pw" {
		t.Error("the store did not get the password")
	}
	rec = serve(f.Handler, request(http.MethodGet, "/api/v1/credentials", nil))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "s3cret-pw") || !strings.Contains(rec.Body.String(), `"user":"root"`) {
		t.Errorf("list: %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(f.Log.String(), "s3cret-pw") {
		t.Error("the password is in the log")
	}
	bad := map[string]any{"family": "antminer", "site": "a", "miner_id": "b", "user": "u"}
	if rec := serve(f.Handler, withToken(request(http.MethodPut, "/api/v1/credentials", bad), validToken)); rec.Code != http.StatusBadRequest {
		t.Errorf("site and miner: %d", rec.Code)
	}
	if rec := serve(f.Handler, withToken(request(http.MethodDelete, "/api/v1/credentials", nil), validToken)); rec.Code != http.StatusBadRequest {
		t.Errorf("delete without family: %d", rec.Code)
	}
}

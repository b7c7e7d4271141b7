package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/grafana"
)

// A user downloads the Grafana dashboard from their own hearth and
// imports it: the file is the shipped dashboard, offered as a download.
func TestGrafanaDashboardDownload(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/grafana/dashboard.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET dashboard: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="hearth-fleet.json"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.Equal(rec.Body.Bytes(), grafana.DashboardJSON()) {
		t.Error("the served dashboard is not the shipped one")
	}
	var d struct {
		UID    string `json:"uid"`
		Panels []any  `json:"panels"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || d.UID != "hearth-fleet" || len(d.Panels) == 0 {
		t.Errorf("dashboard: uid %q, %d panels, %v", d.UID, len(d.Panels), err)
	}
}

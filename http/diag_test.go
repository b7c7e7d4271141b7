package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/diag"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// newDiagnostics builds the fixture's diagnostics from its own services.
func newDiagnostics(f *fixture) hearthhttp.DiagnosticsFunc {
	b := &diag.Builder{
		Miners:       f.Miners,
		Status:       f.Server.StatusService,
		Logs:         diag.LogsFunc(f.Server.Logs),
		Desired:      f.Desired,
		AlertHistory: f.History,
		Audit:        f.Audit,
		Version:      "test",
		Now:          func() time.Time { return testNow },
	}
	return b.Build
}

// readBundle opens a zip reply and returns its files by name and its
// manifest.
func readBundle(t *testing.T, body []byte) (map[string]string, diag.Manifest) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("reply is not a zip archive: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	var m diag.Manifest
	if err := json.Unmarshal([]byte(files[diag.ManifestName]), &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, files[diag.ManifestName])
	}
	return files, m
}

func TestMinerDiagnostics(t *testing.T) {
	f := newFixture(t)
	// A desired pool with a password: the bundle shows the pool, never
	// the password.
	if err := f.Desired.SetDesired(context.Background(), &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"},
		State: hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: "stratum+tcp://pool.example:3333", UserPattern: "acct.{rack}", Password: "pool-secret-42"}}}}); err != nil {
		t.Fatal(err)
	}

	rec := serve(f.Handler, request("GET", "/api/v1/miners/s19-a/diagnostics", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("GET diagnostics: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	_, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if want := "hearth-diag-s19-a-" + testNow.UTC().Format("20060102T150405Z") + ".zip"; err != nil || params["filename"] != want {
		t.Errorf("Content-Disposition %q, want filename %s", rec.Header().Get("Content-Disposition"), want)
	}
	body := rec.Body.Bytes()
	files, m := readBundle(t, body)
	if m.MinerID != "s19-a" || m.Version != "test" || !m.GeneratedAt.Equal(testNow) {
		t.Errorf("manifest header %+v", m)
	}
	if len(m.Parts) != len(diag.PartNames) {
		t.Errorf("manifest lists %d parts, want %d: %+v", len(m.Parts), len(diag.PartNames), m.Parts)
	}
	for _, p := range m.Parts {
		_, inZip := files[p.Name]
		if (p.Status == diag.PartOK) != inZip {
			t.Errorf("part %s: status %s, in archive %v", p.Name, p.Status, inZip)
		}
		if p.Status == diag.PartUnavailable && p.Reason == "" {
			t.Errorf("part %s unavailable without a reason", p.Name)
		}
	}
	if !strings.Contains(files[diag.PartFirmwareLog], "find 126 asic") {
		t.Errorf("firmware log: %q", files[diag.PartFirmwareLog])
	}
	if p := partOf(m, diag.PartFirmwareLog); p.Source != "/cgi-bin/log.cgi" {
		t.Errorf("log part %+v, want its source", p)
	}
	if !strings.Contains(files[diag.PartLatest], `"boards"`) || !strings.Contains(files[diag.PartMiner], `"Antminer S19j Pro"`) {
		t.Errorf("latest %s\nminer %s", files[diag.PartLatest], files[diag.PartMiner])
	}
	if !strings.Contains(files[diag.PartDesired], `"acct.{rack}"`) || !strings.Contains(files[diag.PartDesired], `"pools": {`) {
		t.Errorf("desired state without its pools or their source:\n%s", files[diag.PartDesired])
	}
	// The fixture has no metrics store and no journal: those parts say so.
	if p := partOf(m, diag.PartHistory); p.Status != diag.PartUnavailable {
		t.Errorf("history part %+v, want unavailable", p)
	}
	if !strings.Contains(files[diag.PartCommands], `"actor"`) && partOf(m, diag.PartCommands).Items != 0 {
		t.Errorf("commands %s", files[diag.PartCommands])
	}
	if bytes.Contains(body, []byte("pool-secret-42")) {
		t.Error("the archive holds a pool password")
	}
	for name, text := range files {
		if strings.Contains(text, "pool-secret-42") || strings.Contains(text, `"password"`) {
			t.Errorf("%s holds a password:\n%s", name, text)
		}
	}

	t.Run("LogUnsupported", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/bitaxe-1/diagnostics", nil))
		_, m := readBundle(t, rec.Body.Bytes())
		if p := partOf(m, diag.PartFirmwareLog); p.Status != diag.PartUnavailable || p.Code != hearth.EUNSUPPORTED || !strings.Contains(p.Reason, "AxeOS v2.15.0") {
			t.Errorf("log part %+v, want unavailable with the driver's reason", p)
		}
	})
	t.Run("UnknownMiner", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/nope/diagnostics", nil))
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Header().Get("Content-Type"), "json") {
			t.Errorf("unknown miner: %d %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("Client", func(t *testing.T) {
		ts := httptest.NewServer(f.Handler)
		defer ts.Close()
		srv := ts.URL
		var buf bytes.Buffer
		name, err := hearthhttp.NewClient(srv, "").DownloadDiagnostics(context.Background(), "s19-a", &buf)
		if err != nil || !strings.HasPrefix(name, "hearth-diag-s19-a-") {
			t.Fatalf("download: %q %v", name, err)
		}
		if _, m := readBundle(t, buf.Bytes()); m.MinerID != "s19-a" {
			t.Errorf("downloaded manifest %+v", m)
		}
		if _, err := hearthhttp.NewClient(srv, "").DownloadDiagnostics(context.Background(), "nope", io.Discard); hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Errorf("unknown miner: %v", err)
		}
	})
}

func partOf(m diag.Manifest, name string) diag.Part {
	for _, p := range m.Parts {
		if p.Name == name {
			return p
		}
	}
	return diag.Part{}
}

// The miner page offers the bundle with a button its script wires up.
func TestMinerPageDiagnosticsButton(t *testing.T) {
	body := page(t, newFixture(t).Handler, "/miners/s21-b")
	for _, el := range [][2]string{{"button", "miner-diagnostics"}, {"span", "miner-diagnostics-status"}} {
		if !hasElement(body, el[0], el[1]) {
			t.Errorf("miner page lacks <%s id=%q>", el[0], el[1])
		}
	}
}

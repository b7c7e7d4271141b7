package price_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

func TestDetectFormat(t *testing.T) {
	for name, want := range map[string]price.Format{
		"entsoe_a44_dst.xml":     price.FormatENTSOE,
		"ercot_dam_fallback.csv": price.FormatERCOT,
		"ercot_dam_spring.csv":   price.FormatERCOT,
		"ercot_rtm_fallback.csv": price.FormatERCOT,
		"prices.csv":             price.FormatCSV,
		"prices.json":            price.FormatJSON,
	} {
		if got := price.DetectFormat(fixture(t, name)); got != want {
			t.Errorf("%s: detected %q, want %q", name, got, want)
		}
	}
}

func TestSourceFile(t *testing.T) {
	s := &price.Source{Location: filepath.Join("testdata", "entsoe_a44_dst.xml")}
	points, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 47 {
		t.Errorf("got %d points, want 47", len(points))
	}
	s = &price.Source{Location: filepath.Join("testdata", "no-such-file.csv")}
	_, err = s.Fetch(context.Background())
	wantCode(t, err, hearth.ENOTFOUND)
}

func TestSourceHTTP(t *testing.T) {
	ercot := fixture(t, "ercot_dam_fallback.csv")
	mux := http.NewServeMux()
	mux.HandleFunc("/ercot", func(w http.ResponseWriter, r *http.Request) { w.Write(ercot) })
	mux.HandleFunc("/ercot.zip", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Ocp-Apim-Subscription-Key") != "key" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		w.Write(zipped(t, "cdr.00012331.0000000000000000.20261031.133011.DAMSPNP4190.csv", ercot))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("2026-06-01T00:00:00Z,1\n", 4096))
		for written := 0; written <= price.MaxFeedBytes; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	s := &price.Source{Location: srv.URL + "/ercot", Options: price.Options{SettlementPoint: "HB_HOUSTON"}}
	points, err := s.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 25 || !near(points[0].PerKWh, 0.0229) {
		t.Errorf("got %d points starting at %v, want 25 starting at 0.0229", len(points), points[0].PerKWh)
	}

	// The MIS serves a zip of one CSV; the header carries an API key.
	s = &price.Source{Location: srv.URL + "/ercot.zip", Header: http.Header{"Ocp-Apim-Subscription-Key": {"key"}}, Options: price.Options{SettlementPoint: "HB_NORTH"}}
	if points, err = s.Fetch(context.Background()); err != nil || len(points) != 25 {
		t.Errorf("zip: %d points, %v; want 25", len(points), err)
	}
	s.Header = nil
	_, err = s.Fetch(context.Background())
	wantCode(t, err, hearth.EUNAVAILABLE)

	for _, tc := range []struct {
		path, code string
		timeout    time.Duration
	}{
		{"/huge", hearth.ETOOLARGE, time.Minute},
		{"/slow?securityToken=secret-token", hearth.ETIMEOUT, 200 * time.Millisecond},
		{"/down?securityToken=secret-token", hearth.EUNAVAILABLE, time.Minute},
	} {
		s := &price.Source{Location: srv.URL + tc.path, Format: price.FormatCSV, Timeout: tc.timeout, Options: price.Options{Unit: price.PerKWh, Resolution: time.Hour}}
		_, err := s.Fetch(context.Background())
		wantCode(t, err, tc.code)
		if strings.Contains(err.Error(), "secret-token") {
			t.Errorf("%s: the error %q shows the token", tc.path, err)
		}
	}
}

// zipped returns a zip archive holding data as name.
func zipped(t testing.TB, name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A zip bomb, a megabyte of zeros per kilobyte, stops at MaxFeedBytes.
func TestParseZipBomb(t *testing.T) {
	bomb := zipped(t, "prices.csv", make([]byte, price.MaxFeedBytes+1))
	_, err := price.Parse("", bomb, price.Options{})
	wantCode(t, err, hearth.ETOOLARGE)
	_, err = price.Parse("", zipped(t, "readme.txt", []byte("hello")), price.Options{})
	wantCode(t, err, hearth.EINVALID)
}

func TestSourcePoll(t *testing.T) {
	s := &price.Source{Location: filepath.Join("testdata", "prices.json"), Options: price.Options{Resolution: time.Hour}}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	s.Poll(ctx, time.Millisecond, func(points []hearth.PricePoint, err error) {
		if err != nil || len(points) != 3 {
			t.Errorf("poll %d: %d points, %v", calls, len(points), err)
		}
		if calls++; calls == 3 {
			cancel()
		}
	})
	if calls != 3 {
		t.Errorf("polled %d times, want 3", calls)
	}
}

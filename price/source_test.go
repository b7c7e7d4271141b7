package price_test

import (
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

	for _, tc := range []struct {
		path, code string
	}{
		{"/huge", hearth.ETOOLARGE},
		{"/slow?securityToken=secret-token", hearth.ETIMEOUT},
		{"/down?securityToken=secret-token", hearth.EUNAVAILABLE},
	} {
		s := &price.Source{Location: srv.URL + tc.path, Format: price.FormatCSV, Timeout: 200 * time.Millisecond, Options: price.Options{Unit: price.PerKWh, Resolution: time.Hour}}
		_, err := s.Fetch(context.Background())
		wantCode(t, err, tc.code)
		if strings.Contains(err.Error(), "secret-token") {
			t.Errorf("%s: the error %q shows the token", tc.path, err)
		}
	}
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

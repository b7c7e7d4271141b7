package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// The status reports the metrics store's disk use by tier, and leaves it
// out on a server without metrics.
func TestStatusReportsStorage(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, request("GET", "/api/v1/status", nil))
	var bare map[string]any
	decode(t, rec, &bare)
	if rec.Code != http.StatusOK || bare["storage"] != nil || bare["now"] != testNow.Format(time.RFC3339) {
		t.Fatalf("without metrics: %d %v", rec.Code, bare)
	}

	oldest := testNow.Add(-400 * 24 * time.Hour)
	f.Server.Storage = func(context.Context) hearthhttp.StorageStatus {
		return hearthhttp.StorageStatus{
			Raw:    hearthhttp.TierStorage{Bytes: 3 << 30, Oldest: testNow.Add(-30 * 24 * time.Hour), RetentionSeconds: 30 * 86400},
			Rollup: hearthhttp.TierStorage{Bytes: 200 << 20, Oldest: oldest, RetentionSeconds: 548 * 86400},
		}
	}
	srv := httptest.NewServer(f.Server.Handler())
	defer srv.Close()
	st, err := hearthhttp.NewClient(srv.URL, "").Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Storage == nil || st.Storage.Raw.Bytes != 3<<30 || st.Storage.Rollup.Bytes != 200<<20 ||
		!st.Storage.Rollup.Oldest.Equal(oldest) || st.Storage.Rollup.RetentionSeconds != 548*86400 {
		t.Fatalf("status %+v", st.Storage)
	}
}

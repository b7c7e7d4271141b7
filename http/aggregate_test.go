package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
)

// A child reports with a token, whose name names it, and the answer holds
// its share of the aggregate's target; without a token, or naming another
// child, it is refused.
func TestAggregateReport(t *testing.T) {
	f := newFixture(t)
	if err := f.Power.SetPowerRequest(context.Background(), &hearth.PowerRequest{ID: "o1", Source: hearth.SourceOverride, Site: "fleet",
		Kind: hearth.RequestLimit, LimitWatts: 1500, Start: testNow.Add(-time.Minute), End: testNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h := f.Server.Handler()
	body := map[string]any{"aggregate": "fleet", "sites": []any{map[string]any{"site": "garage", "flexible_w": 3000, "fixed_w": 0,
		"measured_w": 3000, "planned_w": 3000, "state": "free"}}}

	rec := serve(h, withToken(request("POST", "/api/v1/aggregate/report", body), validToken))
	if rec.Code != http.StatusOK {
		t.Fatalf("report: %d %s", rec.Code, rec.Body.String())
	}
	var ans aggregate.Answer
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if len(ans.Targets) != 1 || ans.Targets[0].Site != "garage" || ans.Targets[0].Kind != hearth.RequestLimit || ans.Targets[0].LimitWatts != 1500 ||
		!ans.Targets[0].Until.Equal(testNow.Add(time.Hour)) {
		t.Errorf("answer %+v, want garage limited to 1500 W until the override ends", ans)
	}

	// The aggregator lists the child with what it reported and was
	// answered.
	rec = serve(h, request("GET", "/api/v1/aggregate/children", nil))
	var children struct {
		Children []aggregate.ChildStatus `json:"children"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &children); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("children: %d %s", rec.Code, rec.Body.String())
	}
	if c := children.Children; len(c) != 1 || c[0].Aggregate != "fleet" || c[0].Lost || len(c[0].Sites) != 1 || c[0].Sites[0].FlexibleWatts != 3000 ||
		len(c[0].Targets) != 1 || c[0].Targets[0].LimitWatts != 1500 {
		t.Errorf("children %+v, want the child with garage's 3000 W and its 1500 W target", c)
	}

	if rec := serve(h, request("POST", "/api/v1/aggregate/report", body)); rec.Code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", rec.Code)
	}
	body["child"] = "someone-else"
	if rec := serve(h, withToken(request("POST", "/api/v1/aggregate/report", body), validToken)); rec.Code != http.StatusForbidden {
		t.Errorf("naming another child: %d %s, want 403", rec.Code, rec.Body.String())
	}
	f.Server.Aggregate = nil
	delete(body, "child")
	if rec := serve(f.Server.Handler(), withToken(request("POST", "/api/v1/aggregate/report", body), validToken)); rec.Code != http.StatusNotFound {
		t.Errorf("not an aggregator: %d, want 404", rec.Code)
	}
	if rec := serve(f.Server.Handler(), request("GET", "/api/v1/aggregate/children", nil)); rec.Code != http.StatusNotFound {
		t.Errorf("children of no aggregator: %d, want 404", rec.Code)
	}
}

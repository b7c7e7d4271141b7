package metrics_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth/metrics"
)

// apiServer serves the store's Prometheus API where hearth mounts it, with
// two miners polled at t0, t0+30s and t0+60s.
func apiServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, _ := openStore(t, metrics.Options{})
	for i := range 3 {
		at := t0.Add(time.Duration(i) * 30 * time.Second)
		store(t, s, antminer("m1"), reading(at, healthy()))
		store(t, s, antminer("m2"), reading(at, healthy()))
	}
	mux := http.NewServeMux()
	mux.Handle("/prometheus/api/v1/", s.PrometheusAPI())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// get requests path (relative to the API root) and returns status and body.
func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/prometheus/api/v1/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func post(t *testing.T, srv *httptest.Server, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/prometheus/api/v1/"+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return readResponse(t, resp)
}

func readResponse(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	return resp.StatusCode, string(body)
}

// sameJSON reports whether two documents decode to equal values.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	return reflect.DeepEqual(g, w)
}

const m1Labels = `"firmware":"bmminer 49.0.1.3","job":"Bitcoin-miner","miner":"m1","model":"Antminer S21","site":"default"`

func TestAPIQueryExactJSON(t *testing.T) {
	srv := apiServer(t)
	status, body := get(t, srv, `query?query=mining_up{miner="m1"}&time=1700000000.123`)
	want := `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"mining_up",` + m1Labels + `},"value":[1700000000.123,"1"]}]}}`
	if status != http.StatusOK || body != want {
		t.Errorf("status %d, body\n%s\nwant\n%s", status, body, want)
	}
}

func TestAPIQueryResultTypes(t *testing.T) {
	srv := apiServer(t)
	tests := []struct{ query, want string }{
		// These are evaluated at 1700000000, the time of the first samples.
		{`1.5`, `{"resultType":"scalar","result":[1700000000,"1.5"]}`},
		{`1/0`, `{"resultType":"scalar","result":[1700000000,"+Inf"]}`},
		{`-1/0`, `{"resultType":"scalar","result":[1700000000,"-Inf"]}`},
		{`0/0`, `{"resultType":"scalar","result":[1700000000,"NaN"]}`},
		{`1e-7`, `{"resultType":"scalar","result":[1700000000,"1e-07"]}`},
		{`"hearth"`, `{"resultType":"string","result":[1700000000,"hearth"]}`},
		{`mining_hash_rate{miner="nobody"}`, `{"resultType":"vector","result":[]}`},
		{`sum(mining_hash_rate)`, `{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"200000000000000"]}]}`},
		// A range selector is left-open: (t-1m, t] holds one sample here.
		{`mining_fan_speed_rpm{miner="m2",fan="fan2"}[1m]`, `{"resultType":"matrix","result":[{"metric":{"__name__":"mining_fan_speed_rpm","fan":"fan2",` +
			strings.ReplaceAll(m1Labels, "m1", "m2") + `},"values":[[1700000000,"4100"]]}]}`},
	}
	for _, tt := range tests {
		status, body := get(t, srv, "query?"+url.Values{"query": {tt.query}, "time": {"1700000000"}}.Encode())
		want := `{"status":"success","data":` + tt.want + `}`
		if status != http.StatusOK || body != want {
			t.Errorf("%s: status %d, body\n%s\nwant\n%s", tt.query, status, body, want)
		}
	}
}

func TestAPIQueryPOSTAndRFC3339(t *testing.T) {
	srv := apiServer(t)
	status, body := post(t, srv, "query", url.Values{
		"query": {`mining_up{miner="m1"}`},
		"time":  {"2023-11-14T22:13:50Z"},
	})
	want := `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"mining_up",` + m1Labels + `},"value":[1700000030,"1"]}]}}`
	if status != http.StatusOK || body != want {
		t.Errorf("POST query: status %d, body\n%s\nwant\n%s", status, body, want)
	}
}

func TestAPIQueryRange(t *testing.T) {
	srv := apiServer(t)
	want := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"mining_up",` + m1Labels +
		`},"values":[[1700000000,"1"],[1700000030,"1"],[1700000060,"1"]]}]}}`
	for _, params := range []url.Values{
		{"start": {"1700000000"}, "end": {"1700000060"}, "step": {"30"}},
		{"start": {"2023-11-14T22:13:20Z"}, "end": {"2023-11-14T22:14:20Z"}, "step": {"30s"}},
	} {
		params.Set("query", `mining_up{miner="m1"}`)
		for _, method := range []string{"GET", "POST"} {
			var status int
			var body string
			if method == "GET" {
				status, body = get(t, srv, "query_range?"+params.Encode())
			} else {
				status, body = post(t, srv, "query_range", params)
			}
			if status != http.StatusOK || body != want {
				t.Errorf("%s query_range %v: status %d, body\n%s\nwant\n%s", method, params, status, body, want)
			}
		}
	}
}

func TestAPISeries(t *testing.T) {
	srv := apiServer(t)
	// Two selectors matching the same series: it is listed once.
	status, body := get(t, srv, "series?"+url.Values{
		"match[]": {`mining_up{miner="m1"}`, `mining_up{site="default",miner=~"m1"}`},
		"start":   {"1700000000"},
		"end":     {"1700000060"},
	}.Encode())
	want := `{"status":"success","data":[{"__name__":"mining_up",` + m1Labels + `}]}`
	if status != http.StatusOK || !sameJSON(t, body, want) {
		t.Errorf("series: status %d, body\n%s\nwant\n%s", status, body, want)
	}
	// Outside the time range there is nothing.
	status, body = get(t, srv, "series?"+url.Values{"match[]": {`mining_up`}, "end": {"1600000000"}}.Encode())
	if status != http.StatusOK || body != `{"status":"success","data":[]}` {
		t.Errorf("series before any data: status %d, body %s", status, body)
	}
}

func TestAPILabels(t *testing.T) {
	srv := apiServer(t)
	status, body := get(t, srv, "labels")
	want := `{"status":"success","data":["__name__","board","fan","firmware","job","miner","model","pool","site"]}`
	if status != http.StatusOK || body != want {
		t.Errorf("labels: status %d, body %s", status, body)
	}
	status, body = post(t, srv, "labels", url.Values{"match[]": {`mining_fan_speed_rpm`}})
	want = `{"status":"success","data":["__name__","fan","firmware","job","miner","model","site"]}`
	if status != http.StatusOK || body != want {
		t.Errorf("labels of fans: status %d, body %s", status, body)
	}
	status, body = get(t, srv, "labels?limit=2")
	want = `{"status":"success","data":["__name__","board"],"warnings":["results truncated due to limit"]}`
	if status != http.StatusOK || body != want {
		t.Errorf("labels with limit: status %d, body %s", status, body)
	}
}

func TestAPILabelValues(t *testing.T) {
	srv := apiServer(t)
	tests := []struct{ path, want string }{
		{"label/miner/values", `["m1","m2"]`},
		{"label/board/values", `["0","1","2"]`},
		{"label/miner/values?" + url.Values{"match[]": {`mining_up{miner="m2"}`}}.Encode(), `["m2"]`},
		{"label/nothing/values", `[]`},
		// U__ escaping, as clients send names outside the legacy charset.
		{"label/U__miner/values", `["m1","m2"]`},
	}
	for _, tt := range tests {
		status, body := get(t, srv, tt.path)
		want := `{"status":"success","data":` + tt.want + `}`
		if status != http.StatusOK || body != want {
			t.Errorf("%s: status %d, body %s, want %s", tt.path, status, body, want)
		}
	}
	status, body := get(t, srv, "label/__name__/values")
	if status != http.StatusOK || !strings.Contains(body, `"mining_hash_rate"`) || !strings.Contains(body, `"mining_fan_speed_rpm"`) {
		t.Errorf("metric names: status %d, body %s", status, body)
	}
}

func TestAPIErrors(t *testing.T) {
	srv := apiServer(t)
	tests := []struct {
		name, path string
		status     int
		errorType  string
		message    string // a prefix of the error message
	}{
		{"parse error", "query?query=sum(", 400, "bad_data", `invalid parameter "query": `},
		{"bad time", "query?query=up&time=yesterday", 400, "bad_data", `invalid parameter "time": invalid time value for 'time': cannot parse "yesterday"`},
		{"no step", "query_range?query=up&start=1&end=2", 400, "bad_data", `invalid parameter "step": cannot parse "" to a valid duration`},
		{"zero step", "query_range?query=up&start=1&end=2&step=0", 400, "bad_data", `invalid parameter "step": zero or negative`},
		{"end before start", "query_range?query=up&start=2&end=1&step=1", 400, "bad_data", `invalid parameter "end": end timestamp must not be before start time`},
		{"too many points", "query_range?query=up&start=0&end=86400&step=1", 400, "bad_data", `exceeded maximum resolution of 11000 points`},
		{"range vector in range query", "query_range?query=up[5m]&start=0&end=60&step=15", 400, "bad_data", `invalid parameter "query": invalid expression type "range vector"`},
		{"many-to-many", "query?" + url.Values{"query": {`mining_board_chips + on(miner) mining_board_chips`}, "time": {"1700000000"}}.Encode(), 422, "execution", "found duplicate series"},
		{"timeout", "query?query=mining_up&timeout=1e-9", 503, "timeout", ""},
		{"range timeout", "query_range?query=mining_up&start=0&end=60&step=15&timeout=1e-9", 503, "timeout", ""},
		{"series without match", "series", 400, "bad_data", "no match[] parameter provided"},
		{"series matching everything", "series?match[]=" + url.QueryEscape(`{miner=~".*"}`), 400, "bad_data", `invalid parameter "match[]": match[] must contain at least one non-empty matcher`},
		{"bad limit", "labels?limit=-1", 400, "bad_data", `invalid parameter "limit": limit must be non-negative`},
		{"unknown endpoint", "targets", 404, "not_found", `unknown API endpoint "targets"`},
	}
	for _, tt := range tests {
		status, body := get(t, srv, tt.path)
		var resp struct {
			Status    string `json:"status"`
			ErrorType string `json:"errorType"`
			Error     string `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &resp); err != nil {
			t.Errorf("%s: body is not JSON: %s", tt.name, body)
			continue
		}
		if status != tt.status || resp.Status != "error" || resp.ErrorType != tt.errorType || !strings.HasPrefix(resp.Error, tt.message) && !strings.Contains(resp.Error, tt.message) {
			t.Errorf("%s: status %d, body %s; want %d, errorType %s, error containing %q", tt.name, status, body, tt.status, tt.errorType, tt.message)
		}
	}

	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/prometheus/api/v1/query?query=up", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT query: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// What Grafana calls when a Prometheus data source is saved and tested.
func TestAPIDataSourceTest(t *testing.T) {
	srv := apiServer(t)
	status, body := get(t, srv, "status/buildinfo")
	var info struct {
		Status string `json:"status"`
		Data   struct {
			Version   string `json:"version"`
			GoVersion string `json:"goVersion"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &info); err != nil || status != 200 || info.Status != "success" {
		t.Fatalf("buildinfo: status %d, body %s, err %v", status, body, err)
	}
	if info.Data.Version != "3.15.0" || !strings.HasPrefix(info.Data.GoVersion, "go") {
		t.Errorf("buildinfo = %+v, want the embedded Prometheus 3.15.0", info.Data)
	}

	status, body = get(t, srv, "metadata?metric=mining_accepted_shares_total")
	want := `{"status":"success","data":{"mining_accepted_shares_total":[{"type":"counter","help":"Shares accepted by the pools since the mining process started.","unit":""}]}}`
	if status != 200 || body != want {
		t.Errorf("metadata: status %d, body\n%s\nwant\n%s", status, body, want)
	}
	status, body = get(t, srv, "metadata")
	if status != 200 || !strings.Contains(body, `"monitoring_power_consumption_watts":[{"type":"gauge"`) {
		t.Errorf("metadata of all: status %d, body %s", status, body)
	}

	status, body = get(t, srv, "query_exemplars?query=mining_hash_rate&start=1700000000&end=1700000060")
	if status != 200 || body != `{"status":"success","data":[]}` {
		t.Errorf("query_exemplars: status %d, body %s", status, body)
	}
	// The data source test itself is an instant query of "1+1".
	status, body = post(t, srv, "query", url.Values{"query": {"1+1"}, "time": {"1700000000"}})
	if status != 200 || body != `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}` {
		t.Errorf("1+1: status %d, body %s", status, body)
	}
}

// The handler also works mounted with the prefix stripped.
func TestAPIStripPrefix(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	h := http.StripPrefix("/prometheus/api/v1", s.PrometheusAPI())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/prometheus/api/v1/query?query=1&time=1", nil))
	if rec.Code != 200 || rec.Body.String() != `{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}` {
		t.Errorf("stripped mount: status %d, body %s", rec.Code, rec.Body.String())
	}
}

// Closing the store cancels API queries in flight and waits for them, and
// later requests are told the server is shutting down.
func TestAPIQueriesEndBeforeClose(t *testing.T) {
	s, _ := openStore(t, metrics.Options{})
	for i := range 3 {
		store(t, s, antminer("m1"), reading(t0.Add(time.Duration(i)*30*time.Second), healthy()))
	}
	h := s.PrometheusAPI()
	// A range query with many steps and a large window takes long enough
	// to be in flight while Close runs.
	q := "query_range?" + url.Values{"query": {`count_over_time(mining_up[30d])`}, "start": {"1600000000"}, "end": {"1700010000"}, "step": {"9200"}}.Encode()
	results := make(chan int, 4)
	for range 4 {
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/prometheus/api/v1/"+q, nil))
			results <- rec.Code
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Close returned: every query has ended, one way or another.
	for range 4 {
		select {
		case code := <-results:
			if code != 200 && code != 499 && code != 503 {
				t.Errorf("query in flight at close answered %d", code)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a query outlived Close")
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/prometheus/api/v1/query?query=up", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "shutting down") {
		t.Errorf("after close: %d %s", rec.Code, rec.Body.String())
	}
}

package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	rec := serve(h, request("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET openapi.json: %d", rec.Code)
	}
	var doc map[string]any
	decode(t, rec, &doc)
	return doc
}

// documentedOperations returns "METHOD /path" for every operation.
func documentedOperations(doc map[string]any) []string {
	var ops []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if slices.Contains(httpMethods, method) {
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

func TestOpenAPI(t *testing.T) {
	f := newFixture(t)
	doc := loadOpenAPI(t, f.Handler)

	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}

	t.Run("MatchesRoutes", func(t *testing.T) {
		served := hearthhttp.APIRoutes()
		sort.Strings(served)
		documented := documentedOperations(doc)
		for _, op := range served {
			if !slices.Contains(documented, op) {
				t.Errorf("route %s is served but not documented", op)
			}
		}
		for _, op := range documented {
			if !slices.Contains(served, op) {
				t.Errorf("operation %s is documented but not served", op)
			}
		}
	})

	t.Run("EveryOperationAnswers", func(t *testing.T) {
		for _, op := range documentedOperations(doc) {
			method, path, _ := strings.Cut(op, " ")
			var body any
			if method == "POST" {
				body = map[string]any{"address": "10.9.9.9", "family": "antminer"}
				if path == "/api/v1/actions" {
					body = map[string]any{"selector": "all", "verb": "reboot"}
				}
			}
			if path == "/api/v1/credentials" {
				switch method {
				case "PUT":
					body = map[string]any{"family": "antminer", "user": "root", "password": "pw"}
				case "DELETE":
					path += "?family=antminer"
				}
			}
			switch op {
			case "POST /api/v1/sites":
				body = map[string]any{"name": "new-site", "power_budget_w": 1000}
			case "PUT /api/v1/sites/{name}":
				body = map[string]any{"power_budget_w": 2000}
			case "POST /api/v1/groups":
				body = map[string]any{"name": "new-group", "miners": []string{"s21-b"}}
			case "PUT /api/v1/groups/{name}":
				body = map[string]any{"description": "oldest first"}
			case "POST /api/v1/groups/{name}/members":
				body = map[string]any{"miners": []string{"s21-b"}}
			case "DELETE /api/v1/groups/{name}/members":
				path += "?miner=s19-a"
			case "POST /api/v1/power/requests", "POST /api/v1/power/signal":
				body = map[string]any{"site": "barn", "kind": "limit", "limit_w": 3000, "for": "30m"}
			case "POST /api/v1/aggregate/report":
				body = map[string]any{"aggregate": "fleet", "sites": []any{map[string]any{"site": "garage", "flexible_w": 3000, "fixed_w": 0, "measured_w": 3000, "planned_w": 3000, "state": "free"}}}
			case "PUT /api/v1/power/programs/{name}":
				body = map[string]any{"kind": "openadr", "sites": []string{"barn"}, "fail_mode": "hold", "silent_after": 0, "enabled": false, "secret": "***"}
			case "PUT /api/v1/receivers/{name}":
				body = map[string]any{"kind": "ntfy", "enabled": true, "route": map[string]any{}, "settings": map[string]any{"url": "https://ntfy.sh/mine"}}
			case "POST /api/v1/alerts/ack":
				body = map[string]any{"miner": "s21-c"}
			case "POST /api/v1/silences":
				body = map[string]any{"matchers": []any{map[string]any{"name": "site", "type": "=", "value": "barn"}}, "for": "1h"}
			case "DELETE /api/v1/power/requests":
				path += "?source=openadr&site=barn&id=evt-1/0"
			case "POST /api/v1/profiles":
				body = map[string]any{"name": "night", "mode": "target", "model_watts": map[string]any{"Antminer S21": 2500}}
			case "PUT /api/v1/profiles/{name}":
				body = map[string]any{"mode": "eco", "watts": 1800}
			case "POST /api/v1/positions":
				body = "miner,rack\ns19-a,7\n"
			case "POST /api/v1/plan/roi", "POST /api/v1/plan/backtest":
				body = map[string]any{"capex_usd": 4000}
			case "POST /api/v1/plan/home", "POST /api/v1/plan/site":
				body = map[string]any{}
			case "POST /api/v1/plan/montecarlo":
				body = map[string]any{"capex_usd": 4000, "paths": 200}
			case "GET /api/v1/plan/roi/svg", "GET /api/v1/plan/backtest/svg":
				// The shipped catalog has no prices, so a rig needs its capex.
				path += "?q=" + url.QueryEscape(`{"capex_usd":4000}`)
			case "GET /api/v1/plan/montecarlo/svg":
				path += "?q=" + url.QueryEscape(`{"capex_usd":4000,"paths":200}`)
			case "POST /api/v1/schedules", "PUT /api/v1/schedules/{id}":
				body = map[string]any{"name": "night", "target": map[string]any{"kind": "site", "id": "barn"},
					"change":     map[string]any{"kind": "power-profile", "payload": map[string]any{"mode": "eco", "watts": 2500}},
					"recurrence": "22:00-06:00", "time_zone": "Europe/Oslo"}
			}
			switch {
			case strings.HasPrefix(path, "/api/v1/sites/"):
				path = strings.ReplaceAll(path, "{name}", "empty")
			case strings.HasPrefix(path, "/api/v1/groups/"):
				path = strings.ReplaceAll(path, "{name}", "old")
			case strings.HasPrefix(path, "/api/v1/profiles/"):
				path = strings.ReplaceAll(path, "{name}", "eco")
			case strings.HasPrefix(path, "/api/v1/power/programs/"):
				path = strings.ReplaceAll(path, "{name}", "grid")
			case strings.HasPrefix(path, "/api/v1/receivers/"):
				path = strings.ReplaceAll(path, "{name}", "ops")
			case strings.HasPrefix(path, "/api/v1/silences/"):
				path = strings.ReplaceAll(path, "{id}", "1")
			case strings.HasPrefix(path, "/api/v1/rules/"):
				path = strings.ReplaceAll(path, "{name}", "mine")
				if method == "PUT" {
					body = ruleFileYAML
				}
			case strings.HasPrefix(path, "/api/v1/schedules/"):
				path = strings.ReplaceAll(path, "{id}", "sch_000000000001")
			}
			f := newFixture(t)
			if path == "/api/v1/desired" {
				switch method {
				case "PUT":
					body = map[string]any{"scope": map[string]any{"kind": "site", "id": "barn"}, "state": map[string]any{"locate": true}}
				case "DELETE":
					f.Desired.SetDesired(context.Background(), &hearth.DesiredRecord{Scope: hearth.Scope{Kind: hearth.ScopeSite, ID: "barn"}})
					path += "?kind=site&id=barn"
				}
			}
			h := f.Handler
			rec := serve(h, withToken(request(method, strings.ReplaceAll(path, "{id}", "s19-a"), body), validToken))
			if rec.Code >= 300 {
				t.Errorf("%s: status %d: %s", op, rec.Code, rec.Body.String())
			}
		}
	})

	t.Run("RefsResolve", func(t *testing.T) {
		var walk func(v any, at string)
		walk = func(v any, at string) {
			switch v := v.(type) {
			case map[string]any:
				if ref, ok := v["$ref"].(string); ok {
					if _, err := resolveRef(doc, ref); err != nil {
						t.Errorf("%s: %v", at, err)
					}
				}
				for k, c := range v {
					walk(c, at+"/"+k)
				}
			case []any:
				for i, c := range v {
					walk(c, fmt.Sprintf("%s/%d", at, i))
				}
			}
		}
		walk(doc, "#")
	})

	t.Run("OperationsHaveIDsAndResponses", func(t *testing.T) {
		seen := map[string]bool{}
		for path, item := range doc["paths"].(map[string]any) {
			for method, op := range item.(map[string]any) {
				if !slices.Contains(httpMethods, method) {
					continue
				}
				o := op.(map[string]any)
				id, _ := o["operationId"].(string)
				if id == "" || seen[id] {
					t.Errorf("%s %s: missing or duplicate operationId %q", method, path, id)
				}
				seen[id] = true
				if len(o["responses"].(map[string]any)) == 0 {
					t.Errorf("%s %s: no responses", method, path)
				}
			}
		}
	})

	// The schemas must describe what the handlers really send: every field
	// of every response is declared, and every required field is present.
	t.Run("ResponsesMatchSchemas", func(t *testing.T) {
		f := newFixture(t)
		st := onlineStatus("s19-a", 104, 3068, true, 71, 74, 69)
		fillEveryField(&st)
		f.Server.StatusService = StatusService{"s19-a": st}
		m, _ := f.Miners.FindMinerByID(t.Context(), "s19-a")
		m.Port, m.WebPort, m.Serial, m.MAC, m.Hostname, m.Tags = 4028, 80, "SN1", "02:00:00:00:00:01", "s19-a", []string{"row-1"}
		m.Position = hearth.Position{Row: "B", Rack: "07", Shelf: "2", Slot: "4"}
		h := f.Server.Handler()

		for _, tc := range []struct {
			method, path string
			body         any
			schema       string
			status       int
		}{
			{"GET", "/api/v1/miners", nil, "MinerList", 200},
			{"GET", "/api/v1/miners/s19-a", nil, "MinerDetail", 200},
			{"GET", "/api/v1/fleet", nil, "Fleet", 200},
			{"POST", "/api/v1/miners", map[string]any{"address": "10.9.9.9", "family": "antminer", "site": "x", "tags": []string{"t"}, "port": 1, "web_port": 2, "id": "new-1"}, "MinerDetail", 201},
			{"GET", "/api/v1/miners/s19-a/logs", nil, "MinerLog", 200},
			{"GET", "/api/v1/miners/bitaxe-1/logs", nil, "Error", 422},
			{"GET", "/api/v1/miners/nope", nil, "Error", 404},
			{"GET", "/api/v1/miners?limit=x", nil, "Error", 400},
			{"GET", "/api/v1/sites", nil, "SiteList", 200},
			{"POST", "/api/v1/sites", map[string]any{"name": "n", "description": "d", "power_budget_w": 1, "voltage_v": 2, "phases": 3, "main_breaker_a": 4, "pdu_limit_a": 5, "pdu_limit_w": 6, "time_zone": "UTC", "ramp_up_w_per_min": 7, "ramp_down_w_per_min": 8}, "Site", 201},
			{"GET", "/api/v1/sites/barn", nil, "Site", 200},
			{"DELETE", "/api/v1/sites/barn", nil, "Error", 409},
			{"GET", "/api/v1/groups", nil, "GroupList", 200},
			{"POST", "/api/v1/groups", map[string]any{"name": "g", "description": "d", "miners": []string{"s21-b"}}, "Group", 201},
			{"POST", "/api/v1/groups/old/members", map[string]any{"miners": []string{"ghost"}}, "Error", 404},
			{"GET", "/api/v1/schedules", nil, "ScheduleList", 200},
			{"GET", "/api/v1/schedules/sch_000000000001", nil, "Schedule", 200},
			{"POST", "/api/v1/schedules", map[string]any{"name": "once", "target": map[string]any{"kind": "group", "id": "old"},
				"change": map[string]any{"kind": "pools", "payload": map[string]any{"pools": []any{map[string]any{"url": "stratum+tcp://p:3333", "user_pattern": "a.{miner}"}}}},
				"start":  "2026-03-01T22:00:00Z", "end": "2026-03-02T06:00:00Z", "enabled": false}, "Schedule", 201},
			{"POST", "/api/v1/schedules", map[string]any{"name": "bad", "target": map[string]any{"kind": "site", "id": "barn"},
				"change": map[string]any{"kind": "pause"}, "recurrence": "25:00-26:00", "time_zone": "UTC"}, "Error", 400},
			{"GET", "/api/v1/schedules/sch_none", nil, "Error", 404},
			{"GET", "/api/v1/power", nil, "PowerReport", 200},
			{"GET", "/api/v1/power/programs", nil, "PowerProgramList", 200},
			{"GET", "/api/v1/power/programs/grid", nil, "PowerProgram", 200},
			{"PUT", "/api/v1/power/programs/new", map[string]any{"kind": "price", "sites": []string{"barn"}, "fail_mode": "resume", "silent_after": 60e9, "enabled": true, "settings": map[string]any{"strike_per_kwh": 0.1}, "secret": "k"}, "PowerProgram", 200},
			{"PUT", "/api/v1/power/programs/bad", map[string]any{"kind": "price", "sites": []string{}, "fail_mode": "resume"}, "Error", 400},
			{"GET", "/api/v1/power/requests?active=true", nil, "PowerRequestList", 200},
			{"POST", "/api/v1/power/requests", map[string]any{"site": "barn", "kind": "shed", "shed_fraction": 1, "reason": "storm", "id": "o1", "start": "2026-03-01T12:00:00Z", "end": "2026-03-01T13:00:00Z"}, "PowerRequest", 201},
			{"POST", "/api/v1/power/requests", map[string]any{"site": "barn", "kind": "limit", "limit_w": -1}, "Error", 400},
			{"POST", "/api/v1/power/signal", map[string]any{"site": "barn", "kind": "resume"}, "PowerRequest", 200},
			{"POST", "/api/v1/aggregate/report", map[string]any{"aggregate": "fleet", "at": "2026-03-01T12:00:00Z", "sites": []any{map[string]any{"site": "garage", "flexible_w": 3000, "fixed_w": 100, "measured_w": 3100, "planned_w": 3100, "state": "free"}}}, "AggregateAnswer", 200},
			{"POST", "/api/v1/aggregate/report", map[string]any{"aggregate": "barn", "sites": []any{map[string]any{"site": "garage", "state": "free"}}}, "Error", 404},
			{"GET", "/api/v1/profiles", nil, "ProfileList", 200},
			{"POST", "/api/v1/profiles", map[string]any{"name": "night", "description": "d", "mode": "target", "watts": 1, "model_watts": map[string]any{"Antminer S21": 2500}}, "Profile", 201},
			{"GET", "/api/v1/profiles/eco", nil, "Profile", 200},
			{"PUT", "/api/v1/profiles/eco", map[string]any{"mode": "target"}, "Error", 400},
			{"GET", "/api/v1/receivers", nil, "ReceiverList", 200},
			{"GET", "/api/v1/receivers/ops", nil, "ReceiverItem", 200},
			{"PUT", "/api/v1/receivers/mail", map[string]any{"kind": "email", "enabled": true, "secret": "pw",
				"route":    map[string]any{"matchers": []any{map[string]any{"name": "alertname", "type": "=~", "value": "Chip.*"}}, "group_by": []string{"site"}, "group_wait": 1e9, "group_interval": 2e9, "repeat_interval": 3e9, "send_resolved": true},
				"settings": map[string]any{"host": "smtp.example.com", "port": 587, "from": "a@b.c", "to": []string{"d@e.f"}, "username": "u"}}, "ReceiverItem", 200},
			{"PUT", "/api/v1/receivers/bad", map[string]any{"kind": "email", "enabled": true, "route": map[string]any{}, "settings": map[string]any{"host": "h"}}, "Error", 400},
			{"GET", "/api/v1/silences?all=true", nil, "SilenceList", 200},
			{"POST", "/api/v1/silences", map[string]any{"matchers": []any{map[string]any{"name": "miner", "type": "=", "value": "s19-a"}}, "starts_at": "2026-03-01T12:00:00Z", "ends_at": "2026-03-01T14:00:00Z", "comment": "c"}, "Silence", 201},
			{"POST", "/api/v1/silences", map[string]any{"matchers": []any{}, "for": "1h"}, "Error", 400},
			{"GET", "/api/v1/alerts/history", nil, "AlertHistory", 200},
			{"GET", "/api/v1/alerts/history?since=yesterday", nil, "Error", 400},
			{"POST", "/api/v1/positions?dry_run=1", "miner,site,row,rack,shelf,slot\ns19-a,barn,1,2,3,4\n", "PositionImport", 200},
		} {
			rec := serve(h, withToken(request(tc.method, tc.path, tc.body), validToken))
			if rec.Code != tc.status {
				t.Fatalf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body.String())
			}
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			checkSchema(t, doc, map[string]any{"$ref": "#/components/schemas/" + tc.schema}, v, tc.method+" "+tc.path)
		}
	})
}

// fillEveryField sets every optional field of a status and its reading, so
// that no field is left out of the JSON by omitempty.
func fillEveryField(st *hearth.MinerStatus) {
	st.LastError, st.ErrorCode, st.Failures = "Earlier failure.", hearth.ETIMEOUT, 1
	r := st.Latest
	r.Latency, r.HashRateAvg, r.IdealHashRate, r.PowerLimit, r.HardwareErrors = 3*time.Millisecond, 1e14, 1.1e14, 3200, 5
	r.Paused, r.Errors, r.PollErrors = true, []string{"Fan 2 failed."}, []string{"stats: timeout"}
	r.Pools[0].Priority = 1
	r.Fans[0].Percent = 80
	for i := range r.Boards {
		b := &r.Boards[i]
		b.IdealHashRate, b.InletTemp, b.OutletTemp, b.FailedChips, b.FrequencyMHz, b.HardwareErrs = 3e13, 40, 60, 1, 525, 2
	}
}

func resolveRef(doc map[string]any, ref string) (map[string]any, error) {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("external ref %q", ref)
	}
	var cur any = doc
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("ref %q: %q is not an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("ref %q: no %q", ref, part)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("ref %q is not an object", ref)
	}
	return m, nil
}

// checkSchema validates v against the subset of JSON Schema the document
// uses: $ref, allOf, type, properties, required, items and enum. Objects
// may not hold undeclared properties.
func checkSchema(t *testing.T, doc, schema map[string]any, v any, at string) {
	t.Helper()
	for {
		ref, ok := schema["$ref"].(string)
		if !ok {
			break
		}
		var err error
		if schema, err = resolveRef(doc, ref); err != nil {
			t.Fatalf("%s: %v", at, err)
		}
	}
	if all, ok := schema["allOf"].([]any); ok {
		merged := map[string]any{"type": "object", "properties": map[string]any{}, "required": []any{}}
		for _, part := range all {
			p := part.(map[string]any)
			for p["$ref"] != nil {
				p, _ = resolveRef(doc, p["$ref"].(string))
			}
			for k, prop := range asMap(p["properties"]) {
				merged["properties"].(map[string]any)[k] = prop
			}
			merged["required"] = append(merged["required"].([]any), asSlice(p["required"])...)
		}
		schema = merged
	}
	if enum := asSlice(schema["enum"]); enum != nil && !slices.Contains(enum, v) {
		t.Errorf("%s: %v not in %v", at, v, enum)
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %T, want object", at, v)
			return
		}
		props := asMap(schema["properties"])
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				t.Errorf("%s: required field %q missing", at, r)
			}
		}
		if len(props) == 0 {
			return // a free-form object
		}
		for k, val := range obj {
			prop, ok := props[k]
			if !ok {
				t.Errorf("%s: field %q not in the schema", at, k)
				continue
			}
			checkSchema(t, doc, prop.(map[string]any), val, at+"."+k)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %T, want array", at, v)
			return
		}
		for i, item := range arr {
			checkSchema(t, doc, asMap(schema["items"]), item, fmt.Sprintf("%s[%d]", at, i))
		}
	case "string":
		if _, ok := v.(string); !ok {
			t.Errorf("%s: %T, want string", at, v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			t.Errorf("%s: %T, want number", at, v)
		}
	case "integer":
		if n, ok := v.(float64); !ok || n != float64(int64(n)) {
			t.Errorf("%s: %v, want integer", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %T, want boolean", at, v)
		}
	case "":
	default:
		t.Fatalf("%s: schema type %q not handled by the test", at, typ)
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

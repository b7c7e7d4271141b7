package alerting

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/rules"
)

// PrometheusAPI returns the handler of the Prometheus HTTP API's alerts and
// rules endpoints, in Prometheus' JSON shapes, so that Grafana's alerting
// views and other Prometheus clients list hearth's alerts and rules:
//
//	GET /alerts  every pending and firing alert
//	GET /rules   the rule groups with their rules' state, health and
//	             alerts; type=alert|record filters rules by kind and
//	             exclude_alerts=true leaves the alerts out
//
// It answers paths ending in /alerts or /rules, so that it can be mounted
// with or without the /prometheus/api/v1 prefix.
func (m *Manager) PrometheusAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeAPIError(w, http.StatusMethodNotAllowed, "bad_data", fmt.Sprintf("method %s not allowed", r.Method))
			return
		}
		switch path := strings.TrimSuffix(r.URL.Path, "/"); {
		case strings.HasSuffix(path, "/alerts") || path == "alerts":
			writeAPISuccess(w, map[string]any{"alerts": m.apiAlerts(nil)})
		case strings.HasSuffix(path, "/rules") || path == "rules":
			m.serveRules(w, r)
		default:
			writeAPIError(w, http.StatusNotFound, "not_found", fmt.Sprintf("unknown API endpoint %q", r.URL.Path))
		}
	})
}

// apiAlert is an alert as the Prometheus API lists it.
type apiAlert struct {
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	State           string            `json:"state"`
	ActiveAt        *time.Time        `json:"activeAt,omitempty"`
	KeepFiringSince *time.Time        `json:"keepFiringSince,omitempty"`
	Value           string            `json:"value"`
}

// apiRuleGroup is a rule group as the Prometheus API lists it.
type apiRuleGroup struct {
	Name           string    `json:"name"`
	File           string    `json:"file"`
	Rules          []any     `json:"rules"`
	Interval       float64   `json:"interval"`
	Limit          int       `json:"limit"`
	EvaluationTime float64   `json:"evaluationTime"`
	LastEvaluation time.Time `json:"lastEvaluation"`
}

// apiAlertingRule is an alerting rule as the Prometheus API lists it.
type apiAlertingRule struct {
	State          string            `json:"state"`
	Name           string            `json:"name"`
	Query          string            `json:"query"`
	Duration       float64           `json:"duration"`
	KeepFiringFor  float64           `json:"keepFiringFor"`
	Labels         map[string]string `json:"labels"`
	Annotations    map[string]string `json:"annotations"`
	Alerts         []apiAlert        `json:"alerts,omitempty"`
	Health         string            `json:"health"`
	LastError      string            `json:"lastError,omitempty"`
	EvaluationTime float64           `json:"evaluationTime"`
	LastEvaluation time.Time         `json:"lastEvaluation"`
	Type           string            `json:"type"`
}

// apiRecordingRule is a recording rule as the Prometheus API lists it.
type apiRecordingRule struct {
	Name           string            `json:"name"`
	Query          string            `json:"query"`
	Labels         map[string]string `json:"labels"`
	Health         string            `json:"health"`
	LastError      string            `json:"lastError,omitempty"`
	EvaluationTime float64           `json:"evaluationTime"`
	LastEvaluation time.Time         `json:"lastEvaluation"`
	Type           string            `json:"type"`
}

// apiAlerts lists the active alerts of rule r, or of every rule when r is
// nil.
func (m *Manager) apiAlerts(r *rules.AlertingRule) []apiAlert {
	out := []apiAlert{}
	list := m.mgr.AlertingRules()
	if r != nil {
		list = []*rules.AlertingRule{r}
	}
	for _, rule := range list {
		for _, a := range rule.ActiveAlerts() {
			aa := apiAlert{
				Labels:      labelMap(a.Labels),
				Annotations: labelMap(a.Annotations),
				State:       a.State.String(),
				ActiveAt:    &a.ActiveAt,
				Value:       strconv.FormatFloat(a.Value, 'e', -1, 64),
			}
			if !a.KeepFiringSince.IsZero() {
				aa.KeepFiringSince = &a.KeepFiringSince
			}
			out = append(out, aa)
		}
	}
	return out
}

// serveRules answers /rules.
func (m *Manager) serveRules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("type")
	if kind != "" && kind != "alert" && kind != "record" {
		writeAPIError(w, http.StatusBadRequest, "bad_data", fmt.Sprintf("invalid query parameter type=%q: use alert or record", kind))
		return
	}
	excludeAlerts, _ := strconv.ParseBool(q.Get("exclude_alerts"))
	groups := []apiRuleGroup{}
	for _, g := range m.mgr.RuleGroups() {
		ag := apiRuleGroup{
			Name:           g.Name(),
			File:           displayName(g.File()),
			Rules:          []any{},
			Interval:       g.Interval().Seconds(),
			Limit:          g.Limit(),
			EvaluationTime: g.GetEvaluationTime().Seconds(),
			LastEvaluation: g.GetLastEvaluation(),
		}
		for _, rule := range g.Rules() {
			lastErr := ""
			if err := rule.LastError(); err != nil {
				lastErr = err.Error()
			}
			switch rule := rule.(type) {
			case *rules.AlertingRule:
				if kind == "record" {
					continue
				}
				ar := apiAlertingRule{
					State:          rule.State().String(),
					Name:           rule.Name(),
					Query:          rule.Query().String(),
					Duration:       rule.HoldDuration().Seconds(),
					KeepFiringFor:  rule.KeepFiringFor().Seconds(),
					Labels:         labelMap(rule.Labels()),
					Annotations:    labelMap(rule.Annotations()),
					Health:         string(rule.Health()),
					LastError:      lastErr,
					EvaluationTime: rule.GetEvaluationDuration().Seconds(),
					LastEvaluation: rule.GetEvaluationTimestamp(),
					Type:           "alerting",
				}
				if !excludeAlerts {
					ar.Alerts = m.apiAlerts(rule)
				}
				ag.Rules = append(ag.Rules, ar)
			case *rules.RecordingRule:
				if kind == "alert" {
					continue
				}
				ag.Rules = append(ag.Rules, apiRecordingRule{
					Name:           rule.Name(),
					Query:          rule.Query().String(),
					Labels:         labelMap(rule.Labels()),
					Health:         string(rule.Health()),
					LastError:      lastErr,
					EvaluationTime: rule.GetEvaluationDuration().Seconds(),
					LastEvaluation: rule.GetEvaluationTimestamp(),
					Type:           "recording",
				})
			}
		}
		if kind != "" && len(ag.Rules) == 0 {
			continue
		}
		groups = append(groups, ag)
	}
	writeAPISuccess(w, map[string]any{"groups": groups})
}

// labelMap returns ls as a map, never nil, so that it encodes as {}.
func labelMap(ls labels.Labels) map[string]string {
	m := ls.Map()
	if m == nil {
		m = map[string]string{}
	}
	return m
}

// writeAPISuccess writes data in the Prometheus API's success envelope.
func writeAPISuccess(w http.ResponseWriter, data any) {
	writeAPIJSON(w, http.StatusOK, map[string]any{"status": "success", "data": data})
}

// writeAPIError writes the Prometheus API's error envelope.
func writeAPIError(w http.ResponseWriter, status int, errorType, msg string) {
	writeAPIJSON(w, status, map[string]any{"status": "error", "errorType": errorType, "error": msg})
}

func writeAPIJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package http

import (
	"net/http"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// route is one operation of the REST API: a method and a ServeMux path
// pattern. The table of routes is the single source for the mux, for the
// 405 answers' Allow header and for the test that holds the OpenAPI
// document to what is served.
type route struct {
	method  string
	pattern string
	handler http.HandlerFunc
}

// apiRoutes lists every operation under /api/v1.
func (s *Server) apiRoutes() []route {
	return append([]route{
		{http.MethodGet, "/api/v1/miners", s.handleListMiners},
		{http.MethodPost, "/api/v1/miners", s.handleCreateMiner},
		{http.MethodGet, "/api/v1/miners/{id}", s.handleGetMiner},
		{http.MethodDelete, "/api/v1/miners/{id}", s.handleDeleteMiner},
		{http.MethodGet, "/api/v1/miners/{id}/logs", s.handleMinerLogs},
		{http.MethodGet, "/api/v1/miners/{id}/diagnostics", s.handleMinerDiagnostics},
		{http.MethodGet, "/api/v1/fleet", s.handleFleet},
		{http.MethodPost, "/api/v1/actions", s.handleAction},
		{http.MethodGet, "/api/v1/audit", s.handleAudit},
		{http.MethodGet, "/api/v1/credentials", s.handleListCredentials},
		{http.MethodPut, "/api/v1/credentials", s.handleSetCredential},
		{http.MethodDelete, "/api/v1/credentials", s.handleDeleteCredential},
		{http.MethodGet, "/api/v1/sites", s.handleListSites},
		{http.MethodPost, "/api/v1/sites", s.handleCreateSite},
		{http.MethodGet, "/api/v1/sites/{name}", s.handleGetSite},
		{http.MethodPut, "/api/v1/sites/{name}", s.handleUpdateSite},
		{http.MethodDelete, "/api/v1/sites/{name}", s.handleDeleteSite},
		{http.MethodGet, "/api/v1/groups", s.handleListGroups},
		{http.MethodPost, "/api/v1/groups", s.handleCreateGroup},
		{http.MethodGet, "/api/v1/groups/{name}", s.handleGetGroup},
		{http.MethodPut, "/api/v1/groups/{name}", s.handleUpdateGroup},
		{http.MethodDelete, "/api/v1/groups/{name}", s.handleDeleteGroup},
		{http.MethodPost, "/api/v1/groups/{name}/members", s.handleAddGroupMembers},
		{http.MethodDelete, "/api/v1/groups/{name}/members", s.handleRemoveGroupMembers},
		{http.MethodGet, "/api/v1/positions", s.handleExportPositions},
		{http.MethodPost, "/api/v1/positions", s.handleImportPositions},
		{http.MethodGet, "/api/v1/desired", s.handleListDesired},
		{http.MethodPut, "/api/v1/desired", s.handleSetDesired},
		{http.MethodDelete, "/api/v1/desired", s.handleDeleteDesired},
		{http.MethodGet, "/api/v1/drift", s.handleDrift},
		{http.MethodGet, "/api/v1/schedules", s.handleListSchedules},
		{http.MethodPost, "/api/v1/schedules", s.handleCreateSchedule},
		{http.MethodGet, "/api/v1/schedules/{id}", s.handleGetSchedule},
		{http.MethodPut, "/api/v1/schedules/{id}", s.handleUpdateSchedule},
		{http.MethodDelete, "/api/v1/schedules/{id}", s.handleDeleteSchedule},
		{http.MethodGet, "/api/v1/power", s.handlePower},
		{http.MethodGet, "/api/v1/power/requests", s.handleListPowerRequests},
		{http.MethodPost, "/api/v1/power/requests", s.handleCreateOverride},
		{http.MethodDelete, "/api/v1/power/requests", s.handleDeletePowerRequest},
		{http.MethodPost, "/api/v1/power/signal", s.handlePowerSignal},
		{http.MethodGet, "/api/v1/power/programs", s.handleListPrograms},
		{http.MethodGet, "/api/v1/power/programs/{name}", s.handleGetProgram},
		{http.MethodPut, "/api/v1/power/programs/{name}", s.handleSetProgram},
		{http.MethodDelete, "/api/v1/power/programs/{name}", s.handleDeleteProgram},
		{http.MethodPost, "/api/v1/aggregate/report", s.handleAggregateReport},
		{http.MethodGet, "/api/v1/aggregate/children", s.handleAggregateChildren},
		{http.MethodGet, "/api/v1/profiles", s.handleListProfiles},
		{http.MethodPost, "/api/v1/profiles", s.handleCreateProfile},
		{http.MethodGet, "/api/v1/profiles/{name}", s.handleGetProfile},
		{http.MethodPut, "/api/v1/profiles/{name}", s.handleSetProfile},
		{http.MethodDelete, "/api/v1/profiles/{name}", s.handleDeleteProfile},
		{http.MethodGet, "/api/v1/receivers", s.handleListReceivers},
		{http.MethodGet, "/api/v1/receivers/{name}", s.handleGetReceiver},
		{http.MethodPut, "/api/v1/receivers/{name}", s.handleSetReceiver},
		{http.MethodDelete, "/api/v1/receivers/{name}", s.handleDeleteReceiver},
		{http.MethodGet, "/api/v1/silences", s.handleListSilences},
		{http.MethodPost, "/api/v1/silences", s.handleCreateSilence},
		{http.MethodDelete, "/api/v1/silences/{id}", s.handleDeleteSilence},
		{http.MethodGet, "/api/v1/alerts", s.handleActiveAlerts},
		{http.MethodGet, "/api/v1/alerts/history", s.handleAlertHistory},
		{http.MethodGet, "/api/v1/status", s.handleStatus},
		{http.MethodPost, "/api/v1/alerts/ack", s.handleAckAlerts},
		{http.MethodGet, "/api/v1/maintenance", s.handleMaintenance},
		{http.MethodGet, "/api/v1/openapi.json", s.handleOpenAPI},
		{http.MethodGet, "/api/v1/grafana/dashboard.json", s.handleGrafanaDashboard},
	}, append(s.ruleRoutes(), s.planRoutes()...)...)
}

// apiHandler serves /api/. Besides the routes it answers, in JSON like the
// rest of the API, 405 for a known path with another method and 404 for any
// other path, so that a client never has to parse a plain-text error.
func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	methods := map[string][]string{}
	var patterns []string
	for _, rt := range s.apiRoutes() {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.handler)
		if _, seen := methods[rt.pattern]; !seen {
			patterns = append(patterns, rt.pattern)
		}
		methods[rt.pattern] = append(methods[rt.pattern], rt.method)
	}
	// A pattern without a method is less specific than the same pattern
	// with one, so it catches exactly the methods not registered above.
	for _, p := range patterns {
		mux.Handle(p, methodNotAllowed(methods[p]))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeErrorResponse(w, http.StatusNotFound, hearth.ENOTFOUND, "No API endpoint at "+r.URL.Path+".")
	})
	return mux
}

// methodNotAllowed answers 405 with the Allow header listing methods (and
// HEAD wherever GET is allowed, as ServeMux serves it).
func methodNotAllowed(methods []string) http.Handler {
	allowed := slices.Clone(methods)
	if slices.Contains(allowed, http.MethodGet) {
		allowed = append(allowed, http.MethodHead)
	}
	slices.Sort(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeErrorResponse(w, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			"Method "+r.Method+" is not allowed here; use "+allow+".")
	})
}

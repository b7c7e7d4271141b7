package http

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// Codes of errors the HTTP layer produces itself, for situations that have no
// hearth error code because they concern HTTP rather than the domain.
const (
	// codeMethodNotAllowed accompanies a 405: the path exists, the method
	// does not.
	codeMethodNotAllowed = "method_not_allowed"
	// codeRequestTooLarge accompanies a 413: the request body exceeded
	// maxRequestBody. hearth.ETOOLARGE is about miners' replies and maps to
	// 502, so the request case gets a code of its own.
	codeRequestTooLarge = "request_too_large"
)

// errorResponse is the body of every error the API returns. Code is the
// hearth error code, so that clients branch on it rather than on the text.
type errorResponse struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// statusOf maps a hearth error code to the HTTP status that tells a client
// the same thing.
//
// The miner-side codes (ETIMEOUT, EUNAVAILABLE, EPROTOCOL, ETOOLARGE, EAUTH)
// describe a failure of a machine hearth talked to on the client's behalf,
// so they are gateway errors (502, or 504 for a timeout) rather than faults
// of the request. EUNSUPPORTED is 422: the request was well formed but the
// miner or its driver cannot do it.
func statusOf(code string) int {
	switch code {
	case hearth.EINVALID:
		return http.StatusBadRequest
	case hearth.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case hearth.EFORBIDDEN:
		return http.StatusForbidden
	case hearth.ENOTFOUND:
		return http.StatusNotFound
	case hearth.ECONFLICT:
		return http.StatusConflict
	case hearth.EUNSUPPORTED:
		return http.StatusUnprocessableEntity
	case hearth.ETIMEOUT:
		return http.StatusGatewayTimeout
	case hearth.EUNAVAILABLE, hearth.EPROTOCOL, hearth.ETOOLARGE, hearth.EAUTH:
		return http.StatusBadGateway
	default:
		return http.StatusInternalServerError
	}
}

// writeError writes err as a JSON error response. Errors without a hearth code
// are internal: they are logged with the request and the client sees only
// a generic message, so that no internal detail (paths, SQL, addresses of
// other machines) leaks through the API.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := hearth.ErrorCode(err)
	status := statusOf(code)
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; there is nobody to answer and nothing to fix.
		s.logger().DebugContext(r.Context(), "request canceled", "method", r.Method, "path", r.URL.Path)
	case status >= 500:
		s.logger().ErrorContext(r.Context(), "request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "code", code, "err", err)
	}
	writeErrorResponse(w, status, code, hearth.ErrorMessage(err))
}

// writeErrorResponse writes a JSON error with an explicit status and code,
// for the HTTP-level errors that do not come from a hearth error.
func writeErrorResponse(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorResponse{Error: message, Code: code})
}

// writeJSON writes v as the JSON body of a response with the given status.
// Encoding errors after the header is sent cannot be reported to the client;
// they only mean the connection broke, so they are dropped.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// logger returns the configured logger, or one that discards everything so
// that a Server built in a test without a logger still works.
func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

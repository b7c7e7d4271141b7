package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// maxRequestBody caps a request body. Every body the API accepts is a small
// JSON object; the cap keeps a client from making the server buffer more.
const maxRequestBody = 64 << 10

// errRequestTooLarge marks a body over maxRequestBody, answered with 413.
var errRequestTooLarge = errors.New("request body too large")

// decodeJSON reads exactly one JSON value from the body of r into v. Unknown
// fields are refused, so that a misspelt field ("familly") is reported
// instead of silently ignored. Errors are EINVALID with a message that says
// what to fix, or errRequestTooLarge.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	var (
		extra   json.RawMessage
		sizeErr *http.MaxBytesError
	)
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
		return nil
	case errors.As(err, &sizeErr):
		return errRequestTooLarge
	default:
		return hearth.Errorf(hearth.EINVALID, "The request body must hold a single JSON object and nothing after it.")
	}
}

// jsonError turns a decoding error into one a client can act on.
func jsonError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		sizeErr   *http.MaxBytesError
	)
	switch {
	case errors.As(err, &sizeErr):
		return errRequestTooLarge
	case errors.Is(err, io.EOF):
		return hearth.Errorf(hearth.EINVALID, "The request body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hearth.Errorf(hearth.EINVALID, "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &syntaxErr):
		return hearth.Errorf(hearth.EINVALID, "The request body is not valid JSON at byte %d: %s.", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return hearth.Errorf(hearth.EINVALID, "The request body must be a JSON object, not %s.", typeErr.Value)
		}
		return hearth.Errorf(hearth.EINVALID, "Field %q must be %s, not %s.", typeErr.Field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return hearth.Errorf(hearth.EINVALID, "Unknown field %s in the request body.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return hearth.WrapError(hearth.EINVALID, err, "The request body is not valid JSON.")
	}
}

// jsonTypeName names a Go kind the way a JSON user would.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return fmt.Sprintf("of type %s", kind)
	}
}

// writeDecodeError answers a request whose body decodeJSON refused.
func (s *Server) writeDecodeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errRequestTooLarge) {
		writeErrorResponse(w, http.StatusRequestEntityTooLarge, codeRequestTooLarge,
			fmt.Sprintf("The request body exceeds %d bytes.", maxRequestBody))
		return
	}
	s.writeError(w, r, err)
}

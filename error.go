package hearth

import (
	"errors"
	"fmt"
)

// Error codes that callers branch on. They are few on purpose: each one
// changes what a caller does (retry, back off, tell the user, give up).
const (
	// EINVALID means the input was malformed; the caller must fix it.
	EINVALID = "invalid"
	// ENOTFOUND means the named thing does not exist.
	ENOTFOUND = "not_found"
	// ECONFLICT means the thing exists already or the change clashes with it.
	ECONFLICT = "conflict"
	// EUNAUTHORIZED means the request carried no valid credential.
	EUNAUTHORIZED = "unauthorized"
	// EFORBIDDEN means the credential is valid but may not do this.
	EFORBIDDEN = "forbidden"
	// EUNSUPPORTED means the miner's firmware or driver cannot do this.
	EUNSUPPORTED = "unsupported"
	// ETIMEOUT means a miner or service did not answer in time.
	ETIMEOUT = "timeout"
	// EUNAVAILABLE means a miner refused or dropped the connection.
	EUNAVAILABLE = "unavailable"
	// EPROTOCOL means a miner answered with bytes that could not be understood.
	EPROTOCOL = "protocol"
	// ETOOLARGE means a reply exceeded the size hearth accepts.
	ETOOLARGE = "too_large"
	// EAUTH means a miner rejected hearth's credentials.
	EAUTH = "auth"
	// EINTERNAL means a bug or an unexpected failure inside hearth.
	EINTERNAL = "internal"
)

// Error is an error with a code a caller can branch on and a message that is
// safe to show to a user. Err, when set, is the underlying cause; it is kept
// for logs and errors.Is, never shown through the API.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

// Unwrap returns the cause so that errors.Is and errors.As see through it.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the given code and message that keeps err
// as its cause.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic text for other errors so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

package cgminer

import (
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Status is the STATUS of a reply: whether the miner did what was asked,
// and its message.
type Status struct {
	// Status is the status word: "S" success, "I" info, "W" warning,
	// "E" error, "F" fatal, or "RESTART"/"BYE" for restart and quit. It is
	// empty for replies that carry a numeric code only (Whatsminer API v3).
	Status string
	// Code is cgminer's message number (11 Summary, 14 Invalid command, 45
	// Access denied …), or the numeric result code of the reply.
	Code int64
	// Msg and Description are the miner's words.
	Msg         string
	Description string
	// When is the miner's clock at the request, in Unix seconds.
	When int64
}

// OK reports whether the status means success: S or I (cgminer), RESTART
// or BYE (restart and quit), or code 0 for a reply with a code only.
func (s Status) OK() bool {
	switch strings.ToUpper(s.Status) {
	case "S", "I", "RESTART", "BYE":
		return true
	case "":
		return s.Code == 0
	}
	return false
}

// Status returns the reply's status. cgminer writes it in three shapes,
// all accepted:
//
//   - an array holding one object: {"STATUS":[{"STATUS":"S","Code":11,…}]};
//   - a string, with Code and Msg beside it: {"STATUS":"E","Code":14,…}
//     (Whatsminer) or {"STATUS":"RESTART"} (restart, quit);
//   - no STATUS but a numeric "code" and "msg" (Whatsminer API v3).
//
// ok is false when the reply has none of them.
func (d *Document) Status() (s Status, ok bool) {
	root := d.Root().Object()
	v, found := root.Get("STATUS")
	switch {
	case found && v.Kind() == KindArray:
		return statusOf(v.Array().Object(0)), true
	case found && v.Kind() == KindObject:
		return statusOf(v.Object()), true
	case found && v.Kind() == KindString:
		s = statusOf(root)
		s.Status = v.Text()
		return s, true
	}
	if code, found := root.Get("code"); found {
		s.Code, _ = code.Int()
		s.Msg = root.String("msg")
		s.When = root.Int("when")
		return s, true
	}
	return Status{}, false
}

func statusOf(o Object) Status {
	return Status{
		Status:      o.String("STATUS"),
		Code:        o.Int("Code"),
		Msg:         o.String("Msg"),
		Description: o.String("Description"),
		When:        o.Int("When"),
	}
}

// Check returns nil when the reply's status is OK. Otherwise it returns a
// hearth error whose message is the miner's, wrapping a *StatusError:
// EUNSUPPORTED for an unknown or refused command (the firmware cannot do
// this), EAUTH for cgminer's "Access denied" (code 45, the API allow list),
// and EPROTOCOL for a reply without any status.
func (d *Document) Check(command string) error {
	// Fast path for the usual success, without building a Status.
	if v, _ := d.Root().Object().Get("STATUS"); v.Kind() == KindArray {
		if letter, _ := v.Array().Object(0).Get("STATUS"); letter.Kind() == KindString {
			if raw := letter.Raw(); len(raw) == 1 && (raw[0] == 'S' || raw[0] == 'I') {
				return nil
			}
		}
	}
	s, ok := d.Status()
	if !ok {
		return hearthError(hearth.EPROTOCOL, nil, "Miner's reply to %q has no STATUS.", command)
	}
	if s.OK() {
		return nil
	}
	code := hearth.EUNSUPPORTED
	if s.Code == codeAccessDenied && s.Status != "" {
		code = hearth.EAUTH
	}
	msg := s.Msg
	if msg == "" {
		msg = "no message"
	}
	return hearthError(code, &StatusError{Command: command, Status: s},
		"Miner refused %q: %s (status %s, code %d).", command, printable(msg, 120), printable(s.Status, 8), s.Code)
}

// codeAccessDenied is cgminer's MSG_ACCDENY, "Access denied to '%s'
// command".
const codeAccessDenied = 45

// StatusError is a reply whose STATUS is not OK. It is the cause inside the
// hearth error that Check returns, for callers that branch on the miner's
// own code (errors.As).
type StatusError struct {
	Command string
	Status  Status
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("cgminer %s: status %q code %d: %s", e.Command, e.Status.Status, e.Status.Code, e.Status.Msg)
}

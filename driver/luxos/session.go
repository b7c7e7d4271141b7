package luxos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// codeSessionActive is LuxOS's STATUS code for a logon refused because
// another client holds the miner's only session ("Another session is
// active").
const codeSessionActive = 402

// logoffTimeout bounds the logoff that ends every session, which runs even
// when the caller's context is already done: a session left open locks
// every other client out of the miner.
const logoffTimeout = 3 * time.Second

// maxSessionID bounds a session id taken from a reply; it goes back into
// every privileged request, which cgminer reads with one 4095-byte recv.
const maxSessionID = 128

// session is an open LuxOS session: privileged commands carry its id as
// the first comma-separated element of their parameter.
type session struct {
	rpc  *cgminer.Client
	addr string
	id   string
}

// withSession opens a session on t, runs fn with it and always logs off.
// When another client holds the session, LuxOS refuses the logon (code
// 402); the driver then asks for the active session and works in it, as
// pyasic does, and logs it off too, since a miner has only one. A failed
// logoff is an error unless the verb restarts the firmware (restarts),
// which ends the session anyway.
func (d *Driver) withSession(ctx context.Context, t hearth.Target, restarts bool, fn func(s *session) error) (err error) {
	addr := rpcAddr(t)
	s, err := d.logon(ctx, addr)
	if err != nil {
		return err
	}
	defer func() {
		lerr := s.logoff(ctx)
		if err == nil && lerr != nil && !restarts {
			err = lerr
		}
	}()
	return fn(s)
}

// logon opens a session on the miner at addr, or joins the active one.
func (d *Driver) logon(ctx context.Context, addr string) (*session, error) {
	reply, err := d.RPC.Command(ctx, addr, "logon", "")
	if err == nil {
		id, err := sessionID(&reply.Document)
		if err != nil {
			return nil, fmt.Errorf("logon %s: %w", addr, err)
		}
		return &session{rpc: &d.RPC, addr: addr, id: id}, nil
	}
	var se *cgminer.StatusError
	if !errors.As(err, &se) || se.Status.Code != codeSessionActive {
		return nil, fmt.Errorf("logon: %w", err)
	}
	active, serr := d.RPC.Command(ctx, addr, "session", "")
	if serr != nil {
		return nil, hearth.WrapError(hearth.ECONFLICT, serr, "Another client holds the miner's session at %s.", addr)
	}
	id, serr := sessionID(&active.Document)
	if serr != nil {
		return nil, hearth.WrapError(hearth.ECONFLICT, err, "Another client holds the miner's session at %s.", addr)
	}
	return &session{rpc: &d.RPC, addr: addr, id: id}, nil
}

// sessionID reads SESSION[0].SessionID from a logon or session reply. An
// empty id means no session; an id that could not be sent back as the
// first element of a parameter is a protocol error.
func sessionID(doc *cgminer.Document) (string, error) {
	id := doc.First("SESSION").String("SessionID")
	switch {
	case id == "":
		return "", hearth.Errorf(hearth.EPROTOCOL, "Miner gave no session id.")
	case len(id) > maxSessionID || strings.ContainsAny(id, ",|\\\"") || cleanText(id, maxSessionID) != id:
		return "", hearth.Errorf(hearth.EPROTOCOL, "Miner gave an unusable session id.")
	}
	return id, nil
}

// command sends a privileged command with the session id before args.
func (s *session) command(ctx context.Context, command string, args ...string) (*cgminer.Reply, error) {
	parameter := strings.Join(append([]string{s.id}, args...), ",")
	reply, err := s.rpc.Command(ctx, s.addr, command, parameter)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return reply, nil
}

// logoff ends the session, even after ctx is done, within logoffTimeout.
func (s *session) logoff(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoffTimeout)
	defer cancel()
	if _, err := s.rpc.Command(ctx, s.addr, "logoff", s.id); err != nil {
		return fmt.Errorf("logoff: %w", err)
	}
	return nil
}

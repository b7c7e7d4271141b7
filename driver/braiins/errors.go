package braiins

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hearth-fleet/hearth"
)

// rpcError turns a failed gRPC call into a hearth error whose code the
// poller can branch on. The miner's own status message is kept, made
// printable and short, because it is often the only explanation (a
// power target out of range, a wrong password).
func rpcError(ctx context.Context, addr, method string, err error) error {
	if err == nil {
		return nil
	}
	var he *hearth.Error
	if errors.As(err, &he) {
		return err
	}
	st := status.Convert(err)
	msg := cleanText(st.Message(), 200)
	name := shortMethod(method)
	code := st.Code()
	if code == codes.Canceled && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		code = codes.DeadlineExceeded
	}
	switch code {
	case codes.DeadlineExceeded:
		return hearth.WrapError(hearth.ETIMEOUT, err, "Braiins OS at %s did not answer %s in time.", addr, name)
	case codes.ResourceExhausted:
		return hearth.WrapError(hearth.ETOOLARGE, err, "Braiins OS at %s sent a %s reply larger than hearth accepts (%d bytes).", addr, name, MaxReplySize)
	case codes.Unauthenticated, codes.PermissionDenied:
		return hearth.WrapError(hearth.EAUTH, err, "Braiins OS at %s refused hearth's credentials for %s: %s", addr, name, msg)
	case codes.Unimplemented:
		return hearth.WrapError(hearth.EUNSUPPORTED, err, "Braiins OS at %s does not implement %s.", addr, name)
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return hearth.WrapError(hearth.EINVALID, err, "Braiins OS at %s rejected %s: %s", addr, name, msg)
	case codes.Internal, codes.Unknown, codes.DataLoss:
		return hearth.WrapError(hearth.EPROTOCOL, err, "Braiins OS at %s answered %s with something other than its gRPC API: %s", addr, name, msg)
	case codes.Unavailable:
		if looksLikeGarbage(msg) {
			return hearth.WrapError(hearth.EPROTOCOL, err, "Braiins OS at %s does not speak gRPC (HTTP/2) on its API port: %s", addr, msg)
		}
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Braiins OS at %s is unreachable for %s: %s", addr, name, msg)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, err, "Braiins OS at %s failed %s: %s", addr, name, msg)
}

// looksLikeGarbage tells a peer that answered bytes which are not HTTP/2
// (grpc-go reports it as Unavailable) from one that refused or dropped
// the connection. A drop while grpc-go waits for the server preface
// ("error reading server preface: connection reset by peer", "…: EOF")
// is a miner going down or unreachable, not garbage.
func looksLikeGarbage(msg string) bool {
	for _, s := range []string{"connection reset", "broken pipe", "connection refused", ": EOF", "use of closed"} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	for _, s := range []string{"http2", "frame", "preface", "malformed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// decodeError is the error of a reply whose bytes did not decode.
func decodeError(addr, method string, err error) error {
	return hearth.WrapError(hearth.EPROTOCOL, err, "Braiins OS at %s sent a %s reply that is not valid protobuf.", addr, shortMethod(method))
}

// shortMethod returns "Service/Method" of a full gRPC method name.
func shortMethod(method string) string {
	if i := strings.LastIndexByte(method, '.'); i >= 0 {
		return method[i+1:]
	}
	return strings.TrimPrefix(method, "/")
}

package braiins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// logTypeBosminer is LogType LOG_TYPE_BOSMINER (miner.proto): the mining
// process's log, where hash boards, pools, the tuner and their faults
// are reported.
const logTypeBosminer = 2

// logSource names where FetchLogs reads, so that a user can fetch the
// same log by hand.
const logSource = "gRPC MinerService/GetLog (LOG_TYPE_BOSMINER)"

// logRequest encodes GetLogRequest{log_type = 1}.
func logRequest(logType uint64) []byte {
	return appendUint(nil, 1, logType)
}

// decodeLogChunk reads GetLogResponse{bytes chunk_data = 1} and returns
// the chunk; several chunk_data fields (which a protobuf decoder would
// merge to the last) yield the last one. A malformed message yields no
// chunk, never part of one.
func decodeLogChunk(b []byte) ([]byte, error) {
	var chunk []byte
	err := walk(b, func(f field) {
		if f.num == 1 && f.typ == protowire.BytesType {
			chunk = f.data
		}
	})
	if err != nil {
		return nil, err
	}
	return chunk, nil
}

// FetchLogs reads bosminer's log over the server-streaming
// MinerService/GetLog{LOG_TYPE_BOSMINER}, joining its chunks up to
// hearth.MaxLogSize; a longer log is cut there and marked Truncated, and
// the stream is abandoned. The whole download is bound by the driver's
// Timeout and ctx.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	addr := apiAddr(t)
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	s, err := d.acquire(addr)
	if err != nil {
		return nil, err
	}
	defer d.release(s)
	token, err := s.login(ctx, t.Credentials, "")
	if err != nil {
		return nil, fmt.Errorf("braiins logs %s: %w", t.Address, err)
	}
	r, err := s.openLog(ctx, token)
	if status.Code(err) == codes.Unauthenticated {
		if token, err = s.login(ctx, t.Credentials, token); err != nil {
			return nil, fmt.Errorf("braiins logs %s: %w", t.Address, err)
		}
		r, err = s.openLog(ctx, token)
	}
	if err != nil {
		return nil, fmt.Errorf("braiins logs %s: %w", t.Address, rpcError(ctx, addr, methodGetLog, err))
	}
	s.touch()
	log, err := web.ReadLog(ctx, r, logSource, time.Now())
	if r.err != nil {
		// The reader's own error says more than ReadLog's wrapping.
		err = r.err
	}
	if err != nil {
		return nil, fmt.Errorf("braiins logs %s: %w", t.Address, err)
	}
	return log, nil
}

// openLog starts GetLog and reads its first message, so that a refused
// token shows as the call's error (the server answers UNAUTHENTICATED
// before any chunk) and can be retried with a new login.
func (s *session) openLog(ctx context.Context, token string) (*logReader, error) {
	ctx = withToken(ctx, token)
	stream, err := s.cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, methodGetLog)
	if err != nil {
		return nil, err
	}
	if err := stream.SendMsg(logRequest(logTypeBosminer)); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := stream.CloseSend(); err != nil {
		return nil, err
	}
	r := &logReader{ctx: ctx, addr: s.addr, stream: stream}
	if err := r.next(); err != nil && !errors.Is(err, io.EOF) {
		if r.err != nil {
			return nil, r.err
		}
		return nil, err
	}
	return r, nil
}

// logReader reads the chunks of a GetLog stream as one byte stream.
type logReader struct {
	ctx    context.Context
	addr   string
	stream grpc.ClientStream
	// chunk is what is left of the last chunk; done is set at the end
	// of the stream.
	chunk []byte
	done  bool
	// err is a hearth error of the stream (a failed call or a chunk
	// that does not decode), kept so that FetchLogs reports it as it is.
	err error
}

// next receives the next message of the stream into r.chunk. It returns
// io.EOF at the end of the stream, the call's raw gRPC error when it
// fails, and sets r.err to the hearth error of either failure.
func (r *logReader) next() error {
	var raw []byte
	if err := r.stream.RecvMsg(&raw); err != nil {
		r.done = true
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		r.err = rpcError(r.ctx, r.addr, methodGetLog, err)
		return err
	}
	chunk, err := decodeLogChunk(raw)
	if err != nil {
		r.done = true
		r.err = decodeError(r.addr, methodGetLog, err)
		return r.err
	}
	r.chunk = chunk
	return nil
}

// Read implements io.Reader over the chunks.
func (r *logReader) Read(p []byte) (int, error) {
	for len(r.chunk) == 0 {
		if r.done {
			if r.err != nil {
				return 0, r.err
			}
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, r.err
		}
	}
	n := copy(p, r.chunk)
	r.chunk = r.chunk[n:]
	return n, nil
}

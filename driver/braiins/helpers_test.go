package braiins_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/braiins"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

// bytesCodec is the fake miner's codec: requests and replies as raw
// protobuf bytes, which the tests check and build themselves.
type bytesCodec struct{}

var _ encoding.CodecV2 = bytesCodec{}

func (bytesCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}

func (bytesCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*[]byte) = data.Materialize()
	return nil
}

func (bytesCodec) Name() string { return "proto" }

// request is one call the fake miner received.
type request struct {
	Method      string
	Body        []byte
	Token       string // the authorization metadata, "" when absent
	ContentType string
}

// handlerFunc answers one authenticated call.
type handlerFunc func(ctx context.Context, body []byte) ([]byte, error)

// fakeBOS is a Braiins OS gRPC API: AuthenticationService/Login with
// real token checks, and a reply (or handler) per method for the rest.
type fakeBOS struct {
	tb   testing.TB
	Addr string
	srv  *grpc.Server

	mu       sync.Mutex
	users    map[string]string // user → password the miner accepts
	tokens   map[string]bool   // tokens it honours
	life     uint32            // timeout_s it announces
	legacy   bool              // token in the "authorization" response header only
	next     int
	requests []request
	handlers map[string]handlerFunc
	streams  map[string]streamFunc
}

// streamFunc answers one authenticated server-streaming call with its
// messages in order, then ends the stream with the error, if any.
type streamFunc func(ctx context.Context, body []byte) ([][]byte, error)

const (
	svc = "/braiins.bos.v1."
)

// newFakeBOS starts a fake miner that accepts root/root and answers
// every read with the BOS 25.07 fixtures.
func newFakeBOS(tb testing.TB) *fakeBOS {
	tb.Helper()
	f := &fakeBOS{
		tb:       tb,
		users:    map[string]string{"root": "root"},
		tokens:   map[string]bool{},
		life:     3600,
		handlers: map[string]handlerFunc{},
		streams:  map[string]streamFunc{},
	}
	f.Reply(svc+"MinerService/GetMinerDetails", braiins.EncodeFixture(tb, "GetMinerDetailsResponse", "miner_details.json"))
	f.Reply(svc+"MinerService/GetMinerStats", braiins.EncodeFixture(tb, "GetMinerStatsResponse", "miner_stats.json"))
	f.Reply(svc+"MinerService/GetHashboards", braiins.EncodeFixture(tb, "GetHashboardsResponse", "miner_hw_hashboards.json"))
	f.Reply(svc+"CoolingService/GetCoolingState", braiins.EncodeFixture(tb, "GetCoolingStateResponse", "cooling_state.json"))
	f.Reply(svc+"PoolService/GetPoolGroups", braiins.EncodeFixture(tb, "GetPoolGroupsResponse", "pools.json"))
	f.Reply(svc+"PerformanceService/GetTunerState", braiins.EncodeFixture(tb, "GetTunerStateResponse", "performance_tuner_state.json"))
	for _, m := range []string{"Reboot", "Restart", "PauseMining", "ResumeMining"} {
		f.Reply(svc+"ActionsService/"+m, nil)
	}
	// Setters echo what they applied, as BOS does.
	f.Handle(svc+"ActionsService/SetLocateDeviceStatus", echo)
	f.Handle(svc+"PerformanceService/SetPowerTarget", func(_ context.Context, body []byte) ([]byte, error) {
		return fieldOf(body, 2), nil // SetPowerTargetResponse{power_target = 1} has the request's field 2 as field 1
	})
	f.Reply(svc+"PoolService/SetPoolGroups", nil)
	f.Reply(svc+"CoolingService/SetCoolingMode", nil)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f.Addr = lis.Addr().String()
	f.srv = grpc.NewServer(grpc.ForceServerCodecV2(bytesCodec{}), grpc.UnknownServiceHandler(f.handle))
	go f.srv.Serve(lis)
	tb.Cleanup(f.srv.Stop)
	return f
}

// echo answers with the request (SetLocateDeviceStatusRequest{enable = 1}
// becomes LocateDeviceStatusResponse{enabled = 1}).
func echo(_ context.Context, body []byte) ([]byte, error) { return body, nil }

// fieldOf returns field num of message b re-encoded as field 1, or nil.
func fieldOf(b []byte, num protowire.Number) []byte {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return nil
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return nil
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b)
			out := protowire.AppendTag(nil, 1, protowire.BytesType)
			return protowire.AppendBytes(out, v)
		}
		b = b[l:]
	}
	return nil
}

// Reply makes method answer with reply.
func (f *fakeBOS) Reply(method string, reply []byte) {
	f.Handle(method, func(context.Context, []byte) ([]byte, error) { return reply, nil })
}

// Handle makes method answer with h.
func (f *fakeBOS) Handle(method string, h handlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[method] = h
}

// HandleStream answers the server-streaming method with h.
func (f *fakeBOS) HandleStream(method string, h streamFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streams[method] = h
}

// Requests returns the calls received so far.
func (f *fakeBOS) Requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// Calls returns the calls of method received so far.
func (f *fakeBOS) Calls(method string) []request {
	var out []request
	for _, r := range f.Requests() {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// SetUsers replaces the credentials the miner accepts.
func (f *fakeBOS) SetUsers(users map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = users
}

// SetTokenLife sets the timeout_s the miner announces at login.
func (f *fakeBOS) SetTokenLife(seconds uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.life = seconds
}

// SetLegacyLogin makes Login send its token only in the
// "authorization" response header, as early BOS did.
func (f *fakeBOS) SetLegacyLogin(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.legacy = on
}

// DropTokens forgets every token, as a rebooted miner does.
func (f *fakeBOS) DropTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

func (f *fakeBOS) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	var body []byte
	if err := stream.RecvMsg(&body); err != nil {
		return err
	}
	md, _ := metadata.FromIncomingContext(stream.Context())
	r := request{Method: method, Body: body}
	if v := md.Get("authorization"); len(v) > 0 {
		r.Token = v[0]
	}
	if v := md.Get("content-type"); len(v) > 0 {
		r.ContentType = v[0]
	}
	f.mu.Lock()
	f.requests = append(f.requests, r)
	h, known := f.handlers[method]
	sh, streaming := f.streams[method]
	authorised := f.tokens[r.Token]
	f.mu.Unlock()

	if method == svc+"AuthenticationService/Login" {
		reply, err := f.login(body)
		if err != nil {
			return err
		}
		f.mu.Lock()
		legacy := f.legacy
		f.mu.Unlock()
		if legacy {
			token, _ := protowire.ConsumeString(reply[1:])
			if err := stream.SetHeader(metadata.Pairs("authorization", token)); err != nil {
				return err
			}
			reply = nil
		}
		return stream.SendMsg(reply)
	}
	if !authorised {
		return status.Error(codes.Unauthenticated, "invalid token")
	}
	if streaming {
		msgs, err := sh(stream.Context(), body)
		for _, m := range msgs {
			if err := stream.SendMsg(m); err != nil {
				return err
			}
		}
		return err
	}
	if !known {
		return status.Errorf(codes.Unimplemented, "unknown method %s", method)
	}
	reply, err := h(stream.Context(), body)
	if err != nil {
		return err
	}
	return stream.SendMsg(reply)
}

// login checks LoginRequest{username = 1, password = 2} and answers
// LoginResponse{token = 1, timeout_s = 2}.
func (f *fakeBOS) login(body []byte) ([]byte, error) {
	var user, password string
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 || typ != protowire.BytesType {
			return nil, status.Error(codes.InvalidArgument, "bad LoginRequest")
		}
		body = body[n:]
		v, n := protowire.ConsumeString(body)
		if n < 0 {
			return nil, status.Error(codes.InvalidArgument, "bad LoginRequest")
		}
		body = body[n:]
		switch num {
		case 1:
			user = v
		case 2:
			password = v
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if want, ok := f.users[user]; !ok || want != password {
		return nil, status.Error(codes.Unauthenticated, "wrong username or password")
	}
	f.next++
	token := "tok" + strconv.Itoa(f.next)
	f.tokens[token] = true
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendString(b, token)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(f.life)), nil
}

// target returns where the driver finds f, with rpc as the
// cgminer-compatible RPC address ("" for an unused port).
func (f *fakeBOS) target(tb testing.TB, rpc string) hearth.Target {
	tb.Helper()
	host, port := split(tb, f.Addr)
	t := hearth.Target{Address: host, APIPort: port}
	if rpc != "" {
		h, p := split(tb, rpc)
		if h != host {
			tb.Fatalf("RPC on %s, API on %s", h, host)
		}
		t.Port = p
	}
	return t
}

func split(tb testing.TB, addr string) (string, int) {
	tb.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// newDriver returns a driver whose connections are closed at the end of
// the test.
func newDriver(tb testing.TB) *braiins.Driver {
	d := braiins.New()
	d.Timeout = 2 * time.Second
	tb.Cleanup(func() { d.Close() })
	return d
}

// rpcServer starts a cgminer-compatible RPC answering version with the
// testdata file name.
func rpcServer(tb testing.TB, name string) *cgminertest.Server {
	tb.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{"version": compact(raw)}))
	tb.Cleanup(srv.Close)
	return srv
}

func compact(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		panic(err)
	}
	return out.Bytes()
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if hearth.ErrorCode(err) != code {
		tb.Fatalf("error %v (code %q), want code %q", err, hearth.ErrorCode(err), code)
	}
}

func near(got, want float64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	return d <= 1e-6*max(1, want)
}

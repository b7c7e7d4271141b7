package sim_test

import (
	"context"
	"errors"
	"math"
	"net"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth/sim"
)

// A minimal Braiins OS gRPC client for the simulator's tests: a raw codec
// sends hand-encoded request bytes and returns reply bytes, which pbView
// reads by field number from braiins/bos-plus-api's .proto files.

type testRawCodec struct{}

func (testRawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (testRawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (testRawCodec) Name() string { return "proto" }

// bosClient is a connection to one simulated Braiins miner's gRPC API.
type bosClient struct {
	t     testing.TB
	conn  *grpc.ClientConn
	token string
}

func dialBOS(t testing.TB, mi sim.MinerInfo) *bosClient {
	t.Helper()
	addr := net.JoinHostPort(mi.Address.String(), strconv.Itoa(mi.APIPort))
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(testRawCodec{})))
	if err != nil {
		t.Fatalf("grpc client %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &bosClient{t: t, conn: conn}
}

// call invokes method with req and the session token, if any.
func (c *bosClient) call(method string, req []byte) ([]byte, metadata.MD, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", c.token)
	}
	if req == nil {
		req = []byte{}
	}
	var reply []byte
	var header metadata.MD
	err := c.conn.Invoke(ctx, method, &req, &reply, grpc.Header(&header))
	return reply, header, err
}

// must invokes method and fails the test on an error.
func (c *bosClient) must(method string, req []byte) pbView {
	c.t.Helper()
	reply, _, err := c.call(method, req)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	v, err := parseView(reply)
	if err != nil {
		c.t.Fatalf("%s: reply does not parse: %v", method, err)
	}
	return v
}

// login logs in as root/root and keeps the token.
func (c *bosClient) login() pbView {
	c.t.Helper()
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, "root")
	req = protowire.AppendTag(req, 2, protowire.BytesType)
	req = protowire.AppendString(req, "root")
	reply, header, err := c.call(bosLogin, req)
	if err != nil {
		c.t.Fatalf("login: %v", err)
	}
	v, err := parseView(reply)
	if err != nil {
		c.t.Fatalf("login reply: %v", err)
	}
	c.token = v.str(1)
	if h := header.Get("authorization"); len(h) != 1 || h[0] != c.token {
		c.t.Errorf("authorization header %q, want the token %q", h, c.token)
	}
	return v
}

// Full method names of the gRPC API.
const (
	bosVersion      = "/braiins.bos.ApiVersionService/GetApiVersion"
	bosLogin        = "/braiins.bos.v1.AuthenticationService/Login"
	bosDetails      = "/braiins.bos.v1.MinerService/GetMinerDetails"
	bosStats        = "/braiins.bos.v1.MinerService/GetMinerStats"
	bosHashboards   = "/braiins.bos.v1.MinerService/GetHashboards"
	bosCooling      = "/braiins.bos.v1.CoolingService/GetCoolingState"
	bosGetPools     = "/braiins.bos.v1.PoolService/GetPoolGroups"
	bosSetPools     = "/braiins.bos.v1.PoolService/SetPoolGroups"
	bosReboot       = "/braiins.bos.v1.ActionsService/Reboot"
	bosRestart      = "/braiins.bos.v1.ActionsService/Restart"
	bosPause        = "/braiins.bos.v1.ActionsService/PauseMining"
	bosResume       = "/braiins.bos.v1.ActionsService/ResumeMining"
	bosSetLocate    = "/braiins.bos.v1.ActionsService/SetLocateDeviceStatus"
	bosGetLocate    = "/braiins.bos.v1.ActionsService/GetLocateDeviceStatus"
	bosPowerTarget  = "/braiins.bos.v1.PerformanceService/SetPowerTarget"
	bosTunerState   = "/braiins.bos.v1.PerformanceService/GetTunerState"
	bosUnknownInSvc = "/braiins.bos.v1.MinerService/GetSupportArchive"
)

// pbView is a decoded message: its fields by number, in wire order.
type pbView map[protowire.Number][]pbValue

type pbValue struct {
	typ protowire.Type
	v   uint64
	b   []byte
}

func parseView(b []byte) (pbView, error) {
	out := pbView{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		val := pbValue{typ: typ}
		switch typ {
		case protowire.VarintType:
			val.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			val.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			val.b, n = protowire.ConsumeBytes(b)
		default:
			return nil, errors.New("unexpected wire type " + strconv.Itoa(int(typ)))
		}
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		out[num] = append(out[num], val)
	}
	return out, nil
}

func (v pbView) has(n protowire.Number) bool { return len(v[n]) > 0 }

func (v pbView) last(n protowire.Number) pbValue {
	if l := v[n]; len(l) > 0 {
		return l[len(l)-1]
	}
	return pbValue{}
}

func (v pbView) str(n protowire.Number) string   { return string(v.last(n).b) }
func (v pbView) uint(n protowire.Number) uint64  { return v.last(n).v }
func (v pbView) dbl(n protowire.Number) float64  { return math.Float64frombits(v.last(n).v) }
func (v pbView) boolean(n protowire.Number) bool { return v.last(n).v != 0 }

func (v pbView) msg(n protowire.Number) pbView {
	out, err := parseView(v.last(n).b)
	if err != nil {
		return pbView{}
	}
	return out
}

func (v pbView) msgs(n protowire.Number) []pbView {
	var out []pbView
	for _, val := range v[n] {
		m, err := parseView(val.b)
		if err != nil {
			m = pbView{}
		}
		out = append(out, m)
	}
	return out
}

// path follows nested message fields, e.g. stats.path(2, 1, 1) for
// miner_stats.real_hashrate.last_5s.
func (v pbView) path(ns ...protowire.Number) pbView {
	for _, n := range ns {
		v = v.msg(n)
	}
	return v
}

// Request encoders.

func encBool(num protowire.Number, v bool) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	if v {
		return protowire.AppendVarint(b, 1)
	}
	return protowire.AppendVarint(b, 0)
}

func encPowerTarget(watt uint64) []byte {
	inner := protowire.AppendTag(nil, 1, protowire.VarintType)
	inner = protowire.AppendVarint(inner, watt)
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 3) // SAVE_ACTION_SAVE_AND_FORCE_APPLY
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, inner)
}

type testPool struct{ url, user, password string }

// encPoolGroups is SetPoolGroupsRequest with one group per element.
func encPoolGroups(names []string, pools [][]testPool) []byte {
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 2) // SAVE_ACTION_SAVE_AND_APPLY
	for i, name := range names {
		g := protowire.AppendTag(nil, 2, protowire.BytesType)
		g = protowire.AppendString(g, name)
		quota := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 1)
		g = protowire.AppendBytes(protowire.AppendTag(g, 3, protowire.BytesType), quota)
		for _, p := range pools[i] {
			var pc []byte
			pc = protowire.AppendString(protowire.AppendTag(pc, 2, protowire.BytesType), p.url)
			pc = protowire.AppendString(protowire.AppendTag(pc, 3, protowire.BytesType), p.user)
			pc = protowire.AppendString(protowire.AppendTag(pc, 4, protowire.BytesType), p.password)
			g = protowire.AppendBytes(protowire.AppendTag(g, 5, protowire.BytesType), pc)
		}
		b = protowire.AppendBytes(protowire.AppendTag(b, 2, protowire.BytesType), g)
	}
	return b
}

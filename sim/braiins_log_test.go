package sim_test

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/hearth-fleet/hearth/sim"
)

const (
	bosGetLog         = "/braiins.bos.v1.MinerService/GetLog"
	bosSetCoolingMode = "/braiins.bos.v1.CoolingService/SetCoolingMode"
)

// stream calls a server-streaming method with req and returns every
// message it sent, and the status that ended it.
func (c *bosClient) stream(method string, req []byte) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", c.token)
	}
	st, err := c.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(&req); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	var msgs [][]byte
	for {
		var m []byte
		if err := st.RecvMsg(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return msgs, nil
			}
			return msgs, err
		}
		msgs = append(msgs, m)
	}
}

// fetchLog reads the log of type logType and joins its chunks.
func fetchLog(t *testing.T, c *bosClient, logType uint64) string {
	t.Helper()
	req := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), logType)
	msgs, err := c.stream(bosGetLog, req)
	if err != nil {
		t.Fatalf("GetLog %d: %v", logType, err)
	}
	var b strings.Builder
	for i, m := range msgs {
		v, err := chunkData(m)
		if err != nil || len(m) > 4096+8 {
			t.Fatalf("chunk %d (%d bytes): %v", i, len(m), err)
		}
		b.WriteString(v)
	}
	return b.String()
}

// chunkData returns GetLogResponse.chunk_data.
func chunkData(m []byte) (string, error) {
	v, err := parseView(m)
	if err != nil {
		return "", err
	}
	return v.str(1), nil
}

func TestBraiinsGRPCGetLog(t *testing.T) {
	s, s19, s21, _ := bosSim(t, sim.Fault{Index: 1, Kind: sim.FaultDeadBoard})
	for _, mi := range []sim.MinerInfo{s19, s21} {
		c := dialBOS(t, mi)
		if _, err := c.stream(bosGetLog, []byte{0x08, 0x02}); status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: GetLog without a token: %v", mi.Name, err)
		}
		c.login()
		log := fetchLog(t, c, 2)
		if !strings.HasPrefix(log, "20") || !strings.HasSuffix(log, "\n") || len(log) <= 4096 {
			t.Errorf("%s: log of %d bytes, want several chunks of timestamped lines", mi.Name, len(log))
		}
		st := s.Settings(mi.Index)
		for _, w := range []string{"Starting bosminer", mi.Model, "Connected to " + st.Pools[0].URL, "Autotuner: power target", "bosminer::stats"} {
			if !strings.Contains(log, w) {
				t.Errorf("%s: log lacks %q", mi.Name, w)
			}
		}
		if unspecified := fetchLog(t, c, 0); unspecified != log {
			t.Errorf("%s: LOG_TYPE_UNSPECIFIED is not bosminer's log", mi.Name)
		}
		errorsOnly := fetchLog(t, c, 1)
		dead := mi.Index == 1
		if dead != strings.Contains(log, "Hashboard 2: chip enumeration failed") || dead != (errorsOnly != "") {
			t.Errorf("%s (dead board %v): errors log %q", mi.Name, dead, errorsOnly)
		}
		if syslog := fetchLog(t, c, 5); syslog != "" {
			t.Errorf("%s: syslog %q", mi.Name, syslog)
		}
		if _, err := c.stream(bosGetLog, []byte{0x08, 0x07}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: unknown log type: %v", mi.Name, err)
		}
		if _, err := c.stream(bosGetLog, []byte{0x0a, 0x01}); status.Code(err) != codes.Internal {
			t.Errorf("%s: malformed request: %v", mi.Name, err)
		}
	}
}

// encCooling is SetCoolingModeRequest with mode member num holding body.
func encCooling(num protowire.Number, body []byte) []byte {
	b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 2)
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), body)
}

func encRatio(r float64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(nil, 1, protowire.Fixed64Type), math.Float64bits(r))
}

func TestBraiinsGRPCCoolingMode(t *testing.T) {
	s, s19, _, _ := bosSim(t)
	c := dialBOS(t, s19)
	c.login()

	reply := c.must(bosSetCoolingMode, encCooling(3, encRatio(0.4)))
	if got := reply.path(2).dbl(1); got != 0.4 {
		t.Errorf("manual reply fan_speed_ratio %v", got)
	}
	if st := s.Settings(s19.Index); !st.FanManual || st.FanPercent != 40 {
		t.Errorf("settings %+v", st)
	}
	for _, fan := range c.must(bosCooling, nil).msgs(1) {
		if fan.dbl(3) != 0.4 || fan.uint(2) != 2600 {
			t.Errorf("fan at 40 %%: rpm %d, ratio %v", fan.uint(2), fan.dbl(3))
		}
	}
	// Manual at zero: the ratio is sent explicitly and honoured.
	c.must(bosSetCoolingMode, encCooling(3, encRatio(0)))
	if st := s.Settings(s19.Index); !st.FanManual || st.FanPercent != 0 {
		t.Errorf("settings at 0 %%: %+v", st)
	}

	reply = c.must(bosSetCoolingMode, encCooling(2, nil))
	if !reply.has(1) || reply.path(1).path(1).dbl(1) <= 0 {
		t.Errorf("auto reply %v", reply)
	}
	if st := s.Settings(s19.Index); st.FanManual {
		t.Errorf("settings after auto %+v", st)
	}
	for _, fan := range c.must(bosCooling, nil).msgs(1) {
		if fan.uint(2) < 2000 {
			t.Errorf("fan under auto control at %d rpm", fan.uint(2))
		}
	}

	for _, tc := range []struct {
		name string
		req  []byte
		want codes.Code
	}{
		{"ratio above 1", encCooling(3, encRatio(1.5)), codes.InvalidArgument},
		{"ratio NaN", encCooling(3, encRatio(math.NaN())), codes.InvalidArgument},
		{"manual without ratio", encCooling(3, nil), codes.InvalidArgument},
		{"no mode", []byte{0x08, 0x02}, codes.InvalidArgument},
		{"immersion", encCooling(4, nil), codes.FailedPrecondition},
		{"malformed", []byte{0x1a, 0x09, 0x09}, codes.Internal},
	} {
		if _, _, err := c.call(bosSetCoolingMode, tc.req); status.Code(err) != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if st := s.Settings(s19.Index); st.FanManual {
		t.Errorf("a refused request changed the fans: %+v", st)
	}
}

func TestBraiinsGRPCStratumV2Pools(t *testing.T) {
	s, _, s21, _ := bosSim(t)
	c := dialBOS(t, s21)
	c.login()
	const key = "9awtMD5KQgvRUh2yFbjVeT7b6hjipWcAsQHd6wEhgtDT9soosna"
	v2 := "stratum2+tcp://v2.pool.invalid:3336/" + key
	c.must(bosSetPools, encPoolGroups([]string{"hearth"}, [][]testPool{{{url: v2, user: "acct.w1"}}}))
	if st := s.Settings(s21.Index); len(st.Pools) != 1 || st.Pools[0].URL != v2 {
		t.Errorf("pools %+v", st.Pools)
	}
	pool := c.must(bosGetPools, nil).path(1, 4)
	if pool.str(2) != v2 || !pool.boolean(6) {
		t.Errorf("GetPoolGroups url %q active %v", pool.str(2), pool.boolean(6))
	}
	for _, url := range []string{
		"stratum2+tcp://v2.pool.invalid:3336",
		"stratum2+tcp://v2.pool.invalid:3336/",
		"stratum2+tcp://v2.pool.invalid/" + key,
		"stratum2+tcp://v2.pool.invalid:3336/" + key + "/x",
		"stratum2+tcp://v2.pool.invalid:3336/0OIl" + key[4:],
		"stratum+tcp://v1.pool.invalid:3333/" + key,
		"stratum2+ssl://v2.pool.invalid:3336/" + key,
	} {
		_, _, err := c.call(bosSetPools, encPoolGroups([]string{"hearth"}, [][]testPool{{{url: url, user: "acct.w1"}}}))
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v", url, err)
		}
	}
	if st := s.Settings(s21.Index); len(st.Pools) != 1 || st.Pools[0].URL != v2 {
		t.Errorf("a refused write changed the pools: %+v", st.Pools)
	}
}

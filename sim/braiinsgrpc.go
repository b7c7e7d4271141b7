package sim

import (
	"context"
	"errors"
	"math"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// The Braiins OS gRPC public API (braiins/bos-plus-api), plaintext HTTP/2
// on port 50051. One grpc.Server serves every simulated Braiins miner: the
// second-API listener hands it the connections dialled to a Braiins
// miner's address, and each call finds its miner from the connection's
// local address. Calls are routed by full method name to handlers that
// read and write protobuf bytes directly (braiinspb.go), so the server
// needs no generated code: a raw codec passes the bytes through.

// bosMethod is one implemented RPC.
type bosMethod struct {
	// public methods need no session (GetApiVersion, Login).
	public bool
	handle func(s *Sim, call *bosCall) (pb, error)
	// stream answers a server-streaming method (GetLog) with its
	// messages in order; set instead of handle.
	stream func(s *Sim, call *bosCall) ([]pb, error)
}

// bosCall is one unary call in progress.
type bosCall struct {
	ctx  context.Context
	m    *miner
	t    float64
	snap *snapshot
	req  []byte
}

// bosMethods maps the full method names of the gRPC API to handlers.
var bosMethods = map[string]bosMethod{
	"/braiins.bos.ApiVersionService/GetApiVersion":         {public: true, handle: (*Sim).bosGetAPIVersion},
	"/braiins.bos.v1.AuthenticationService/Login":          {public: true, handle: (*Sim).bosLoginCall},
	"/braiins.bos.v1.MinerService/GetMinerDetails":         {handle: (*Sim).bosGetMinerDetails},
	"/braiins.bos.v1.MinerService/GetMinerStats":           {handle: (*Sim).bosGetMinerStats},
	"/braiins.bos.v1.MinerService/GetHashboards":           {handle: (*Sim).bosGetHashboards},
	"/braiins.bos.v1.CoolingService/GetCoolingState":       {handle: (*Sim).bosGetCoolingState},
	"/braiins.bos.v1.PoolService/GetPoolGroups":            {handle: (*Sim).bosGetPoolGroups},
	"/braiins.bos.v1.PoolService/SetPoolGroups":            {handle: (*Sim).bosSetPoolGroups},
	"/braiins.bos.v1.ActionsService/Reboot":                {handle: (*Sim).bosReboot},
	"/braiins.bos.v1.ActionsService/Restart":               {handle: (*Sim).bosRestart},
	"/braiins.bos.v1.ActionsService/PauseMining":           {handle: (*Sim).bosPause},
	"/braiins.bos.v1.ActionsService/ResumeMining":          {handle: (*Sim).bosResume},
	"/braiins.bos.v1.ActionsService/SetLocateDeviceStatus": {handle: (*Sim).bosSetLocate},
	"/braiins.bos.v1.ActionsService/GetLocateDeviceStatus": {handle: (*Sim).bosGetLocate},
	"/braiins.bos.v1.PerformanceService/SetPowerTarget":    {handle: (*Sim).bosSetPowerTarget},
	"/braiins.bos.v1.PerformanceService/GetTunerState":     {handle: (*Sim).bosGetTunerState},
	"/braiins.bos.v1.CoolingService/SetCoolingMode":        {handle: (*Sim).bosSetCoolingMode},
	"/braiins.bos.v1.MinerService/GetLog":                  {stream: (*Sim).bosGetLog},
}

// rawCodec passes message bytes through untouched: requests arrive as
// *[]byte and replies leave as *[]byte. It is named "proto" so that it
// answers the content type every gRPC client sends.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, errors.New("raw codec: not *[]byte")
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return errors.New("raw codec: not *[]byte")
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// bosMaxRequest bounds a request message.
const bosMaxRequest = 1 << 20

// startBraiinsGRPC starts the gRPC server of the simulated Braiins OS
// miners and sets s.fw.grpc and s.fw.stopGRPC.
func (s *Sim) startBraiinsGRPC() {
	hand := newHandoffListener(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.grpcPort})
	conns := &bosConns{byAddr: map[string]net.Conn{}}
	srv := grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.UnknownServiceHandler(s.bosServe(conns)),
		grpc.MaxRecvMsgSize(bosMaxRequest),
	)
	s.fw.grpc = hand
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(bosListener{handoffListener: hand, conns: conns})
	}()
	s.fw.stopGRPC = func() {
		srv.Stop()
		<-done
	}
}

// bosConns finds the connection a call came on, so that a miner that goes
// offline or reboots can drop it as the real machine's network does.
type bosConns struct {
	mu     sync.Mutex
	byAddr map[string]net.Conn
}

func connKey(remote, local net.Addr) string { return remote.String() + ">" + local.String() }

// drop closes the connection between remote and local, if open.
func (cs *bosConns) drop(remote, local net.Addr) {
	cs.mu.Lock()
	c := cs.byAddr[connKey(remote, local)]
	cs.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// bosListener registers the connections it hands to the gRPC server.
type bosListener struct {
	*handoffListener
	conns *bosConns
}

func (l bosListener) Accept() (net.Conn, error) {
	c, err := l.handoffListener.Accept()
	if err != nil {
		return nil, err
	}
	key := connKey(c.RemoteAddr(), c.LocalAddr())
	l.conns.mu.Lock()
	l.conns.byAddr[key] = c
	l.conns.mu.Unlock()
	return &bosConn{Conn: c, conns: l.conns, key: key}, nil
}

// bosConn unregisters itself when closed.
type bosConn struct {
	net.Conn
	conns *bosConns
	key   string
	once  sync.Once
}

func (c *bosConn) Close() error {
	c.once.Do(func() {
		c.conns.mu.Lock()
		delete(c.conns.byAddr, c.key)
		c.conns.mu.Unlock()
	})
	return c.Conn.Close()
}

// bosServe returns the handler of every call: it finds the miner, applies
// its faults, checks the session and answers with the method's handler.
func (s *Sim) bosServe(conns *bosConns) grpc.StreamHandler {
	return func(_ any, stream grpc.ServerStream) error {
		ctx := stream.Context()
		p, ok := peer.FromContext(ctx)
		if !ok {
			return status.Error(codes.Internal, "no peer")
		}
		m := s.minerAt(p.LocalAddr)
		if m == nil || m.bosFirmware() == nil {
			return status.Error(codes.Unavailable, "no miner at this address")
		}
		if m.unreachable(s.elapsed()) {
			// Offline or rebooting: the machine's network is gone.
			conns.drop(p.Addr, p.LocalAddr)
			return status.Error(codes.Unavailable, "connection lost")
		}
		name, _ := grpc.MethodFromServerStream(stream)
		var req []byte
		if err := stream.RecvMsg(&req); err != nil {
			return err
		}
		method, ok := bosMethods[name]
		if !ok {
			return status.Errorf(codes.Unimplemented, "unknown method %s", name)
		}
		set := m.faults.Load().activeAt(s.elapsed())
		if !s.delayFirstByte(set) {
			return status.Error(codes.Unavailable, "simulator closed")
		}
		now := s.now()
		t := s.elapsedAt(now)
		if !method.public && !s.bosAuthorized(m, t, bosToken(ctx)) {
			return status.Error(codes.Unauthenticated, "invalid or missing authorization token")
		}
		snap := m.evaluate(t, now.Unix(), s.ambient)
		var err error
		call := &bosCall{ctx: ctx, m: m, t: t, snap: &snap, req: req}
		var replies []pb
		if method.stream != nil {
			replies, err = method.stream(s, call)
		} else {
			var reply pb
			reply, err = method.handle(s, call)
			replies = []pb{reply}
		}
		if err != nil {
			return err
		}
		for _, reply := range replies {
			out := []byte(reply)
			if set.has(setGarbled) {
				out = randomBytes() // a reply no decoder accepts as the message
			}
			if set.has(setSlow) {
				// gRPC frames a message whole, so a slow miner shows as a
				// reply that takes as long as trickling it would.
				d := time.Duration(len(out)+5) * trickleEvery
				if !s.pause(min(d, bosSlowMax)) {
					return status.Error(codes.Unavailable, "simulator closed")
				}
			}
			if err := stream.SendMsg(&out); err != nil {
				return err
			}
		}
		return nil
	}
}

// bosSlowMax caps the delay of the slow fault on the gRPC API.
const bosSlowMax = 60 * time.Second

// bosFirmware returns m's Braiins OS build, nil for other firmwares.
func (m *miner) bosFirmware() *bosFirmware { return m.model.bos }

// bosToken returns the authorization metadata of a call: the raw token.
func bosToken(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("authorization"); len(v) > 0 {
		return v[0]
	}
	return ""
}

// bosBadRequest is the status of a request the server cannot decode:
// Internal, as the firmware's gRPC stack (tonic) reports decode errors.
func bosBadRequest(err error) error {
	return status.Error(codes.Internal, err.Error())
}

func (s *Sim) bosGetAPIVersion(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return pbApiVersion(call.m.model.bos.api), nil
}

// bosLoginCall answers Login: the token goes in the reply and, for older
// clients, in the authorization response header.
func (s *Sim) bosLoginCall(call *bosCall) (pb, error) {
	user, password, err := decodeLogin(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	tok := s.bosLogin(call.m, call.t, user, password)
	if tok == "" {
		return nil, status.Error(codes.Unauthenticated, "invalid username or password")
	}
	grpc.SetHeader(call.ctx, metadata.Pairs("authorization", tok))
	return pbLoginReply(tok), nil
}

// bosDetails is GetMinerDetailsResponse.
func bosDetails(m *miner, snap *snapshot) pb {
	fw := m.model.bos
	identity := pb(nil).uint(1, 1). // MINER_BRAND_ANTMINER
					uint(2, fw.modelEnum).str(3, fw.identity).str(4, fw.identity)
	version := pb(nil).str(1, fw.current).str(2, fw.major).boolean(3, true)
	psu := pb(nil).msg(1, pbUInt32Value(117)).optStr(4, fw.psuModel).
		msg(5, pbVoltage(11.96)).msg(6, pbVoltage(15.2))
	sys := bosSystemUptime(snap)
	return pb(nil).str(1, bosUIDOf(m)).msg(2, identity).uint(3, fw.platform).uint(4, fw.bosMode).
		msg(5, version).str(6, m.name).str(7, m.macLower()).uint(8, sys).
		msg(9, pbGigaHashrate(m.model.HashRate/1e9)).uint(10, uint64(snap.uptime)).uint(11, sys).
		uint(12, bosStatus(m)).str(13, fw.kernel).msg(14, psu).uint(15, fw.socFamily).
		optStr(16, m.serial)
}

// bosUIDOf is the miner's uid, stable for a seed.
func bosUIDOf(m *miner) string { return bosUID(m, 1<<20) }

// macLower is the MAC address as Braiins OS prints it, lower case.
func (m *miner) macLower() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, v := range m.mac {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[v>>4], hex[v&15])
	}
	return string(b)
}

func (s *Sim) bosGetMinerDetails(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return bosDetails(call.m, call.snap), nil
}

// pbRealHashrate is RealHashrate{last_5s = 1 … since_restart = 10}.
func pbRealHashrate(windows [10]float64) pb {
	var b pb
	for i, v := range windows {
		b = b.msg(protowire.Number(i+1), pbGigaHashrate(v))
	}
	return b
}

// pbWorkSolverStats is WorkSolverStats.
func pbWorkSolverStats(windows [10]float64, nominal, errMHs float64, best uint64) pb {
	return pb(nil).msg(1, pbRealHashrate(windows)).msg(2, pbGigaHashrate(nominal)).
		msg(3, pbMegaHashrate(errMHs)).uint(5, best).str(6, bosBestShareStr(best))
}

// bosErrorMHs is the error hash rate BOS reports: hardware errors as a
// sliver of the rate, in MH/s.
func bosErrorMHs(rateGHs float64) float64 { return rateGHs * 1000 * 0.0004 }

// pbPoolStats is PoolStats for the active pool at snap.
func pbPoolStats(m *miner, snap *snapshot) pb {
	last := float64(snap.unix) - snap.lastShareAgo
	sec := math.Floor(last)
	b := pb(nil).uint(1, snap.acc).uint(2, snap.rej).uint(3, 0).
		uint(4, uint64(m.model.poolDiff)).uint(5, snap.best).
		uint(6, uint64(snap.shares*m.model.poolDiff))
	if snap.acc > 0 {
		b = b.msg(7, pbTimestamp(int64(sec), int64((last-sec)*1e9)))
	}
	return b.str(8, bosBestShareStr(snap.best))
}

// bosStats is GetMinerStatsResponse.
func bosStats(m *miner, snap *snapshot) pb {
	solver := pbWorkSolverStats(bosWindowGHs(snap), bosNominalGHs(m, snap), bosErrorMHs(snap.rate), snap.best)
	power := pb(nil).msg(1, pbPower(uint64(math.Round(snap.power)))).msg(2, pbEfficiency(bosEfficiency(snap)))
	return pb(nil).msg(1, pbPoolStats(m, snap)).msg(2, solver).msg(3, power)
}

func (s *Sim) bosGetMinerStats(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return bosStats(call.m, call.snap), nil
}

// bosBoardVoltage is a board's supply voltage, scaling with the clock as
// the tuner sets it.
func bosBoardVoltage(m *miner, b *boardSnap) float64 {
	return math.Round((12.0+2.0*float64(b.freq)/m.model.frequency)*100) / 100
}

// bosHashboard is one Hashboard message. A dead board is still listed,
// with no chips and no readings, as the firmware lists a board it detects
// but cannot start.
func bosHashboard(m *miner, snap *snapshot, i int) pb {
	fw := m.model.bos
	b := &snap.boards[i]
	id := string(rune('1' + i))
	out := pb(nil).str(1, id).boolean(2, true)
	if !b.present {
		return out.msg(3, pbUInt32Value(0)).optStr(9, fw.boardName).optStr(13, fw.boardName).optStr(14, fw.chipType)
	}
	windows := [10]float64{}
	share := 0.0
	if snap.rate > 0 {
		share = b.rate / snap.rate
	}
	for k, v := range bosWindowGHs(snap) {
		windows[k] = v * share
	}
	nominal := bosNominalGHs(m, snap) / float64(m.model.Boards)
	inlet := math.Min(float64(b.pcb[0]), float64(b.pcb[1]))
	outlet := math.Max(float64(b.pcb[2]), float64(b.pcb[3]))
	return out.msg(3, pbUInt32Value(uint64(b.chips))).
		msg(4, pbVoltage(bosBoardVoltage(m, b))).
		msg(5, pbFrequency(float64(b.freq)*1e6)).
		msg(6, pbSensor(uint64(i+1), 1, float64(chipMaxOf(b)))).
		msg(7, pbTemperature(float64(max4(b.pcb)))).
		msg(8, pbWorkSolverStats(windows, nominal, bosErrorMHs(b.rate), 0)).
		optStr(9, fw.boardName).
		msg(10, pbTemperature(inlet)).
		msg(11, pbTemperature(outlet)).
		optStr(12, m.serial+"-"+id).
		optStr(13, fw.boardName).
		optStr(14, fw.chipType)
}

func (s *Sim) bosGetHashboards(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	var out pb
	for i := 0; i < call.m.model.Boards; i++ {
		out = out.msg(1, bosHashboard(call.m, call.snap, i))
	}
	return out, nil
}

// bosFanMaxRPM is the fan speed a target_speed_ratio of 1 stands for.
const bosFanMaxRPM = 6500.0

// bosHottest returns the hottest chip sensor: board index and °C.
func bosHottest(m *miner, snap *snapshot) (int, float64) {
	hot, at := math.Inf(-1), -1
	for i := 0; i < m.model.Boards; i++ {
		if b := &snap.boards[i]; b.present && float64(chipMaxOf(b)) > hot {
			hot, at = float64(chipMaxOf(b)), i
		}
	}
	return at, hot
}

func (s *Sim) bosGetCoolingState(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	m, snap := call.m, call.snap
	st := m.settingsAt(call.t)
	var out pb
	for f := 0; f < m.model.Fans; f++ {
		rpm := snap.fans[f]
		ratio := math.Round(float64(rpm)/bosFanMaxRPM*100) / 100
		if st.FanManual {
			// Manual mode drives every fan at the set ratio; a failed
			// fan stays still.
			ratio = float64(st.FanPercent) / 100
			if rpm > 0 {
				rpm = int(math.Round(bosFanMaxRPM * ratio))
			}
		}
		out = out.msg(1, pb(nil).optUint(1, uint64(f)).uint(2, uint64(rpm)).double(3, ratio))
	}
	if at, hot := bosHottest(m, snap); at >= 0 {
		out = out.msg(2, pbSensor(uint64(at+1), 1, hot))
	}
	return out, nil
}

// pbPoolGroups is GetPoolGroupsResponse for m at snap: the active pool
// carries the share counters.
func pbPoolGroups(m *miner, snap *snapshot, groups []bosPoolGroup) pb {
	ag, ap := activePool(groups)
	var out pb
	for gi, g := range groups {
		group := pb(nil).str(1, g.name)
		if g.hasRatio {
			group = group.msg(3, pbFixedShareRatio(g.ratio))
		} else {
			group = group.msg(2, pbQuota(g.quota))
		}
		for pi, p := range g.pools {
			active := gi == ag && pi == ap
			stats := pb{}
			if active {
				stats = pbPoolStats(m, snap)
			}
			pool := pb(nil).str(1, p.uid).str(2, p.url).str(3, p.user).boolean(4, p.enabled).
				boolean(5, p.enabled).boolean(6, active).msg(7, stats)
			group = group.msg(4, pool)
		}
		out = out.msg(1, group.str(5, g.uid))
	}
	return out
}

func (s *Sim) bosGetPoolGroups(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return pbPoolGroups(call.m, call.snap, call.m.bosGroups(call.t)), nil
}

// pbPoolGroupConfigs is SetPoolGroupsResponse: the groups as stored, in
// PoolGroupConfiguration form (no passwords).
func pbPoolGroupConfigs(groups []bosPoolGroup) pb {
	var out pb
	for _, g := range groups {
		group := pb(nil).optStr(1, g.uid).str(2, g.name)
		if g.hasRatio {
			group = group.msg(4, pbFixedShareRatio(g.ratio))
		} else {
			group = group.msg(3, pbQuota(g.quota))
		}
		for _, p := range g.pools {
			group = group.msg(5, pb(nil).optStr(1, p.uid).str(2, p.url).str(3, p.user).optUint(5, boolUint(p.enabled)))
		}
		out = out.msg(1, group)
	}
	return out
}

func boolUint(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

func (s *Sim) bosSetPoolGroups(call *bosCall) (pb, error) {
	_, groups, err := decodeSetPoolGroups(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	if err := checkPoolGroups(groups); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return pbPoolGroupConfigs(s.setPoolGroups(call.m, call.t, groups)), nil
}

func (s *Sim) bosReboot(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	s.write(call.m, call.t, true, func(c *minerControl) { c.bos.tokens = nil })
	return pb{}, nil
}

func (s *Sim) bosRestart(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	s.write(call.m, call.t, true, func(*minerControl) {})
	return pbAlready(false), nil
}

// bosSetPaused pauses or resumes mining and reports whether the miner was
// already in that state.
func (s *Sim) bosSetPaused(m *miner, t float64, paused bool) (already bool) {
	s.write(m, t, false, func(c *minerControl) {
		already = c.settings.Paused == paused
		c.settings.Paused = paused
	})
	return already
}

func (s *Sim) bosPause(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return pbAlready(s.bosSetPaused(call.m, call.t, true)), nil
}

func (s *Sim) bosResume(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return pbAlready(s.bosSetPaused(call.m, call.t, false)), nil
}

// bosSetLocateState switches the fault light.
func (s *Sim) bosSetLocateState(m *miner, t float64, on bool) {
	s.write(m, t, false, func(c *minerControl) { c.settings.Locate = on })
}

func (s *Sim) bosSetLocate(call *bosCall) (pb, error) {
	on, err := decodeSetLocate(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	s.bosSetLocateState(call.m, call.t, on)
	return pbLocateStatus(on), nil
}

func (s *Sim) bosGetLocate(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	return pbLocateStatus(call.m.settingsAt(call.t).Locate), nil
}

// bosApplyPowerTarget clamps watt to the model's range, stores it and
// returns the target applied.
func (s *Sim) bosApplyPowerTarget(m *miner, t float64, watt uint64) int {
	target := clampPowerTarget(m.model, watt)
	s.write(m, t, false, func(c *minerControl) { c.settings.PowerTargetW = target })
	return target
}

func (s *Sim) bosSetPowerTarget(call *bosCall) (pb, error) {
	_, watt, present, err := decodeSetPowerTarget(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	if !present {
		return nil, status.Error(codes.InvalidArgument, "power_target is missing")
	}
	return pbSetPowerTargetReply(s.bosApplyPowerTarget(call.m, call.t, watt)), nil
}

// bosTunerState is GetTunerStateResponse: a stable tuner in power-target
// mode, its profile measured at the current target.
func bosTunerState(m *miner, snap *snapshot, target int, since int64) pb {
	profile := pb(nil).msg(1, pbTimestamp(since, 0)).msg(2, pbPower(uint64(target))).
		msg(3, pbGigaHashrate(bosNominalGHs(m, snap))).
		msg(4, pbPower(uint64(math.Round(snap.power))))
	state := pb(nil).msg(1, profile).msg(2, pbPower(uint64(target)))
	overall := uint64(2) // TUNER_STATE_STABLE
	if m.faults.Load().idle() {
		overall = 1 // TUNER_STATE_DISABLED while paused
	}
	return pb(nil).uint(1, overall).msg(2, state)
}

func (s *Sim) bosGetTunerState(call *bosCall) (pb, error) {
	if err := decodeEmpty(call.req); err != nil {
		return nil, bosBadRequest(err)
	}
	st := call.m.settingsAt(call.t)
	since := call.snap.unix - int64(call.snap.uptime)
	return bosTunerState(call.m, call.snap, st.PowerTargetW, since), nil
}

// Default temperatures (°C) of BOS's automatic cooling, which
// SetCoolingMode's reply echoes.
const (
	bosTargetTemp    = 75
	bosHotTemp       = bosHotChipLog
	bosDangerousTemp = 100
)

// bosSetCoolingMode switches the fans between the firmware's automatic
// control and a fixed speed (manual fan_speed_ratio 0.0-1.0), and
// answers with the mode in force. The simulated models are air-cooled:
// immersion and hydro modes are refused, as is a manual mode without a
// ratio or with one outside 0-1.
func (s *Sim) bosSetCoolingMode(call *bosCall) (pb, error) {
	r, err := decodeSetCoolingMode(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	temps := pb(nil).msg(2, pbTemperature(bosHotTemp)).msg(3, pbTemperature(bosDangerousTemp))
	switch r.mode {
	case bosCoolingAuto:
		s.write(call.m, call.t, false, func(c *minerControl) { c.settings.FanManual = false })
		auto := pb(nil).msg(1, pbTemperature(bosTargetTemp)).msg(2, pbTemperature(bosHotTemp)).
			msg(3, pbTemperature(bosDangerousTemp))
		return pb(nil).msg(1, auto), nil
	case bosCoolingManual:
		if !r.hasRatio || !(r.ratio >= 0 && r.ratio <= 1) {
			return nil, status.Errorf(codes.InvalidArgument, "fan_speed_ratio must be between 0.0 and 1.0")
		}
		percent := int(math.Round(r.ratio * 100))
		s.write(call.m, call.t, false, func(c *minerControl) {
			c.settings.FanManual, c.settings.FanPercent = true, percent
		})
		manual := pb(nil).optDouble(1, float64(percent)/100)
		return pb(nil).msg(2, append(manual, temps...)), nil
	case bosCoolingImmersion, bosCoolingHydro:
		return nil, status.Error(codes.FailedPrecondition, "cooling mode not available on this miner")
	}
	return nil, status.Error(codes.InvalidArgument, "cooling mode is missing")
}

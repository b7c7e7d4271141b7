// Package sim simulates a farm of Bitcoin miners on the loopback network, so
// that hearth's drivers, poller and alerting can be tested and benchmarked
// against something that behaves like real hardware.
//
// Every virtual miner has its own address, 127.A.B.C (see AddressOf), and
// speaks its firmware's real wire protocols on the real ports, byte for
// byte as the protocol reference describes them:
//
//   - Antminers (S19j Pro, S21, S21 XP, S21 XP Hyd.) run stock bmminer: the
//     CGMiner RPC on TCP 4028 (version, summary, pools, stats, devs,
//     devdetails, JSON or text, one request per connection, NUL-terminated
//     replies with bmminer's quirks) and the web CGI behind HTTP Digest
//     authentication on port 80.
//   - Bitaxe Gammas run AxeOS: ESP-Miner v2.9.0 on even miner indexes and
//     v2.14.0 on odd ones, /api/system/info and /api/system/asic as JSON
//     over HTTP on port 80.
//   - Not in the default mix (Config.Models, or --models all), one or two
//     models of every other firmware family hearth drives:
//     Antminer S19j Pros running VNish 1.2.6 (the REST API under /api/v1 on
//     port 80, bearer tokens from /unlock; vnish.go) and ePIC UMC
//     PowerPlay-BMS v1.5.13 (HTTP JSON on the RPC port, the password in
//     every write's body; epic.go); an S21 running LuxOS (sessions,
//     profiles, curtail; luxos.go); an S19j Pro on Braiins OS 24.09 and an
//     S21 on 25.07 (the gRPC API on the second-API port, BOSer's RPC on
//     4028, the REST API on 25.07; braiins*.go); Whatsminer M50S with API
//     v2 on 4028 (md5crypt tokens, AES-256-ECB writes) and M60S with API v3
//     on the second-API port (framed JSON, signed writes; whatsminer*.go);
//     an AvalonMiner 1466 and an Avalon Nano 3 heater (the MM ID strings,
//     ascset writes, one API connection at a time; avalon*.go).
//
// Each takes the writes its firmware takes (control.go and the family's
// files): for instance the
// Antminer CGI scripts get_miner_conf, set_miner_conf (pools, work mode),
// blink, get_blink_status and reboot; AxeOS PATCH /api/system (pools,
// frequency, voltage, fan), restart, and from the releases that have them
// identify, pause and resume. What is written shows in every later reply
// (pools, hash rate, power, temperatures, uptime after a reboot), and
// Settings reads it back as ground truth for tests.
//
// Commands and paths outside that set get what the firmware gives an
// unknown one: CGMiner code 14 "Invalid command" (also for joined commands
// such as summary+pools, which stock S19-class bmminer refuses), HTTP 404, or
// 401 on an Antminer without credentials. AxeOS's check that clients come
// from a private network is not imitated, since every client of the
// simulator comes from loopback.
//
// The package implements the firmware side independently of hearth's
// drivers (it imports none of them), so that a driver test against it
// checks the driver against the protocol, not against itself.
//
// Scale: however many miners there are, the simulator uses one listener per
// port, bound to the wildcard address, and tells miners apart by each
// connection's destination address. It holds no goroutine, timer or
// descriptor per miner; each miner's state is a pure function of the seed,
// its index, its faults, what was written to it and the time since the
// simulator started, computed when a request arrives. A miner's written
// settings are allocated on its first write only.
//
// Faults (FaultHelp) can be scheduled in Config.Faults or set at run time
// through SetFault and the admin HTTP handler (AdminHandler).
package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Default ports of the firmwares. Config uses 0 for "any free port", so a
// command that wants the real ports passes these.
const (
	DefaultRPCPort  = 4028
	DefaultHTTPPort = 80
	// DefaultWhatsminerV3Port is where btminer's API v3 listens.
	DefaultWhatsminerV3Port = 4433
	// DefaultGRPCPort is where Braiins OS serves its gRPC public API.
	DefaultGRPCPort = 50051
)

// DefaultAmbient is the site air temperature when Config.Ambient is zero.
const DefaultAmbient = 25.0

// Config describes a simulated fleet.
type Config struct {
	// Miners is the number of virtual miners, at most MaxMiners.
	Miners int
	// Seed makes the fleet reproducible: the same seed gives the same
	// models, addresses, spreads and readings at the same times.
	Seed int64
	// Models restricts the fleet to these short model names (ModelS21,
	// ModelBitaxeGamma, ...). Empty means every model in the mix.
	Models []string
	// Mix weighs the models by short name (see ParseMix); empty means
	// DefaultMix: S19j Pro 25 %, S21 25 %, S21 XP 25 %, S21 XP Hyd. 10 %,
	// Bitaxe Gamma 15 %.
	Mix map[string]float64
	// RPCPort and HTTPPort are the ports to listen on; 0 picks a free
	// port, which RPCPort() and HTTPPort() then report. Pass
	// DefaultRPCPort and DefaultHTTPPort to be found where real miners are.
	RPCPort  int
	HTTPPort int
	// WhatsminerV3Port and GRPCPort are the ports of the second APIs:
	// Whatsminer's API v3 and Braiins OS's gRPC API. Real firmware uses
	// DefaultWhatsminerV3Port and DefaultGRPCPort. The two may be the same
	// port, served by one listener that answers each miner in its own
	// family's protocol; when both are 0 they share one free port, which
	// APIPort() then reports, so that a test passes one number to hearth.
	WhatsminerV3Port int
	GRPCPort         int
	// ListenHost is the address to bind; "" means "0.0.0.0", which on
	// Linux receives connections to every 127.A.B.C address.
	ListenHost string
	// Ambient is the air temperature around the miners in °C; 0 means
	// DefaultAmbient.
	Ambient float64
	// Faults are injected from the start; each one's Delay counts from the
	// simulator's creation.
	Faults []Fault
	// RebootTime is how long a miner stays unreachable after a reboot or
	// restart written to it; 0 means DefaultRebootTime.
	RebootTime time.Duration
	// Now is the clock; nil means time.Now. Tests pass a fake clock to make
	// readings reproducible.
	Now func() time.Time
}

// MinerInfo describes one virtual miner: where to find it and what it is.
type MinerInfo struct {
	Index   int        `json:"index"`
	Name    string     `json:"name"`
	Address netip.Addr `json:"address"`
	// Model is the model string hearth should identify: "Antminer S21",
	// "Bitaxe Gamma". ModelShort is the simulator's short name.
	Model      string        `json:"model"`
	ModelShort string        `json:"model_short"`
	Family     hearth.Family `json:"family"`
	// Port is the primary management port (CGMiner RPC for Antminers, HTTP
	// for AxeOS), WebPort the HTTP port and APIPort the second API's port
	// (Whatsminer API v3, Braiins OS gRPC; 0 for other families), as in
	// hearth.Miner.
	Port    int    `json:"port"`
	WebPort int    `json:"web_port"`
	APIPort int    `json:"api_port,omitempty"`
	MAC     string `json:"mac"`
	Serial  string `json:"serial,omitempty"`
	// Faults are the miner's faults, each Delay counted from the
	// simulator's start whether it was configured or set at run time.
	Faults []Fault `json:"faults,omitempty"`
}

// Target returns where a hearth driver finds this miner.
func (mi MinerInfo) Target() hearth.Target {
	return hearth.Target{Address: mi.Address.String(), Port: mi.Port, WebPort: mi.WebPort, APIPort: mi.APIPort, Model: mi.Model}
}

// Sim is a running (or ready to run) simulated fleet. Its methods are safe
// for concurrent use.
type Sim struct {
	cfg     Config
	now     func() time.Time
	start   time.Time
	ambient float64
	miners  []*miner
	auth    digestAuth
	bufs    sync.Pool

	faultMu sync.Mutex // serialises fault changes (reads are lock-free)

	mu       sync.Mutex // guards the fields below
	started  bool
	closed   bool
	rpcLn    net.Listener
	httpLn   net.Listener
	apiLns   []net.Listener // second-API listeners: one, or one per port
	httpSrv  *http.Server
	rpcPort  int
	httpPort int
	v3Port   int
	grpcPort int
	fw       firmwareServers       // servers fed through hand-off listeners
	conns    map[net.Conn]struct{} // in-flight RPC and hijacked HTTP connections

	done chan struct{}
	wg   sync.WaitGroup
}

// New builds the fleet described by cfg without binding anything; Start
// opens the listeners. It returns an error for an impossible config: a bad
// count, an unknown model, a fault for a miner that does not exist or that
// the miner's model cannot have.
func New(cfg Config) (*Sim, error) {
	if cfg.Miners < 0 || cfg.Miners > MaxMiners {
		return nil, fmt.Errorf("sim: miners must be between 0 and %d, not %d", MaxMiners, cfg.Miners)
	}
	if !validPort(cfg.RPCPort) || !validPort(cfg.HTTPPort) || !validPort(cfg.WhatsminerV3Port) || !validPort(cfg.GRPCPort) {
		return nil, fmt.Errorf("sim: ports must be between 0 and 65535")
	}
	if math.IsNaN(cfg.Ambient) || cfg.Ambient < -50 || cfg.Ambient > 60 {
		return nil, fmt.Errorf("sim: ambient temperature %v °C is outside -50..60", cfg.Ambient)
	}
	mix, err := newMixTable(cfg.Mix, cfg.Models)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s := &Sim{
		cfg:     cfg,
		now:     cfg.Now,
		ambient: cfg.Ambient,
		conns:   map[net.Conn]struct{}{},
		done:    make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ambient == 0 {
		s.ambient = DefaultAmbient
	}
	s.start = s.now()
	rand.Read(s.auth.key[:])
	s.bufs.New = func() any { b := make([]byte, 0, 16<<10); return &b }

	// Models are spread with a golden-ratio sequence rather than drawn
	// independently, so that even a small fleet holds every model of the
	// mix in proportion, and neighbours differ.
	offset := newDraw(cfg.Seed, -1).unit(saltModel)
	s.miners = make([]*miner, cfg.Miners)
	for i := range s.miners {
		u := math.Mod(offset+float64(i)*0.6180339887498949, 1)
		s.miners[i] = newMiner(cfg.Seed, i, mix, u)
	}
	for _, f := range cfg.Faults {
		if err := s.addFault(f, 0); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	return s, nil
}

func validPort(p int) bool { return p >= 0 && p <= 65535 }

// ListenError is returned by Start when a port cannot be bound. Callers
// branch on its cause: errors.Is(err, fs.ErrPermission) for a privileged
// port (80) without the right to bind it, syscall.EADDRINUSE for a port in
// use; a command can then retry with another port.
type ListenError struct {
	Service string // "rpc", "http", "whatsminer-v3" or "grpc"
	Addr    string
	Err     error
}

func (e *ListenError) Error() string {
	msg := fmt.Sprintf("sim: listen for %s on %s: %v", e.Service, e.Addr, e.Err)
	if errors.Is(e.Err, syscall.EACCES) {
		msg += " (ports below 1024 need root or CAP_NET_BIND_SERVICE; choose another port)"
	}
	return msg
}

// Unwrap returns the cause.
func (e *ListenError) Unwrap() error { return e.Err }

// Start binds the RPC and HTTP listeners and starts serving. It fails with
// a *ListenError when a port cannot be bound, and binds nothing then.
func (s *Sim) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sim: start after close")
	}
	if s.started {
		return errors.New("sim: already started")
	}
	host := s.cfg.ListenHost
	if host == "" {
		host = "0.0.0.0"
	}
	rpcAddr := net.JoinHostPort(host, strconv.Itoa(s.cfg.RPCPort))
	rpcLn, err := net.Listen("tcp", rpcAddr)
	if err != nil {
		return &ListenError{Service: "rpc", Addr: rpcAddr, Err: err}
	}
	httpAddr := net.JoinHostPort(host, strconv.Itoa(s.cfg.HTTPPort))
	httpLn, err := net.Listen("tcp", httpAddr)
	if err != nil {
		rpcLn.Close()
		return &ListenError{Service: "http", Addr: httpAddr, Err: err}
	}
	apiLns, err := s.listenSecondAPIs(host)
	if err != nil {
		rpcLn.Close()
		httpLn.Close()
		return err
	}
	s.started = true
	s.rpcLn, s.httpLn, s.apiLns = rpcLn, httpLn, apiLns
	s.rpcPort = rpcLn.Addr().(*net.TCPAddr).Port
	s.httpPort = httpLn.Addr().(*net.TCPAddr).Port
	s.httpSrv = s.newHTTPServer()
	s.startFirmwareServers()

	s.wg.Add(2 + len(apiLns))
	for _, ln := range apiLns {
		go s.serveSecondAPI(ln.(*roleListener))
	}
	go s.serveRPC(rpcLn)
	go func() {
		defer s.wg.Done()
		s.httpSrv.Serve(simListener{Listener: httpLn, s: s})
	}()
	return nil
}

// Close stops serving: it closes the listeners and every connection in
// flight and waits for the handlers to return. It is safe to call twice.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	var errs []error
	started := s.started
	if started {
		if err := s.rpcLn.Close(); err != nil {
			errs = append(errs, err)
		}
		for _, ln := range s.apiLns {
			if err := ln.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if started {
		// Handlers waiting out a fault return at once now that done is
		// closed; give them a moment to finish before cutting connections.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.httpSrv.Shutdown(ctx)
		cancel()
		s.httpSrv.Close()
		s.stopFirmwareServers()
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// RPCPort returns the bound CGMiner RPC port, 0 before Start.
func (s *Sim) RPCPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rpcPort
}

// HTTPPort returns the bound HTTP port, 0 before Start.
func (s *Sim) HTTPPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpPort
}

// WhatsminerV3Port returns the bound port of Whatsminer's API v3, 0
// before Start.
func (s *Sim) WhatsminerV3Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v3Port
}

// GRPCPort returns the bound port of Braiins OS's gRPC API, 0 before
// Start.
func (s *Sim) GRPCPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grpcPort
}

// APIPort returns the second API's port when Whatsminer API v3 and Braiins
// OS gRPC share one (see Config.WhatsminerV3Port), and 0 when they do not.
func (s *Sim) APIPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v3Port == s.grpcPort {
		return s.v3Port
	}
	return 0
}

// Len returns the number of miners.
func (s *Sim) Len() int { return len(s.miners) }

// Miners describes every miner, in index order. Ports are the bound ones
// after Start and the configured ones before.
func (s *Sim) Miners() []MinerInfo {
	out := make([]MinerInfo, len(s.miners))
	p := s.ports()
	for i, m := range s.miners {
		out[i] = s.info(m, p)
	}
	return out
}

// Miner describes miner i; false when there is no such miner.
func (s *Sim) Miner(i int) (MinerInfo, bool) {
	if i < 0 || i >= len(s.miners) {
		return MinerInfo{}, false
	}
	return s.info(s.miners[i], s.ports()), true
}

// boundPorts are the simulator's ports, bound or configured.
type boundPorts struct{ rpc, http, v3, grpc int }

func (s *Sim) ports() boundPorts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return boundPorts{s.rpcPort, s.httpPort, s.v3Port, s.grpcPort}
	}
	return boundPorts{s.cfg.RPCPort, s.cfg.HTTPPort, s.cfg.WhatsminerV3Port, s.cfg.GRPCPort}
}

func (s *Sim) info(m *miner, p boundPorts) MinerInfo {
	mi := MinerInfo{
		Index: m.index, Name: m.name, Address: m.addr,
		Model: m.model.Name, ModelShort: m.model.Short, Family: m.model.Family,
		Port: p.rpc, WebPort: p.http, MAC: m.macString(), Serial: m.serial,
		Faults: m.faults.Load().list(m.index),
	}
	switch m.model.Family {
	case hearth.FamilyAxeOS, hearth.FamilyVNish:
		mi.Port = p.http
	case hearth.FamilyWhatsminer:
		mi.APIPort = p.v3
	case hearth.FamilyBraiins:
		mi.APIPort = p.grpc
	}
	return mi
}

// SetFault adds fault f to miner f.Index, replacing a fault of the same
// kind. f.Delay counts from now. It fails when the miner does not exist or
// its model cannot have the fault (a dead board on a Bitaxe).
func (s *Sim) SetFault(f Fault) error {
	return s.addFault(f, s.elapsed())
}

// ClearFaults makes miner i healthy again; its share counters carry on
// from where they are. It fails when the miner does not exist.
func (s *Sim) ClearFaults(i int) error {
	if i < 0 || i >= len(s.miners) {
		return fmt.Errorf("no miner %d (the fleet has %d)", i, len(s.miners))
	}
	s.changeFaults(s.miners[i], s.elapsed(), func([]scheduledFault) []scheduledFault { return nil })
	return nil
}

// ClearAllFaults makes every faulty miner healthy again.
func (s *Sim) ClearAllFaults() {
	t := s.elapsed()
	for _, m := range s.miners {
		if m.faults.Load() != nil {
			s.changeFaults(m, t, func([]scheduledFault) []scheduledFault { return nil })
		}
	}
}

// addFault schedules f with its delay counted from sim time from.
func (s *Sim) addFault(f Fault, from float64) error {
	if f.Index < 0 || f.Index >= len(s.miners) {
		return fmt.Errorf("fault %s: no miner %d (the fleet has %d)", f, f.Index, len(s.miners))
	}
	bit := bitOf(f.Kind)
	if bit == 0 {
		_, err := parseFaultKind(string(f.Kind))
		return fmt.Errorf("fault %s: %w", f, err)
	}
	if f.Delay < 0 {
		return fmt.Errorf("fault %s: negative delay", f)
	}
	m := s.miners[f.Index]
	if err := checkFaultFits(f.Kind, m.model); err != nil {
		return fmt.Errorf("fault %s on %s: %w", f, m.name, err)
	}
	at := from + f.Delay.Seconds()
	s.changeFaults(m, from, func(old []scheduledFault) []scheduledFault {
		out := make([]scheduledFault, 0, len(old)+1)
		for _, o := range old {
			if o.kind != f.Kind {
				out = append(out, o)
			}
		}
		return append(out, scheduledFault{kind: f.Kind, bit: bit, at: at})
	})
	return nil
}

// changeFaults publishes a new fault state for m at sim time t, carrying
// the share counters over so they stay monotonic.
func (s *Sim) changeFaults(m *miner, t float64, change func([]scheduledFault) []scheduledFault) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	old := m.faults.Load()
	acc, rej := m.shareCounts(old, t)
	var list []scheduledFault
	if old != nil {
		list = old.faults
	}
	next := &faultState{faults: change(list), baseT: t, baseAcc: acc, baseRej: rej}
	if old != nil {
		next.ctl = old.ctl
		if next.ctl.downUntil > t {
			next.baseT = next.ctl.downUntil // counting restarts after the reboot
		}
	}
	m.faults.Store(next)
}

// elapsed returns seconds since the simulator was created.
func (s *Sim) elapsed() float64 { return s.elapsedAt(s.now()) }

func (s *Sim) elapsedAt(now time.Time) float64 {
	t := now.Sub(s.start).Seconds()
	if t < 0 {
		return 0
	}
	return t
}

// minerAt returns the miner a connection's local address belongs to, or nil.
func (s *Sim) minerAt(local net.Addr) *miner {
	if local == nil {
		return nil
	}
	i, ok := indexOfNetAddr(local)
	if !ok || i >= len(s.miners) {
		return nil
	}
	return s.miners[i]
}

// track registers a connection to be closed by Close; it reports false
// when the simulator is already closed.
func (s *Sim) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Sim) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Sim) getBuf() *[]byte  { return s.bufs.Get().(*[]byte) }
func (s *Sim) putBuf(b *[]byte) { *b = (*b)[:0]; s.bufs.Put(b) }

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth/sim"
)

// simFlags are the simulator's settings, shared by sim, demo and bench.
type simFlags struct {
	miners   int
	seed     int64
	models   string
	mix      string
	faults   string
	rpcPort  int
	httpPort int
	v3Port   int
	grpcPort int
	ambient  float64
}

func (f *simFlags) register(fs interface {
	IntVar(*int, string, int, string)
	Int64Var(*int64, string, int64, string)
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
}, defaultMiners int) {
	fs.IntVar(&f.miners, "miners", defaultMiners, "number of simulated miners")
	fs.Int64Var(&f.seed, "seed", 1, "random seed: the same seed gives the same fleet")
	fs.StringVar(&f.models, "models", "", "only these models, comma-separated, or \"all\" for every model in equal parts (every firmware family): "+strings.Join(modelNames(), ", "))
	fs.StringVar(&f.mix, "mix", "", "model weights, e.g. s21=50,bitaxe-gamma=50 (default: a farm mix)")
	fs.StringVar(&f.faults, "faults", "", "faults to inject, INDEX:FAULT[@DELAY],... (see below)")
	fs.IntVar(&f.rpcPort, "rpc-port", sim.DefaultRPCPort, "TCP port of the miners' RPC API")
	fs.IntVar(&f.httpPort, "http-port", sim.DefaultHTTPPort, "TCP port of the miners' web interface (falls back to 8081 when 80 needs privileges)")
	fs.IntVar(&f.v3Port, "whatsminer-v3-port", sim.DefaultWhatsminerV3Port, "TCP port of the Whatsminers' API v3")
	fs.IntVar(&f.grpcPort, "grpc-port", sim.DefaultGRPCPort, "TCP port of the Braiins OS miners' gRPC API (may equal --whatsminer-v3-port: one listener then serves both)")
	fs.Float64Var(&f.ambient, "ambient", sim.DefaultAmbient, "ambient temperature, °C")
}

func modelNames() []string {
	var out []string
	for _, m := range sim.KnownModels() {
		out = append(out, m.Short)
	}
	return out
}

// start builds and starts the simulator. When the standard web port 80
// needs privileges hearth does not have, it moves the web side to 8081 and
// says so, rather than failing a first run for a permission.
func (f *simFlags) start(stderr io.Writer) (*sim.Sim, error) {
	cfg := sim.Config{
		Miners: f.miners, Seed: f.seed, RPCPort: f.rpcPort, HTTPPort: f.httpPort,
		WhatsminerV3Port: f.v3Port, GRPCPort: f.grpcPort, Ambient: f.ambient,
	}
	switch {
	case f.models == "all":
		cfg.Mix = map[string]float64{}
		for _, name := range modelNames() {
			cfg.Mix[name] = 1
		}
	case f.models != "":
		cfg.Models = strings.Split(f.models, ",")
	}
	if f.mix != "" {
		mix, err := sim.ParseMix(f.mix)
		if err != nil {
			return nil, err
		}
		cfg.Mix = mix
	}
	if f.faults != "" {
		faults, err := sim.ParseFaults(f.faults)
		if err != nil {
			return nil, err
		}
		cfg.Faults = faults
	}
	s, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	err = s.Start()
	if err != nil && errors.Is(err, fs.ErrPermission) && f.httpPort == sim.DefaultHTTPPort {
		fmt.Fprintf(stderr, "hearth: port %d needs privileges; the simulated miners' web interface uses port 8081 instead\n", sim.DefaultHTTPPort)
		cfg.HTTPPort = 8081
		if s, err = sim.New(cfg); err != nil {
			return nil, err
		}
		err = s.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	return s, nil
}

// serveAdmin serves the simulator's fault-injection API on addr until ctx
// ends, and returns its URL.
func serveAdmin(ctx context.Context, s *sim.Sim, addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("simulator admin API: %w", err)
	}
	srv := &http.Server{Handler: http.StripPrefix("/sim", s.AdminHandler()), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return "http://" + ln.Addr().String() + "/sim/", nil
}

func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f simFlags
	var admin string
	var asJSON bool
	fset := newFlagSet("hearth sim", "hearth sim [flags]",
		"Run a fleet of virtual miners, each on its own loopback address (127.1.0.1, 127.1.0.2, ...)\n"+
			"on the real ports, speaking the real firmware protocols: Antminer stock (bmminer) RPC on\n"+
			"4028 and its web interface, Bitaxe AxeOS HTTP. Point hearth at them with\n"+
			"'hearth scan 127.1.0.0/24' or use 'hearth demo'.\n\n"+sim.FaultHelp+"\n\n"+sim.AdminHelp, stderr)
	f.register(fset, 100)
	fset.StringVar(&admin, "admin", "127.0.0.1:8079", "listen address of the fault-injection admin API")
	fset.BoolVar(&asJSON, "json", false, "print the simulated miners as JSON")
	if _, err := parseFlags(fset, args); err != nil {
		return err
	}
	s, err := f.start(stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	adminURL, err := serveAdmin(ctx, s, admin)
	if err != nil {
		return err
	}
	miners := s.Miners()
	if asJSON {
		if err := writeJSON(stdout, miners); err != nil {
			return err
		}
	} else {
		last := miners[len(miners)-1]
		fmt.Fprintf(stdout, "%d simulated miners on %s … %s (RPC port %d, web port %d, Whatsminer API v3 port %d, gRPC port %d)\n",
			len(miners), miners[0].Address, last.Address, s.RPCPort(), s.HTTPPort(), s.WhatsminerV3Port(), s.GRPCPort())
		fmt.Fprintf(stdout, "fault injection: %s\n", adminURL)
		fmt.Fprintf(stdout, "try: hearth scan %s-%s\n", miners[0].Address, last.Address)
	}
	<-ctx.Done()
	return nil
}

package sim

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// The second APIs: Whatsminer's API v3 (real firmware on TCP 4433) and
// Braiins OS's gRPC API (TCP 50051). As with the RPC and HTTP ports, one
// listener per port serves every miner and tells them apart by the
// connection's destination address; a port may carry both roles, and then
// each miner answers in its own family's protocol.

// apiRole is a bit set of the second APIs a listener serves.
type apiRole uint8

const (
	roleWhatsminerV3 apiRole = 1 << iota
	roleGRPC
)

// roleListener is a bound second-API listener and the roles it serves.
type roleListener struct {
	net.Listener
	roles apiRole
}

// listenSecondAPIs binds the Whatsminer API v3 and gRPC ports: one
// listener when they are the same number (both 0 included), two
// otherwise. The caller holds s.mu and sets s.v3Port and s.grpcPort from
// what it returns through s.
func (s *Sim) listenSecondAPIs(host string) ([]net.Listener, error) {
	bind := func(service string, port int, roles apiRole) (*roleListener, error) {
		addr := net.JoinHostPort(host, strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, &ListenError{Service: service, Addr: addr, Err: err}
		}
		return &roleListener{Listener: ln, roles: roles}, nil
	}
	v3, grpc := s.cfg.WhatsminerV3Port, s.cfg.GRPCPort
	if v3 == grpc {
		ln, err := bind("whatsminer-v3 and grpc", v3, roleWhatsminerV3|roleGRPC)
		if err != nil {
			return nil, err
		}
		s.v3Port = ln.Addr().(*net.TCPAddr).Port
		s.grpcPort = s.v3Port
		return []net.Listener{ln}, nil
	}
	v3Ln, err := bind("whatsminer-v3", v3, roleWhatsminerV3)
	if err != nil {
		return nil, err
	}
	grpcLn, err := bind("grpc", grpc, roleGRPC)
	if err != nil {
		v3Ln.Close()
		return nil, err
	}
	s.v3Port = v3Ln.Addr().(*net.TCPAddr).Port
	s.grpcPort = grpcLn.Addr().(*net.TCPAddr).Port
	return []net.Listener{v3Ln, grpcLn}, nil
}

// serveSecondAPI accepts connections on ln until it closes and hands each
// to the protocol of the miner dialled, when ln serves that protocol.
func (s *Sim) serveSecondAPI(ln *roleListener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if !s.pause(5 * time.Millisecond) {
				return
			}
			continue
		}
		m := s.minerAt(c.LocalAddr())
		if m == nil || m.unreachable(s.elapsed()) {
			c.Close()
			continue
		}
		switch {
		case m.model.Family == hearth.FamilyWhatsminer && ln.roles&roleWhatsminerV3 != 0 && m.model.whatsminerV3:
			s.wg.Add(1)
			go s.handleWhatsminerV3(c, m)
		case m.model.Family == hearth.FamilyBraiins && ln.roles&roleGRPC != 0 && s.fw.grpc != nil:
			s.fw.grpc.hand(c)
		default:
			c.Close() // nothing listens on this port on that machine
		}
	}
}

// firmwareServers are the servers that take connections through hand-off
// listeners rather than their own sockets: Braiins OS's gRPC server and
// ePIC's HTTP server on the RPC port.
type firmwareServers struct {
	grpc     *handoffListener
	stopGRPC func()
	epic     *handoffListener
	stopEPIC func()
}

// startFirmwareServers starts the hand-off servers; the caller holds s.mu.
func (s *Sim) startFirmwareServers() {
	s.startBraiinsGRPC()
	s.startEPICHTTP()
}

// stopFirmwareServers stops them and waits for their handlers.
func (s *Sim) stopFirmwareServers() {
	for _, l := range []*handoffListener{s.fw.grpc, s.fw.epic} {
		if l != nil {
			l.Close()
		}
	}
	for _, stop := range []func(){s.fw.stopGRPC, s.fw.stopEPIC} {
		if stop != nil {
			stop()
		}
	}
}

// Package cgminertest provides a fake CGMiner RPC server for tests of
// drivers that speak the protocol: it answers recorded replies the way
// cgminer does (one request per connection, NUL-terminated reply, then
// close) and can misbehave on purpose (garbage, floods, trickles, silence).
package cgminertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"time"
)

// Handler serves one connection. request is what one read returned, as
// cgminer makes a single recv(); the handler writes what it likes to conn,
// which the server closes when the handler returns.
type Handler func(conn net.Conn, request []byte)

// Server is a fake cgminer listening on a loopback port.
type Server struct {
	// Addr is the address the server listens on, "127.0.0.1:port".
	Addr string

	ln      net.Listener
	handler Handler
	wg      sync.WaitGroup

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	commands []string
}

// NewServer starts a server on 127.0.0.1 with a free port. It panics if it
// cannot listen, as a test cannot go on without it.
func NewServer(h Handler) *Server {
	return NewServerAt("127.0.0.1:0", h)
}

// NewServerAt starts a server on addr; see NewServer.
func NewServerAt(addr string, h Handler) *Server {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		panic(fmt.Sprintf("cgminertest: listen: %v", err))
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, handler: h, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[conn] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.handle(conn)
	}
}

func (s *Server) handle(conn net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		conn.Close()
	}()
	buf := make([]byte, 4095)
	n, _ := conn.Read(buf)
	req := buf[:n]
	s.mu.Lock()
	s.commands = append(s.commands, commandOf(req))
	s.mu.Unlock()
	s.handler(conn, req)
}

// Commands returns the commands received so far, one per connection, in
// order of arrival.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// Close stops the server, closes open connections (which ends handlers
// blocked on them) and waits for the handlers to return.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// commandOf returns the command of a JSON or text-mode request.
func commandOf(req []byte) string {
	var r struct {
		Command string `json:"command"`
	}
	if bytes.HasPrefix(req, []byte("{")) {
		if json.Unmarshal(req, &r) == nil {
			return r.Command
		}
		return ""
	}
	cmd, _, _ := bytes.Cut(req, []byte("|"))
	return string(cmd)
}

// InvalidCommand is the reply cgminer gives to an unknown command (code 14,
// no Description, so that probes do not learn the version). Stock S19
// firmware gives it for joined commands such as "summary+pools" too.
func InvalidCommand() []byte {
	return fmt.Appendf(nil, `{"STATUS":[{"STATUS":"E","When":%d,"Code":14,"Msg":"Invalid command"}],"id":1}`, time.Now().Unix())
}

// Replies answers each command with its reply from replies, followed by a
// NUL, and closes the connection, as cgminer does. Unknown commands get
// InvalidCommand.
func Replies(replies map[string][]byte) Handler {
	return func(conn net.Conn, request []byte) {
		reply, ok := replies[commandOf(request)]
		if !ok {
			reply = InvalidCommand()
		}
		conn.Write(append(append([]byte(nil), reply...), 0))
	}
}

// Static writes reply exactly as given, whatever the request, and closes.
func Static(reply []byte) Handler {
	return func(conn net.Conn, _ []byte) { conn.Write(reply) }
}

// Flood writes size bytes of JSON-looking filler without ever ending it, a
// miner (or anything else on port 4028) that sends far too much.
func Flood(size int64) Handler {
	chunk := bytes.Repeat([]byte(`{"x":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},`), 1200)
	return func(conn net.Conn, _ []byte) {
		for sent := int64(0); sent < size; {
			n := min(int64(len(chunk)), size-sent)
			if _, err := conn.Write(chunk[:n]); err != nil {
				return
			}
			sent += n
		}
	}
}

// Trickle writes one byte of a never-ending reply every interval, until the
// client or the server closes the connection.
func Trickle(every time.Duration) Handler {
	return func(conn net.Conn, _ []byte) {
		body := []byte(`{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"Elapsed":1`)
		for i := 0; ; i++ {
			b := byte('0')
			if i < len(body) {
				b = body[i]
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(every)
		}
	}
}

// Silent accepts the request and never answers; the connection stays open
// until the client gives up or the server closes.
func Silent() Handler {
	return func(conn net.Conn, _ []byte) {
		buf := make([]byte, 64)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}
}

package sim

import (
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// The HTTP server. One http.Server on one wildcard listener serves the web
// interface of every simulated miner; the handler finds the miner from the
// request's local address (http.LocalAddrContextKey) and answers as its
// firmware does: AxeOS JSON for a Bitaxe, the Digest-protected CGI for an
// Antminer.

const (
	httpReadHeaderTimeout = 10 * time.Second
	// httpIdleTimeout closes kept-alive connections soon, so that a poller
	// with its own idle pool does not hold twice the descriptors.
	httpIdleTimeout = 5 * time.Second
)

// newHTTPServer returns the server; Start gives it the filtered listener.
func (s *Sim) newHTTPServer() *http.Server {
	return &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: httpReadHeaderTimeout,
		IdleTimeout:       httpIdleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0), // hostile clients are expected
	}
}

// simListener drops, at accept time, connections to addresses that are not
// simulated miners and to miners that are offline, so that http.Server
// never sees them.
type simListener struct {
	net.Listener
	s *Sim
}

func (l simListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		m := l.s.minerAt(c.LocalAddr())
		if m == nil || m.unreachable(l.s.elapsed()) {
			c.Close()
			continue
		}
		return c, nil
	}
}

// httpReply is a response before it goes on the wire.
type httpReply struct {
	status      int
	contentType string
	wwwAuth     string // WWW-Authenticate, for a 401
	cors        bool   // AxeOS adds CORS headers to its API replies
	body        []byte
}

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	m := s.minerAt(local)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	t := s.elapsed()
	set := m.faults.Load().activeAt(t)
	if m.unreachable(t) {
		// The fault or reboot began while the connection was kept alive.
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
		return
	}
	if !s.delayFirstByte(set) {
		return
	}
	now := s.now()
	snap := m.evaluate(s.elapsedAt(now), now.Unix(), s.ambient)

	bufp := s.getBuf()
	defer s.putBuf(bufp)
	var reply httpReply
	switch m.model.Family {
	case hearth.FamilyAxeOS:
		reply = s.axeOSReply(r, m, &snap, (*bufp)[:0])
	case hearth.FamilyLuxOS:
		reply = luxWebReply(r)
	case hearth.FamilyBraiins:
		reply = s.bosWebReply(r, m, &snap)
	case hearth.FamilyVNish:
		reply = s.vnishReply(r, m, &snap, (*bufp)[:0])
	case hearth.FamilyEPIC:
		reply = s.epicReply(r, m, &snap, (*bufp)[:0])
	case hearth.FamilyWhatsminer:
		reply = wmWebReply(r)
	default:
		reply = s.antWebReply(r, m, &snap, now, (*bufp)[:0])
	}
	if cap(reply.body) > cap(*bufp) {
		*bufp = reply.body[:0]
	}

	if snap.active&(setGarbled|setSlow) != 0 {
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if !s.track(c) {
			c.Close()
			return
		}
		defer s.untrack(c)
		defer c.Close()
		raw := appendRawResponse(nil, &reply, r)
		s.send(c, raw, snap.active, func() []byte {
			// Whole headers with a correct Content-Length, half a body.
			cut := reply
			cut.body = reply.body[:cutPoint(len(reply.body))]
			return appendRawResponse(nil, &cut, r)
		})
		return
	}

	h := w.Header()
	h.Set("Content-Type", reply.contentType)
	h.Set("Content-Length", strconv.Itoa(len(reply.body)))
	if reply.wwwAuth != "" {
		h.Set("WWW-Authenticate", reply.wwwAuth)
	}
	if reply.cors {
		setAxeOSCORS(h)
	}
	w.WriteHeader(reply.status)
	if r.Method != http.MethodHead {
		w.Write(reply.body)
	}
}

// setAxeOSCORS adds the headers ESP-Miner's set_cors_headers() sends.
func setAxeOSCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
}

// appendRawResponse serialises reply as an HTTP/1.1 response that closes
// the connection, for the faults that need the raw bytes.
func appendRawResponse(b []byte, reply *httpReply, r *http.Request) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(reply.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(reply.status)...)
	b = append(b, "\r\nContent-Type: "...)
	b = append(b, reply.contentType...)
	if reply.wwwAuth != "" {
		b = append(b, "\r\nWWW-Authenticate: "...)
		b = append(b, reply.wwwAuth...)
	}
	if reply.cors {
		b = append(b, "\r\nAccess-Control-Allow-Origin: *"...)
	}
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(reply.body)), 10)
	b = append(b, "\r\nConnection: close\r\n\r\n"...)
	if r.Method != http.MethodHead {
		b = append(b, reply.body...)
	}
	return b
}

package sim

import (
	"errors"
	"net"
	"time"

	"github.com/hearth-fleet/hearth"
)

// The CGMiner RPC server. One listener on the wildcard address serves every
// simulated Antminer: a connection's local (destination) address says which
// miner was dialled. Like cgminer's api(), it reads one request with a
// single read, replies, and closes the connection.

const (
	// rpcRequestMax is what cgminer's single recv() takes
	// (TMPBUFSIZ/2-1, api.c).
	rpcRequestMax = 4095
	// rpcReadTimeout bounds how long a connection may sit without sending
	// its request.
	rpcReadTimeout = 10 * time.Second
)

// serveRPC accepts connections until the listener closes.
func (s *Sim) serveRPC(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors or a similar passing trouble: back off
			// briefly instead of spinning.
			if !s.pause(5 * time.Millisecond) {
				return
			}
			continue
		}
		m := s.minerAt(c.LocalAddr())
		if m != nil && m.model.Family == hearth.FamilyEPIC && s.fw.epic != nil && !m.unreachable(s.elapsed()) {
			s.fw.epic.hand(c) // ePIC UMC speaks HTTP on 4028
			continue
		}
		if m == nil || !speaksRPC(m.model) || m.unreachable(s.elapsed()) {
			c.Close()
			continue
		}
		s.wg.Add(1)
		go s.handleRPC(c, m)
	}
}

// handleRPC answers one request on c for miner m.
func (s *Sim) handleRPC(c net.Conn, m *miner) {
	defer s.wg.Done()
	if !s.track(c) {
		c.Close()
		return
	}
	defer s.untrack(c)
	defer c.Close()
	if m.model.Family == hearth.FamilyAvalon {
		// Avalon's API thread answers one connection at a time: the next
		// waits, unread, until this one is done (see avalonLine).
		release, ok := s.avalonLine(m)
		if !ok {
			return
		}
		defer release()
	}

	bufp := s.getBuf()
	defer s.putBuf(bufp)
	if cap(*bufp) < rpcRequestMax {
		*bufp = make([]byte, 0, 16<<10)
	}
	in := (*bufp)[:rpcRequestMax]
	c.SetReadDeadline(time.Now().Add(rpcReadTimeout))
	n, _ := c.Read(in)
	if n == 0 {
		return // nothing came, or the client gave up: no reply, as cgminer
	}
	req := parseRPCRequest(in[:n])

	if !s.delayFirstByte(m.faults.Load().activeAt(s.elapsed())) {
		return
	}
	now := s.now()
	if m.model.Family == hearth.FamilyAvalon {
		s.avalonDue(m, s.elapsedAt(now)) // scheduled softoff, softon, reboot
	}
	snap := m.evaluate(s.elapsedAt(now), now.Unix(), s.ambient)
	w := apiWriter{b: (*bufp)[:0]}
	switch m.model.Family {
	case hearth.FamilyLuxOS:
		s.renderLuxOS(&w, req, m, &snap)
	case hearth.FamilyBraiins:
		s.renderBOSer(&w, req, m, &snap)
	case hearth.FamilyAvalon:
		s.renderAvalon(&w, req, m, &snap)
	case hearth.FamilyWhatsminer:
		s.renderWhatsminerV2(&w, in[:n], m, &snap)
	default:
		renderRPC(&w, req, m, &snap)
	}
	*bufp = w.b[:0] // keep a grown buffer for the next request
	reply := w.b
	s.send(c, reply, snap.active, func() []byte {
		// The reply cut short, ended with the NUL a client waits for.
		cut := cutPoint(len(reply) - 1)
		return append(append(make([]byte, 0, cut+1), reply[:cut]...), 0)
	})
}

// speaksRPC reports whether model's firmware answers the CGMiner RPC.
// btminer with API v3 has closed it.
func speaksRPC(model *Model) bool {
	return model.Family == hearth.FamilyAntminer || model.Family == hearth.FamilyLuxOS ||
		model.Family == hearth.FamilyBraiins || model.Family == hearth.FamilyAvalon ||
		model.Family == hearth.FamilyWhatsminer && !model.whatsminerV3
}

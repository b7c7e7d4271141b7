package sim

import (
	"math/rand/v2"
	"net"
	"time"
)

// Wire faults: how a reply leaves the simulator when the miner is set to
// answer late (high-latency), slowly (slow) or with garbage (garbled). The
// same code serves the RPC port and HTTP, so a driver meets the same
// misbehaviour on both.

const (
	latencyMin   = 150 * time.Millisecond
	latencyMax   = 300 * time.Millisecond
	trickleEvery = 200 * time.Millisecond
	// writeTimeout bounds one write to a client that stopped reading.
	writeTimeout = 10 * time.Second
)

// pause waits d, or less if the simulator closes; it reports whether the
// whole time passed.
func (s *Sim) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

// delayFirstByte applies the high-latency fault before a reply is
// rendered; it reports false when the simulator closed meanwhile.
func (s *Sim) delayFirstByte(set faultSet) bool {
	if !set.has(setHighLatency) {
		return true
	}
	return s.pause(latencyMin + rand.N(latencyMax-latencyMin))
}

// send writes reply to c, garbled and trickled when the faults say so. A
// garbled reply is either random bytes or, at random, what truncated
// returns: the reply cut short but framed as the protocol frames a whole
// one (a NUL for CGMiner RPC, a correct Content-Length for HTTP), so that
// the client sees what looks like a complete reply but is not: repaired
// as real firmware's cut-short replies are, it would lack every field
// after the cut.
func (s *Sim) send(c net.Conn, reply []byte, set faultSet, truncated func() []byte) {
	if set.has(setGarbled) {
		if rand.IntN(2) == 0 {
			reply = randomBytes()
		} else {
			reply = truncated()
		}
	}
	if set.has(setSlow) {
		s.trickle(c, reply)
		return
	}
	c.SetWriteDeadline(time.Now().Add(writeTimeout))
	c.Write(reply)
}

func randomBytes() []byte {
	out := make([]byte, 32+rand.IntN(480))
	for i := range out {
		out[i] = byte(rand.Uint32())
	}
	return out
}

// cutPoint picks where to cut a reply of n bytes: somewhere in its middle
// half.
func cutPoint(n int) int {
	if n < 4 {
		return n / 2
	}
	return n/4 + rand.IntN(n/2)
}

// trickle writes data one byte at a time, trickleEvery apart.
func (s *Sim) trickle(c net.Conn, data []byte) {
	for i := range data {
		if i > 0 && !s.pause(trickleEvery) {
			return
		}
		c.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := c.Write(data[i : i+1]); err != nil {
			return
		}
	}
}

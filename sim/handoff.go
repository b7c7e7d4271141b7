package sim

import (
	"net"
	"sync"
)

// handoffListener is a net.Listener fed by the simulator's own accept
// loops rather than by a socket. It lets a server that wants a listener
// (an http.Server for ePIC's HTTP on the RPC port, a gRPC server for
// Braiins OS) serve only the connections the simulator hands it after
// finding out, from the destination address, which miner was dialled.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// hand passes c to the server behind l; it closes c and reports false when
// l is closed.
func (l *handoffListener) hand(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		c.Close()
		return false
	}
}

// Accept returns the next connection handed over.
func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept; connections already accepted are the server's.
func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the address of the socket the connections came from.
func (l *handoffListener) Addr() net.Addr { return l.addr }

// Package cgminer speaks the CGMiner RPC API: the JSON-over-TCP protocol on
// port 4028 that cgminer and its forks (Bitmain's bmminer, LuxOS, Avalon,
// the cgminer-compatible side of Braiins OS) answer.
//
// The protocol sends one command per TCP connection and answers with one
// JSON object, usually terminated by a NUL byte. Firmwares bend the JSON in
// known ways, so replies are repaired (see Repair) before they are parsed
// into a Document, a compact read-only tree whose values accept numbers
// and numeric strings alike. The Client caps every reply and bounds every
// request by a deadline, so a broken or hostile miner cannot stall or
// exhaust hearth; its errors carry hearth error codes.
package cgminer

import "time"

const (
	// DefaultPort is the TCP port cgminer listens on unless configured
	// otherwise (--api-port).
	DefaultPort = 4028

	// DefaultTimeout bounds one request (connect, send, read) when the
	// Client sets no Timeout. It matches what pyasic and asic-rs allow a
	// miner to answer.
	DefaultTimeout = 5 * time.Second

	// MaxReplySize is the largest reply, in bytes without the terminating
	// NUL, a Client accepts unless configured otherwise. The largest real
	// replies (stats of a big Avalon, a Whatsminer with hundreds of errors)
	// stay well below it.
	MaxReplySize = 1 << 20

	// MaxRequestSize is the largest request cgminer reads: it makes one
	// recv() of at most 4095 bytes, so a longer request would be cut.
	MaxRequestSize = 4095
)

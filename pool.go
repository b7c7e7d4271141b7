package hearth

import "strings"

// StratumV2Scheme is the URL scheme of a Stratum V2 pool, as Braiins OS and
// pyasic write it: stratum2+tcp://host:port/AUTHORITY_PUBKEY, the last part
// being the pool's authority public key that the Noise handshake checks.
const StratumV2Scheme = "stratum2+tcp"

// CapStratumV2: the firmware mines on Stratum V2 pools itself. hearth
// refuses to give a Stratum V2 URL to a miner whose driver lacks it (the
// miner would otherwise keep failing to connect), rather than let the
// firmware reject it or, worse, accept it and stop hashing.
const CapStratumV2 Capability = "stratum_v2"

// StratumV2 reports whether p is a Stratum V2 pool.
func (p PoolConfig) StratumV2() bool {
	scheme, _, ok := strings.Cut(p.URL, "://")
	return ok && strings.EqualFold(scheme, StratumV2Scheme)
}

// validateStratumV2 reports an EINVALID error when p is a Stratum V2 pool
// whose URL lacks the host, port or authority key a miner needs.
func (p PoolConfig) validateStratumV2() error {
	_, rest, _ := strings.Cut(p.URL, "://")
	hostPort, key, _ := strings.Cut(rest, "/")
	host, port, hasPort := strings.Cut(hostPort, ":")
	if host == "" || !hasPort || port == "" || strings.Trim(port, "0123456789") != "" {
		return Errorf(EINVALID, "Stratum V2 pool %q must name a host and a port, as in %s://pool.example.com:3336/AUTHORITY_PUBKEY.", p.URL, StratumV2Scheme)
	}
	if key == "" || strings.Contains(key, "/") {
		return Errorf(EINVALID, "Stratum V2 pool %q must end with the pool's authority public key, as in %s://%s/AUTHORITY_PUBKEY.", p.URL, StratumV2Scheme, hostPort)
	}
	return nil
}

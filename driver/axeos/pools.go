package axeos

import (
	"net"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Pool status values of hearth.Pool.
const (
	poolAlive    = "alive"
	poolDead     = "dead"
	poolDisabled = "disabled"
	poolUnknown  = "unknown"
)

// pools returns the configured pools in priority order: the primary, the
// fallback, then (v2.15.0+) any further stored slots, which AxeOS keeps as
// presets but does not mine on, hence "disabled".
//
// AxeOS counts shares per session, not per pool; hearth credits them to
// the pool in use. Only that pool's status is known, from
// poolConnectionInfo (v2.13.0+); older firmware leaves it "unknown".
func (s *systemInfo) pools() []hearth.Pool {
	var out []hearth.Pool
	if s.Pools != nil {
		out = s.slotPools()
	} else {
		out = s.legacyPools()
	}
	for i := range out {
		if out[i].Active {
			out[i].Status = s.activePoolStatus()
			out[i].Accepted = s.SharesAccepted.count()
			out[i].Rejected = s.SharesRejected.count()
		}
	}
	return out
}

// slotPools maps pools[] of v2.15.0 and later. Index is the firmware's slot.
func (s *systemInfo) slotPools() []hearth.Pool {
	primary, secondary := s.PrimaryPoolIndex.int(), s.SecondaryPoolIndex.int()
	if !s.SecondaryPoolIndex.ok {
		secondary = -1
	}
	active := primary
	if s.IsUsingFallbackStratum.v && secondary >= 0 {
		active = secondary
	}
	out := make([]hearth.Pool, 0, len(s.Pools))
	var rest []hearth.Pool
	for _, p := range s.Pools {
		url := stratumURL(p.URL, p.Port.int(), p.TLS.int(), p.Protocol)
		if url == "" {
			continue
		}
		slot := p.ID.int()
		pool := hearth.Pool{Index: slot, URL: url, User: p.User, Status: poolUnknown, Active: slot == active}
		switch slot {
		case primary:
			pool.Priority = 0
			out = append([]hearth.Pool{pool}, out...)
		case secondary:
			pool.Priority = 1
			out = append(out, pool)
		default:
			pool.Status = poolDisabled
			rest = append(rest, pool)
		}
	}
	for i := range rest {
		rest[i].Priority = len(out) + i
	}
	return append(out, rest...)
}

// legacyPools maps the flat stratum* and fallbackStratum* fields that every
// release sends.
func (s *systemInfo) legacyPools() []hearth.Pool {
	fallback := s.IsUsingFallbackStratum.v
	var out []hearth.Pool
	if url := stratumURL(s.StratumURL, s.StratumPort.int(), s.StratumTLS.int(), s.StratumProtocol); url != "" {
		out = append(out, hearth.Pool{Index: 0, URL: url, User: s.StratumUser, Status: poolUnknown, Active: !fallback, Priority: 0})
	}
	if url := stratumURL(s.FallbackStratumURL, s.FallbackStratumPort.int(), s.FallbackStratumTLS.int(), s.FallbackStratumProtocol); url != "" {
		out = append(out, hearth.Pool{Index: 1, URL: url, User: s.FallbackStratumUser, Status: poolUnknown, Active: fallback, Priority: 1})
	}
	return out
}

// activePoolStatus reads poolConnectionInfo: "IPv4" or "IPv6" (with a TLS
// note) once connected, "Not Connected" or an "SV2: ..." complaint
// otherwise.
func (s *systemInfo) activePoolStatus() string {
	if s.PoolConnectionInfo == nil {
		return poolUnknown
	}
	info := strings.TrimSpace(*s.PoolConnectionInfo)
	if strings.HasPrefix(info, "IPv4") || strings.HasPrefix(info, "IPv6") {
		return poolAlive
	}
	return poolDead
}

// stratumURL rebuilds a pool URL from AxeOS's parts. The firmware stores
// the host bare ("btc.example.pool") with the port apart, but tools such as
// pyasic write a full URL into stratumURL, so a scheme or port already
// present is tolerated: the port field wins, and the scheme follows the
// protocol (stratum2+tcp for SV2) and TLS setting (stratum+ssl), else the
// one written, else stratum+tcp. It returns "" for an empty host.
func stratumURL(host string, port, tls int, protocol string) string {
	host = strings.TrimSpace(host)
	scheme := ""
	if before, after, found := strings.Cut(host, "://"); found {
		scheme, host = strings.ToLower(before), after
	}
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	if host == "" {
		return ""
	}
	switch {
	case strings.EqualFold(protocol, "SV2"):
		scheme = "stratum2+tcp"
	case tls > 0:
		scheme = "stratum+ssl"
	case scheme == "":
		scheme = "stratum+tcp"
	}
	if port > 0 && port <= 65535 {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
	}
	return scheme + "://" + host
}

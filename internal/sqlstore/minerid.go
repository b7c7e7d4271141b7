package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// MaxIDLen bounds a miner ID. 63 is a DNS label's limit: IDs derived from
// hostnames fit, and an ID stays short enough for a URL and a metric label.
const MaxIDLen = 63

// The ID derivation below is pure and knows nothing of any database: it
// asks taken whether a candidate is in use, so every store derives the same
// IDs.

// DeriveMinerID chooses an ID for a miner that has none, in order of
// preference:
//
//  1. its hostname, lowercased and reduced to [a-z0-9-] ("sim-00042");
//  2. hostname and the last 6 hex digits of its MAC ("antminer-a1b2c3"),
//     because stock firmware gives every machine the same hostname;
//  3. its address ("m-10-0-0-17"), with the port when it is not the
//     default ("m-10-0-0-17-4029");
//
// and when all of those are taken, the address form with a numeric suffix
// ("m-10-0-0-17-2").
func DeriveMinerID(ctx context.Context, m *hearth.Miner, taken func(ctx context.Context, id string) (bool, error)) (string, error) {
	candidates := MinerIDCandidates(m)
	for _, id := range candidates {
		if t, err := taken(ctx, id); err != nil || !t {
			return id, err
		}
	}
	addr := candidates[len(candidates)-1]
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		id := sanitizeID(addr, MaxIDLen-len(suffix)) + suffix
		if t, err := taken(ctx, id); err != nil || !t {
			return id, err
		}
	}
}

// MinerIDCandidates returns the IDs DeriveMinerID tries first for m, in
// order, ending with the address form; the numeric suffixes come after
// them. A store adding many miners can look all of them up at once.
func MinerIDCandidates(m *hearth.Miner) []string {
	var candidates []string
	if host := sanitizeID(m.Hostname, MaxIDLen); host != "" {
		candidates = append(candidates, host)
		if mac := macSuffix(m.MAC); mac != "" {
			host = sanitizeID(m.Hostname, MaxIDLen-len(mac)-1)
			candidates = append(candidates, host+"-"+mac)
		}
	}
	addr := "m-" + m.Address
	if m.Port != 0 {
		addr += "-" + strconv.Itoa(m.Port)
	}
	return append(candidates, sanitizeID(addr, MaxIDLen))
}

// sanitizeID lowercases s, turns every run of characters outside [a-z0-9]
// into one '-', trims dashes from both ends and cuts the result to at most
// n bytes. Hostnames come from the miners themselves, so anything may be in
// them; what comes out is always safe in a URL path and a label value.
func sanitizeID(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > n {
		out = strings.TrimRight(out[:n], "-")
	}
	return out
}

// macSuffix returns the last 6 hex digits of mac in lower case, or "" when
// it has fewer.
func macSuffix(mac string) string {
	var hex []byte
	for i := 0; i < len(mac); i++ {
		c := mac[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			hex = append(hex, c)
		case c >= 'A' && c <= 'F':
			hex = append(hex, c+'a'-'A')
		}
	}
	if len(hex) < 6 {
		return ""
	}
	return string(hex[len(hex)-6:])
}

// ValidID reports whether a caller-chosen ID is usable: 1 to 63 characters
// from [A-Za-z0-9._-], the unreserved characters of a URL path, so the ID
// needs no escaping anywhere it appears. "." and ".." are refused because a
// URL path would resolve them away.
func ValidID(id string) bool {
	if id == "" || id == "." || id == ".." || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

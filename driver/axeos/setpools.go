package axeos

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// maxPools is how many pools AxeOS's flat settings hold: the primary
// (stratum*) and the fallback (fallbackStratum*).
const maxPools = 2

// settingsPools is the PATCH /api/system body that sets the pools. AxeOS
// keeps the host in stratumURL and the port apart in stratumPort.
type settingsPools struct {
	StratumURL      string `json:"stratumURL"`
	StratumPort     int    `json:"stratumPort"`
	StratumUser     string `json:"stratumUser"`
	StratumPassword string `json:"stratumPassword"`

	FallbackStratumURL      string `json:"fallbackStratumURL,omitempty"`
	FallbackStratumPort     int    `json:"fallbackStratumPort,omitempty"`
	FallbackStratumUser     string `json:"fallbackStratumUser,omitempty"`
	FallbackStratumPassword string `json:"fallbackStratumPassword,omitempty"`
}

// SetPools sets the primary pool and, when a second is given, the fallback,
// with one PATCH /api/system; AxeOS answers HTTP 200 with an empty body.
// The URLs are split into a bare host and a port, as AxeOS stores them.
//
// The body depends on the release, which SetPools reads from
// /api/system/info first:
//
//   - up to v2.14, the flat settings stratumURL, stratumPort, stratumUser,
//     stratumPassword and their fallbackStratum* equivalents;
//   - from v2.15.0 (the info reply lists pools[]), the flat settings are
//     gone and would be ignored without an error, so the body is
//     {"pools":[{"id":0,…},{"id":1,…}],"primaryPoolIndex":0,
//     "secondaryPoolIndex":1} with the same stratum* names in each entry.
//
// AxeOS mines with two pools, a primary and a fallback, so a third is
// refused with EINVALID. With a single pool the fallback is left as it is:
// AxeOS always has a fallback slot and no way to leave it empty. Only plain
// stratum V1 URLs (stratum+tcp://host:port) are accepted; TLS and stratum
// V2 settings are not set by hearth yet and give EINVALID rather than a
// pool that silently connects without them.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	entries, err := poolEntries(pools)
	if err != nil {
		return err
	}
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	info, _, err := d.systemInfo(ctx, base)
	if err != nil {
		return fmt.Errorf("axeos set pools %s: %w", hostport, err)
	}
	var body []byte
	if len(info.Pools) > 0 {
		body, err = poolListSettings(entries)
	} else {
		body, err = flatPoolSettings(entries)
	}
	if err != nil {
		return err
	}
	_, err = d.send(ctx, t, http.MethodPatch, pathSettings, body, "set pools", "")
	return err
}

// poolEntry is one pool as AxeOS stores it: an entry of pools[] (v2.15+),
// or the stratum* / fallbackStratum* settings before.
type poolEntry struct {
	ID       int    `json:"id"`
	URL      string `json:"stratumURL"`
	Port     int    `json:"stratumPort"`
	User     string `json:"stratumUser"`
	Password string `json:"stratumPassword"`
}

// poolEntries checks pools and splits their URLs.
func poolEntries(pools []hearth.PoolConfig) ([]poolEntry, error) {
	switch {
	case len(pools) == 0:
		return nil, hearth.Errorf(hearth.EINVALID, "At least one pool is required.")
	case len(pools) > maxPools:
		return nil, hearth.Errorf(hearth.EINVALID, "AxeOS keeps two pools (a primary and a fallback), not %d.", len(pools))
	}
	entries := make([]poolEntry, len(pools))
	for i, p := range pools {
		host, port, err := splitStratumURL(p.URL)
		if err != nil {
			return nil, err
		}
		if p.User == "" {
			return nil, hearth.Errorf(hearth.EINVALID, "Pool %q needs a user (worker name).", p.URL)
		}
		entries[i] = poolEntry{ID: i, URL: host, Port: port, User: p.User, Password: p.Password}
	}
	return entries, nil
}

// flatPoolSettings is the PATCH body up to v2.14.
func flatPoolSettings(entries []poolEntry) ([]byte, error) {
	var s settingsPools
	s.StratumURL, s.StratumPort, s.StratumUser, s.StratumPassword = entries[0].URL, entries[0].Port, entries[0].User, entries[0].Password
	if len(entries) == 2 {
		s.FallbackStratumURL, s.FallbackStratumPort = entries[1].URL, entries[1].Port
		s.FallbackStratumUser, s.FallbackStratumPassword = entries[1].User, entries[1].Password
	}
	return encodeSettings(s)
}

// poolListSettings is the PATCH body from v2.15.0: the pools in slots 0
// and 1, made primary and fallback.
func poolListSettings(entries []poolEntry) ([]byte, error) {
	s := struct {
		Pools     []poolEntry `json:"pools"`
		Primary   int         `json:"primaryPoolIndex"`
		Secondary *int        `json:"secondaryPoolIndex,omitempty"`
	}{Pools: entries, Primary: 0}
	if len(entries) == 2 {
		one := 1
		s.Secondary = &one
	}
	return encodeSettings(s)
}

func encodeSettings(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINTERNAL, err, "Encoding pool settings failed.")
	}
	return b, nil
}

// splitStratumURL splits "stratum+tcp://host:port" (or "stratum://",
// "tcp://" or a bare "host:port") into the bare host and the port.
func splitStratumURL(raw string) (host string, port int, err error) {
	s := strings.TrimSpace(raw)
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "stratum+tcp", "stratum", "tcp":
		default:
			return "", 0, hearth.Errorf(hearth.EINVALID, "Pool URL %q: hearth sets only plain stratum V1 pools (stratum+tcp://) on AxeOS, not %s.", raw, scheme)
		}
		s = rest
	}
	s = strings.TrimSuffix(s, "/")
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, hearth.Errorf(hearth.EINVALID, "Pool URL %q must name a host and a port, as in stratum+tcp://pool.example.com:3333.", raw)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, hearth.Errorf(hearth.EINVALID, "Pool URL %q has a bad port %q.", raw, p)
	}
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/?#@ \t") {
		return "", 0, hearth.Errorf(hearth.EINVALID, "Pool URL %q has a bad host %q.", raw, h)
	}
	return h, n, nil
}

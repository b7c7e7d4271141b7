package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// This file holds what every Braiins OS interface of the simulator shares:
// the firmware builds the models run, the API sessions, the pool groups
// and the tuner's power target. The wire formats are in braiinsgrpc.go
// (gRPC public API on 50051), braiinsrest.go (REST /api/v1, 25.07+) and
// braiinsrpc.go (the cgminer-compatible RPC on 4028).

// bosFirmware is one Braiins OS build on one kind of hardware: what
// GetMinerDetails, GetApiVersion and the RPC's version report.
type bosFirmware struct {
	current  string    // bos_version.current
	major    string    // bos_version.major
	api      [3]uint64 // ApiVersion major, minor, patch
	boser    string    // the RPC's VERSION[0].BOSer
	identity string    // miner_identity.name and .miner_model
	// modelEnum is the deprecated MinerModel enum; 0 for models it lacks.
	modelEnum uint64
	platform  uint64 // Platform enum
	socFamily uint64 // ControlBoardSocFamily enum
	bosMode   uint64 // BosMode enum
	kernel    string // kernel_version
	devModel  string // the RPC's DEVDETAILS[].Model
	chipType  string // Hashboard.chip_type
	boardName string // Hashboard.board_name
	psuModel  string // psu_info.model_name
	// powerMin and powerMax bound the tuner's power target, in watts.
	powerMin, powerMax int
	// rest is true for builds that serve the REST API (25.07+).
	rest bool
}

// The Braiins OS builds of the simulated models. Version strings follow
// the real ones' "date-n-commit-release-plus" form; the S21 string is the
// captured 25.07 release.
var (
	bosS19jPro2409 = bosFirmware{
		current: "2024-09-23-0-26ba61b9-24.09-plus", major: "2022-09-13-0-11012d53-22.08-plus",
		api: [3]uint64{1, 3, 0}, boser: "boser-buildroot 0.1.0-75912fc7",
		identity: "Antminer S19J Pro", modelEnum: 15,
		platform: 4, socFamily: 3, bosMode: 4, kernel: "4.9.113",
		devModel: "Bitmain S19j Pro", chipType: "BM1362", boardName: "BHB42601",
		psuModel: "APW121215a", powerMin: 1100, powerMax: 3600,
	}
	bosS212507 = bosFirmware{
		current: "2025-08-06-0-3881c51d-25.07-plus", major: "2022-09-13-0-11012d53-22.08-plus",
		api: [3]uint64{1, 7, 0}, boser: "boser-buildroot 0.1.0-3881c51d",
		identity: "Antminer S21", modelEnum: 0,
		platform: 6, socFamily: 1, bosMode: 5, kernel: "5.10.4",
		devModel: "Bitmain S21", chipType: "BM1368", boardName: "BHB68601",
		psuModel: "APW171215a", powerMin: 1500, powerMax: 4100, rest: true,
	}
)

// Braiins OS authentication: the default account and how long an unused
// token lives.
const (
	bosUser         = "root"
	bosPassword     = "root"
	bosTokenTimeout = 3600 // seconds of inactivity, LoginResponse.timeout_s
	// bosMaxTokens bounds the sessions one miner keeps; the oldest goes.
	bosMaxTokens = 64
	// bosTokenLen is the length of a token, as the firmware's
	// ("eUInGZBQ4yGyKiDe").
	bosTokenLen = 16
)

// bosState is a Braiins OS miner's API state: its sessions and its pool
// groups. It lives in minerControl, allocated on a miner's first login.
type bosState struct {
	tokens map[string]float64 // token → sim time of its last use
	// groups are the pool groups as last written; nil means the factory
	// configuration: one group holding MinerSettings.Pools.
	groups []bosPoolGroup
	seq    uint64 // uids handed out
}

// bosPoolGroup is a pool group as Braiins OS stores it.
type bosPoolGroup struct {
	uid   string
	name  string
	quota uint32  // load-balance quota; 0 when fixedShare is used
	ratio float64 // fixed_share_ratio; used when quota is 0 and hasRatio
	// hasRatio is true when the group balances by fixed share ratio.
	hasRatio bool
	pools    []bosPool
}

// bosPool is one pool of a group.
type bosPool struct {
	uid      string
	url      string
	user     string
	password string
	enabled  bool
}

// bosWorkOf maps a Braiins OS miner's settings to the physics: the tuner
// scales chip clocks so that power meets the power target, and hash rate
// follows power; a paused miner does not hash.
func bosWorkOf(model *Model, st *MinerSettings) (work, freq float64, idle bool) {
	work = 1
	if st.PowerTargetW > 0 {
		work = float64(st.PowerTargetW) / model.Power
	}
	if st.Paused {
		return 0, work, true
	}
	return work, work, false
}

// clampPowerTarget bounds a requested power target to what the tuner of
// model accepts, as the firmware does rather than refusing.
func clampPowerTarget(model *Model, watt uint64) int {
	lo, hi := uint64(model.bos.powerMin), uint64(model.bos.powerMax)
	return int(min(max(watt, lo), hi))
}

// bosLogin checks the credentials and opens a session on m at sim time
// t; it returns "" for wrong credentials.
func (s *Sim) bosLogin(m *miner, t float64, user, password string) string {
	if user != bosUser || password != bosPassword {
		return ""
	}
	c := m.control()
	c.mu.Lock()
	defer c.mu.Unlock()
	b := &c.bos
	if b.tokens == nil {
		b.tokens = map[string]float64{}
	}
	for tok, used := range b.tokens {
		if t-used >= bosTokenTimeout {
			delete(b.tokens, tok)
		}
	}
	if len(b.tokens) >= bosMaxTokens {
		oldest, at := "", math.Inf(1)
		for tok, used := range b.tokens {
			if used < at {
				oldest, at = tok, used
			}
		}
		delete(b.tokens, oldest)
	}
	tok := randomToken()
	b.tokens[tok] = t
	return tok
}

// bosAuthorized reports whether token is a live session on m at sim time
// t, and extends it: each request restarts the inactivity timeout.
func (s *Sim) bosAuthorized(m *miner, t float64, token string) bool {
	if token == "" {
		return false
	}
	c := m.ctl.Load()
	if c == nil {
		return false // nobody has logged in yet
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	used, ok := c.bos.tokens[token]
	if !ok {
		return false
	}
	if t-used >= bosTokenTimeout {
		delete(c.bos.tokens, token)
		return false
	}
	c.bos.tokens[token] = t
	return true
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomToken returns a fresh session token in the firmware's alphabet.
func randomToken() string {
	var b [bosTokenLen]byte
	for i := range b {
		b[i] = tokenAlphabet[rand.IntN(len(tokenAlphabet))]
	}
	return string(b[:])
}

// bosUID derives the n-th uid of miner m: 16 characters in the
// firmware's alphabet, stable for a seed.
func bosUID(m *miner, n uint64) string {
	var b [16]byte
	x := m.draw.bits(saltSerial+2+n<<8) | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = tokenAlphabet[x%uint64(len(tokenAlphabet))]
	}
	return string(b[:])
}

// bosGroups returns m's pool groups at sim time t: the written ones, or
// the factory group made of the default pools.
func (m *miner) bosGroups(t float64) []bosPoolGroup {
	if c := m.ctl.Load(); c != nil {
		c.mu.Lock()
		groups := cloneGroups(c.bos.groups)
		c.mu.Unlock()
		if groups != nil {
			return groups
		}
	}
	g := bosPoolGroup{uid: bosUID(m, 0), name: "Default", quota: 1}
	for i, p := range m.settingsAt(t).Pools {
		g.pools = append(g.pools, bosPool{uid: bosUID(m, uint64(i)+1), url: p.URL, user: p.User, password: p.Password, enabled: true})
	}
	return []bosPoolGroup{g}
}

func cloneGroups(in []bosPoolGroup) []bosPoolGroup {
	if in == nil {
		return nil
	}
	out := make([]bosPoolGroup, len(in))
	for i, g := range in {
		g.pools = append([]bosPool(nil), g.pools...)
		out[i] = g
	}
	return out
}

// activePool returns the group and pool index of the pool a miner mines
// on: the first enabled pool of the first group that has one; -1, -1
// when no pool is enabled.
func activePool(groups []bosPoolGroup) (int, int) {
	for gi, g := range groups {
		for pi, p := range g.pools {
			if p.enabled {
				return gi, pi
			}
		}
	}
	return -1, -1
}

// Limits of a pool configuration the simulated firmware stores.
const (
	bosMaxGroups        = 16
	bosMaxPoolsPerGroup = 16
)

// checkPoolGroups validates a pool configuration as the firmware does
// before it saves one; the error text is the reply's message.
func checkPoolGroups(groups []bosPoolGroup) error {
	if len(groups) > bosMaxGroups {
		return fmt.Errorf("too many pool groups: %d (at most %d)", len(groups), bosMaxGroups)
	}
	names := map[string]bool{}
	for i, g := range groups {
		if strings.TrimSpace(g.name) == "" {
			return fmt.Errorf("pool group %d: name is empty", i+1)
		}
		if names[g.name] {
			return fmt.Errorf("pool group %q: name used twice", g.name)
		}
		names[g.name] = true
		if g.hasRatio && !(g.ratio >= 0 && g.ratio <= 1) {
			return fmt.Errorf("pool group %q: fixed share ratio %v outside 0.0-1.0", g.name, g.ratio)
		}
		if len(g.pools) > bosMaxPoolsPerGroup {
			return fmt.Errorf("pool group %q: too many pools: %d (at most %d)", g.name, len(g.pools), bosMaxPoolsPerGroup)
		}
		for j, p := range g.pools {
			if !validStratumURL(p.url) {
				return fmt.Errorf("pool group %q pool %d: invalid url %q", g.name, j+1, p.url)
			}
			if p.user == "" {
				return fmt.Errorf("pool group %q pool %d: user is empty", g.name, j+1)
			}
		}
	}
	return nil
}

// validStratumURL reports whether u is a pool URL the firmware stores:
// stratum+tcp:// or stratum+ssl:// with a host and port, or a Stratum V2
// pool, stratum2+tcp://host:port/AUTHORITY_PUBKEY, whose last part is the
// pool's authority public key (Base58, as the firmware checks it before
// the Noise handshake can use it).
func validStratumURL(u string) bool {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || strings.ContainsAny(rest, " \t") {
		return false
	}
	hostPort := rest
	switch scheme {
	case "stratum+tcp", "stratum+ssl":
		if strings.Contains(rest, "/") {
			return false
		}
	case "stratum2+tcp":
		var key string
		hostPort, key, _ = strings.Cut(rest, "/")
		if !validAuthorityKey(key) {
			return false
		}
	default:
		return false
	}
	host, port, found := strings.Cut(hostPort, ":")
	if !found || host == "" || port == "" || len(port) > 5 {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// base58Alphabet is Bitcoin's Base58 alphabet, in which Stratum V2 pools
// publish their authority public keys.
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// validAuthorityKey reports whether key looks like a Stratum V2 authority
// public key: Base58Check of a version and a 32-byte x-only key, which is
// 40 to 60 characters of the Base58 alphabet.
func validAuthorityKey(key string) bool {
	if len(key) < 40 || len(key) > 60 {
		return false
	}
	for _, c := range key {
		if !strings.ContainsRune(base58Alphabet, c) {
			return false
		}
	}
	return true
}

// setPoolGroups stores groups on m at sim time t, giving uids to groups
// and pools without one; MinerSettings.Pools becomes the pools of every
// group in order. Saving with apply restarts mining, which the simulator
// plays as a counter reset without downtime.
func (s *Sim) setPoolGroups(m *miner, t float64, groups []bosPoolGroup) []bosPoolGroup {
	var stored []bosPoolGroup
	s.write(m, t, false, func(c *minerControl) {
		for gi := range groups {
			g := &groups[gi]
			if g.uid == "" {
				c.bos.seq++
				g.uid = bosUID(m, 1000+c.bos.seq)
			}
			for pi := range g.pools {
				if g.pools[pi].uid == "" {
					c.bos.seq++
					g.pools[pi].uid = bosUID(m, 1000+c.bos.seq)
				}
			}
		}
		c.bos.groups = cloneGroups(groups)
		if c.bos.groups == nil {
			c.bos.groups = []bosPoolGroup{}
		}
		c.settings.Pools = c.settings.Pools[:0]
		for _, g := range groups {
			for _, p := range g.pools {
				c.settings.Pools = append(c.settings.Pools, PoolSetting{URL: p.url, User: p.user, Password: p.password})
			}
		}
		stored = cloneGroups(c.bos.groups)
	})
	return stored
}

// bosSystemUptime is how long the control board has been up: the mining
// process starts about 40 s after the kernel.
func bosSystemUptime(snap *snapshot) uint64 { return uint64(snap.uptime) + 41 }

// bosStatus is the MinerStatus enum of m now: NORMAL or PAUSED.
func bosStatus(m *miner) uint64 {
	if m.faults.Load().idle() {
		return 3 // MINER_STATUS_PAUSED
	}
	return 2 // MINER_STATUS_NORMAL
}

// bosNominalGHs is the hash rate the tuner expects at the current target,
// in GH/s: BOS's nominal_hashrate.
func bosNominalGHs(m *miner, snap *snapshot) float64 {
	return snap.ideal * m.faults.Load().workMul()
}

// bosWindowGHs are the real_hashrate windows of BOS, in GH/s: the short
// ones follow the current rate, the long ones the 30-minute mean, and
// since_restart the share-derived average.
func bosWindowGHs(snap *snapshot) [10]float64 {
	cur, long := snap.rate, snap.rate30m
	return [10]float64{
		cur, cur*0.998 + long*0.002, (cur + long) / 2, (cur + long) / 2,
		long, long, long, long, long, snap.rateAvg,
	}
}

// bosBestShareStr formats a best share as the firmware's best_share_str
// ("776.34M").
func bosBestShareStr(best uint64) string {
	v := float64(best)
	for _, unit := range []string{"", "K", "M", "G", "T", "P"} {
		if v < 1000 || unit == "P" {
			if unit == "" {
				return fmt.Sprintf("%d", best)
			}
			return fmt.Sprintf("%.2f%s", v, unit)
		}
		v /= 1000
	}
	return ""
}

// bosEfficiency is joules per terahash at snap, 0 when not hashing.
func bosEfficiency(snap *snapshot) float64 {
	if snap.rate <= 0 {
		return 0
	}
	return snap.power / (snap.rate / 1000)
}

// chipMaxOf is the hottest chip sensor of board b.
func chipMaxOf(b *boardSnap) int { return max4(b.chip) }

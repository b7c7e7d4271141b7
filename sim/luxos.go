package sim

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// This file plays LuxOS (Luxor's LUXminer) on simulated Antminer hardware:
// the CGMiner RPC on 4028 with LuxOS's extensions. Read replies follow the
// captured LuxOS 2025.4 fixtures of the protocol reference (§4, A.3):
// GH/s rates, a "LUXminer …" Description, STATS in bmminer's layout
// (without bmminer's "}{" quirk) and POWER in watts. Writes follow the
// session model: logon hands out the miner's only session, privileged
// commands carry its id as the first element of their parameter, and
// logoff ends it. Status codes that no fixture shows (the session and
// write commands) are the simulator's choice in LuxOS's 300 range.

// LuxOS STATUS codes.
const (
	luxCodeConfig         = 33
	luxCodeSession        = 300 // logon / session (not captured)
	luxCodeLogoff         = 301 // not captured
	luxCodeInvalidSession = 401 // not captured
	luxCodeSessionActive  = 402 // "Another session is active" (luxos-tooling)
	luxCodePower          = 311
	luxCodeProfiles       = 323
	luxCodeProfileSet     = 324 // not captured
	luxCodeATM            = 339
	luxCodeATMSet         = 340
	luxCodeCurtail        = 350 // not captured
	luxCodeLED            = 351 // not captured
	luxCodeReboot         = 352 // not captured
	luxCodeFanSet         = 353 // not captured
	luxCodeBadParam       = 410 // not captured
	luxCodeAddPool        = 55
	luxCodeRemovePool     = 68
	luxCodeSwitchPool     = 27
	luxCodeMissingPoolID  = 25
	luxCodeInvalidPoolID  = 26
	luxCodeRemoveLast     = 66
	luxCodeRemoveActive   = 67
	luxCodeMissingAddPool = 52
	luxCodeTooManyPools   = 54
)

// luxSessionIdle is how long an unused session stays open, in sim
// seconds; a client that dies holding it does not lock the miner forever.
const luxSessionIdle = 300

// luxMaxPools is how many pools the simulated LuxOS keeps.
const luxMaxPools = 16

// luxSession is the miner's single LuxOS session.
type luxSession struct {
	id       string  // "" when no session is open
	lastUsed float64 // sim time of the session's last command
	seq      uint64  // sessions handed out, for distinct ids
}

// open reports whether a session is open at sim time t.
func (l *luxSession) open(t float64) bool {
	return l.id != "" && t-l.lastUsed < luxSessionIdle
}

// luxProfile is one power profile: a chip clock and what it implies.
type luxProfile struct {
	name string
	step int
	freq float64 // MHz
}

// luxDefaultProfile is the profile a LuxOS miner starts at: nominal clock.
const luxDefaultProfile = "490MHz"

// luxProfiles lists model's profiles: 25 MHz steps from 8 below to 4
// above its nominal clock, named by clock as LuxOS names them.
func luxProfiles(model *Model) []luxProfile {
	out := make([]luxProfile, 0, 13)
	for step := -8; step <= 4; step++ {
		f := model.frequency + 25*float64(step)
		out = append(out, luxProfile{name: strconv.Itoa(int(f)) + "MHz", step: step, freq: f})
	}
	return out
}

// luxProfileNamed finds a profile by name.
func luxProfileNamed(model *Model, name string) (luxProfile, bool) {
	for _, p := range luxProfiles(model) {
		if p.name == name {
			return p, true
		}
	}
	return luxProfile{}, false
}

// renderLuxOS answers one LuxOS request; writes change m's settings.
func (s *Sim) renderLuxOS(w *apiWriter, req rpcRequest, m *miner, snap *snapshot) {
	w.json = req.json
	w.desc = "LUXminer " + m.model.luxVer
	if renderRequestError(w, req, snap.unix) {
		return
	}
	args := splitParam(req.parameter)
	switch req.command {
	case "version":
		renderLuxVersion(w, m, snap)
	case "summary":
		renderLuxSummary(w, m, snap)
	case "pools":
		st := m.settingsAt(snap.t)
		renderPoolList(w, m, snap, st.Pools, st.ActivePool)
	case "stats":
		renderLuxStats(w, m, snap)
	case "power":
		w.status('S', snap.unix, luxCodePower, "Power usage", true)
		w.section("POWER", true)
		w.open(false)
		w.bool("PSU", false)
		w.int("Watts", int64(math.Round(snap.power)))
		w.close()
		w.end(true)
	case "profiles":
		renderLuxProfiles(w, m, snap)
	case "atm":
		st := m.settingsAt(snap.t)
		w.status('S', snap.unix, luxCodeATM, "ATM configuration values", true)
		w.section("ATM", true)
		w.open(false)
		w.bool("Enabled", st.ATM)
		w.str("MaxProfile", luxProfiles(m.model)[len(luxProfiles(m.model))-1].name)
		w.str("MinProfile", luxProfiles(m.model)[0].name)
		w.int("PostRampMinutes", 15)
		w.int("StartupMinutes", 15)
		w.fixed("TempWindow", 2, 1)
		w.close()
		w.end(true)
	case "logon":
		s.luxLogon(w, m, snap)
	case "session":
		c := m.control()
		c.mu.Lock()
		id := ""
		if c.lux.open(snap.t) {
			id = c.lux.id
		}
		c.mu.Unlock()
		w.status('S', snap.unix, luxCodeSession, "Session", true)
		w.section("SESSION", true)
		w.open(false)
		w.esc("SessionID", id)
		w.close()
		w.end(true)
	case "logoff":
		if !s.luxCheckSession(w, m, snap, args) {
			return
		}
		c := m.control()
		c.mu.Lock()
		c.lux.id = ""
		c.mu.Unlock()
		luxOK(w, snap, luxCodeLogoff, "Session closed")
	case "curtail", "ledset", "profileset", "atmset", "fanset", "rebootdevice", "resetminer":
		if !s.luxCheckSession(w, m, snap, args) {
			return
		}
		s.luxWrite(w, req.command, args[1:], m, snap)
	case "addpool", "removepool", "switchpool":
		s.luxPools(w, req.command, args, m, snap)
	default:
		w.status('E', snap.unix, codeInvalidCmd, "Invalid command", false)
		w.end(false)
	}
}

// splitParam splits a parameter at commas, honouring cgminer's backslash
// escapes of comma and backslash.
func splitParam(p string) []string {
	if p == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			cur.WriteByte(p[i])
		case c == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// luxOK writes a success reply without data.
func luxOK(w *apiWriter, snap *snapshot, code int, msg string) {
	w.status('S', snap.unix, code, msg, true)
	w.end(false)
}

// luxError writes an error reply without data.
func luxError(w *apiWriter, snap *snapshot, code int, msg string) {
	w.status('E', snap.unix, code, msg, true)
	w.end(false)
}

// luxLogon opens the miner's session, or refuses when one is open.
func (s *Sim) luxLogon(w *apiWriter, m *miner, snap *snapshot) {
	c := m.control()
	c.mu.Lock()
	if c.lux.open(snap.t) {
		c.mu.Unlock()
		luxError(w, snap, luxCodeSessionActive, "Another session is active")
		return
	}
	c.lux.seq++
	c.lux.id = fmt.Sprintf("%08x", uint32(m.draw.bits(saltSerial+2+c.lux.seq<<8)))
	c.lux.lastUsed = snap.t
	id := c.lux.id
	c.mu.Unlock()
	w.status('S', snap.unix, luxCodeSession, "Session created", true)
	w.section("SESSION", true)
	w.open(false)
	w.esc("SessionID", id)
	w.close()
	w.end(true)
}

// luxCheckSession reports whether args starts with the open session's id,
// and refreshes it; otherwise it writes the refusal.
func (s *Sim) luxCheckSession(w *apiWriter, m *miner, snap *snapshot, args []string) bool {
	c := m.control()
	c.mu.Lock()
	ok := len(args) > 0 && c.lux.open(snap.t) && args[0] == c.lux.id
	if ok {
		c.lux.lastUsed = snap.t
	}
	c.mu.Unlock()
	if !ok {
		luxError(w, snap, luxCodeInvalidSession, "Invalid session id")
	}
	return ok
}

// luxWrite runs a privileged command (the session already checked).
func (s *Sim) luxWrite(w *apiWriter, command string, args []string, m *miner, snap *snapshot) {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch command {
	case "curtail":
		var mode WorkMode
		switch arg(0) {
		case "sleep":
			mode = ModeSleep
		case "wakeup":
			mode = ModeNormal
		default:
			luxError(w, snap, luxCodeBadParam, "Invalid curtail mode")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Mode = mode })
		luxOK(w, snap, luxCodeCurtail, "Curtail "+arg(0))
	case "ledset":
		if arg(0) != "red" && arg(0) != "green" {
			luxError(w, snap, luxCodeBadParam, "Invalid LED color")
			return
		}
		var on bool
		switch arg(1) {
		case "on", "blink":
			on = true
		case "off", "auto":
		default:
			luxError(w, snap, luxCodeBadParam, "Invalid LED state")
			return
		}
		if arg(0) == "red" {
			s.write(m, snap.t, false, func(c *minerControl) { c.settings.Locate = on })
		}
		luxOK(w, snap, luxCodeLED, "LED "+arg(0)+" set to "+arg(1))
	case "fanset":
		s.luxFanSet(w, args, m, snap)
	case "rebootdevice", "resetminer":
		s.write(m, snap.t, true, func(*minerControl) {})
		luxOK(w, snap, luxCodeReboot, "Rebooting")
	case "atmset":
		enabled, ok := -1, true
		for _, kv := range args {
			k, v, _ := strings.Cut(kv, "=")
			switch {
			case k == "enabled" && v == "true":
				enabled = 1
			case k == "enabled" && v == "false":
				enabled = 0
			case k == "enabled":
				ok = false
			}
		}
		if !ok {
			luxError(w, snap, luxCodeBadParam, "Invalid atmset value")
			return
		}
		if enabled >= 0 {
			s.write(m, snap.t, false, func(c *minerControl) { c.settings.ATM = enabled == 1 })
		}
		luxOK(w, snap, luxCodeATMSet, "ATM configuration updated")
	case "profileset":
		p, ok := luxProfileNamed(m.model, arg(0))
		if !ok {
			luxError(w, snap, luxCodeBadParam, "Invalid profile "+strconv.Quote(arg(0)))
			return
		}
		if m.settingsAt(snap.t).ATM {
			luxError(w, snap, luxCodeBadParam, "Cannot set profile while ATM is enabled")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Profile = p.name })
		w.status('S', snap.unix, luxCodeProfileSet, "Profile set", true)
		w.section("PROFILE", true)
		w.open(false)
		w.esc("Profile", p.name)
		w.close()
		w.end(true)
	}
}

// luxFanSet applies fanset's key=value arguments (luxos-tooling: speed=N
// with -1 for automatic control, min_fans=N, power_off_speed=N); speed is
// what the fans do, the other two are accepted and checked only.
func (s *Sim) luxFanSet(w *apiWriter, args []string, m *miner, snap *snapshot) {
	speed, haveSpeed := 0, false
	for _, kv := range args {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		switch {
		case k == "speed" && err == nil && (n == -1 || n >= 0 && n <= 100):
			speed, haveSpeed = n, true
		case (k == "min_fans" || k == "power_off_speed") && err == nil && n >= 0 && n <= 100:
		default:
			luxError(w, snap, luxCodeBadParam, "Invalid fanset parameter "+strconv.Quote(kv))
			return
		}
	}
	if haveSpeed {
		s.write(m, snap.t, false, func(c *minerControl) {
			c.settings.FanManual = speed >= 0
			if speed >= 0 {
				c.settings.FanPercent = speed
			}
		})
	}
	luxOK(w, snap, luxCodeFanSet, "Fan settings updated")
}

// luxPools runs the cgminer pool commands LuxOS keeps; they need no
// session. Pools keep their POOL numbers until a removal renumbers those
// after it, as in cgminer.
func (s *Sim) luxPools(w *apiWriter, command string, args []string, m *miner, snap *snapshot) {
	st := m.settingsAt(snap.t)
	switch command {
	case "addpool":
		if len(args) < 2 || args[0] == "" {
			luxError(w, snap, luxCodeMissingAddPool, "Missing addpool details")
			return
		}
		if len(st.Pools) >= luxMaxPools {
			luxError(w, snap, luxCodeTooManyPools, fmt.Sprintf("Reached maximum number of pools (%d)", luxMaxPools))
			return
		}
		p := PoolSetting{URL: args[0], User: args[1]}
		if len(args) > 2 {
			p.Password = args[2]
		}
		n := len(st.Pools)
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Pools = append(c.settings.Pools, p) })
		luxOK(w, snap, luxCodeAddPool, fmt.Sprintf("Added pool %d: '%s'", n, p.URL))
		return
	}
	if len(args) == 0 || args[0] == "" {
		luxError(w, snap, luxCodeMissingPoolID, "Missing pool id parameter")
		return
	}
	id, err := strconv.Atoi(args[0])
	if err != nil || id < 0 || id >= len(st.Pools) {
		luxError(w, snap, luxCodeInvalidPoolID, fmt.Sprintf("Invalid pool id %d - range is 0 - %d", id, len(st.Pools)-1))
		return
	}
	switch command {
	case "switchpool":
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.ActivePool = id })
		luxOK(w, snap, luxCodeSwitchPool, fmt.Sprintf("Switching to pool %d:'%s'", id, st.Pools[id].URL))
	case "removepool":
		switch {
		case len(st.Pools) == 1:
			luxError(w, snap, luxCodeRemoveLast, "Cannot remove last pool")
			return
		case id == st.ActivePool:
			luxError(w, snap, luxCodeRemoveActive, "Cannot remove active pool")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) {
			c.settings.Pools = append(c.settings.Pools[:id:id], c.settings.Pools[id+1:]...)
			if c.settings.ActivePool > id {
				c.settings.ActivePool--
			}
		})
		luxOK(w, snap, luxCodeRemovePool, fmt.Sprintf("Removed pool %d:'%s'", id, st.Pools[id].URL))
	}
}

func renderLuxVersion(w *apiWriter, m *miner, s *snapshot) {
	w.status('S', s.unix, codeVersion, "LUXminer versions", true)
	w.section("VERSION", true)
	w.open(false)
	w.str("API", "3.7")
	w.str("CompileTime", m.model.compileTime)
	w.str("LUXminer", m.model.luxVer)
	w.str("Miner", m.model.minerVer)
	w.str("Type", m.model.Name)
	w.close()
	w.end(true)
}

func renderLuxSummary(w *apiWriter, m *miner, s *snapshot) {
	diff := m.model.poolDiff
	diffAcc := float64(s.acc) * diff
	diffRej := float64(s.rej) * diff
	diff1 := diffAcc + diffRej
	uptime := math.Max(s.uptime, 1)
	w.status('S', s.unix, codeSummary, "Summary", true)
	w.section("SUMMARY", true)
	w.open(false)
	w.uint("Accepted", s.acc)
	w.uint("Best Share", s.best)
	w.fixed("Device Hardware%", ratio(float64(s.hw), float64(s.hw)+diff1)*100, 4)
	w.fixed("Device Rejected%", ratio(diffRej, diff1)*100, 4)
	w.int("Difficulty Accepted", int64(diffAcc))
	w.int("Difficulty Rejected", int64(diffRej))
	w.int("Difficulty Stale", 0)
	w.int("Discarded", 0)
	w.int("Elapsed", int64(s.uptime))
	w.int("Found Blocks", 0)
	w.fixed("GHS 15m", s.rate30m, 2)
	w.fixed("GHS 1m", s.rate, 2)
	w.fixed("GHS 24h", s.rateAvg, 2)
	w.fixed("GHS 30m", s.rate30m, 2)
	w.fixed("GHS 5m", s.rate30m, 2)
	w.fixed("GHS 5s", s.rate, 2)
	w.fixed("GHS av", s.rateAvg, 2)
	w.int("Get Failures", 0)
	w.int("Getworks", getworks(s))
	w.uint("Hardware Errors", s.hw)
	w.int("Last getwork", s.unix)
	w.int("Local Work", 0)
	w.int("Network Blocks", 0)
	w.fixed("Pool Rejected%", ratio(diffRej, diff1)*100, 4)
	w.fixed("Pool Stale%", 0, 1)
	w.uint("Rejected", s.rej)
	w.int("Remote Failures", 0)
	w.int("Stale", 0)
	w.fixed("Total MH", s.rateAvg*1000*s.uptime, 4)
	w.fixed("Utility", float64(s.acc)/uptime*60, 2)
	w.fixed("Work Utility", diff1/uptime*60, 2)
	w.close()
	w.end(true)
}

// renderLuxStats writes STATS as LuxOS does: a version block, then the
// device block in bmminer's layout with a proper comma between them.
func renderLuxStats(w *apiWriter, m *miner, s *snapshot) {
	spec := m.model
	w.status('S', s.unix, codeStats, "LUXminer stats", true)
	w.section("STATS", false)
	w.open(false)
	w.str("CompileTime", spec.compileTime)
	w.str("Miner", spec.minerVer)
	w.str("Type", spec.Name)
	w.close()
	w.open(true)
	w.int("Calls", 0)
	w.int("Elapsed", int64(s.uptime))
	w.fixed("GHS 5s", s.rate, 2)
	w.fixed("GHS av", s.rateAvg, 2)
	w.str("ID", "BTM_SOC0")
	w.int("Max", 0)
	w.int("Min", 99999999)
	w.int("Mode", 2)
	w.int("STATS", 0)
	w.int("Wait", 0)
	present := 0
	for b := 0; b < maxBoards; b++ {
		bs := &s.boards[b]
		if bs.present {
			present++
		}
		w.int(keyChainAcn[b+1], int64(bs.chips))
		w.key(keyChainAcs[b+1])
		w.chainACS(m, b, s)
		w.uint(keyChainHW[b+1], bs.hw)
		if bs.present {
			w.ghsString(keyChainRate[b+1], bs.rate)
		} else {
			w.str(keyChainRate[b+1], "0")
		}
		w.fixed(keyFreq[b+1], float64(bs.freq), 1)
		w.quad(keyTempChip[b+1], bs.chip)
		w.quad(keyTempPCB[b+1], bs.pcb)
		w.quad(keyTempPIC[b+1], bs.pic)
	}
	for f := 0; f < maxFans; f++ {
		w.int(keyFan[f+1], int64(s.fans[f]))
	}
	w.int("fan_num", maxFans)
	w.int("frequency", int64(s.freq))
	w.int("miner_count", int64(present))
	w.str("miner_id", m.minerID)
	w.str("miner_version", spec.minerVer)
	w.fixed("rate_30m", s.rate30m, 2)
	w.str("rate_unit", "GH")
	w.int("temp_num", int64(present))
	w.fixed("total rate", s.rateAvg, 2)
	w.int("total_acn", maxBoards)
	w.fixed("total_freqavg", float64(s.freq), 1)
	w.fixed("total_rateideal", s.ideal, 1)
	w.close()
	w.end(true)
}

// renderLuxProfiles lists the profiles with the power and hash rate each
// implies for this miner's model.
func renderLuxProfiles(w *apiWriter, m *miner, s *snapshot) {
	spec := m.model
	active := m.settingsAt(s.t).Profile
	w.status('S', s.unix, luxCodeProfiles, "List profiles", true)
	w.section("PROFILES", false)
	for i, p := range luxProfiles(spec) {
		share := p.freq / spec.frequency
		w.open(i > 0)
		w.bool("CanRestore", true)
		w.int("Frequency", int64(p.freq))
		w.bool("HasOverrides", false)
		w.fixed("Hashrate", spec.HashRate/1e12*share, 1)
		w.bool("IsDynamic", true)
		w.bool("IsTuned", p.name == active)
		w.str("Profile Name", p.name)
		w.str("Step", strconv.Itoa(p.step))
		w.fixed("Voltage", 12, 2)
		w.int("Watts", int64(math.Round(spec.Power*share)))
		w.close()
	}
	w.end(true)
}

// luxWebRoot stands in for LuxOS's web UI, whose root page names "Luxor
// Firmware" (how scanners recognise it, reference §4). The simulator
// serves nothing else on the web port: hearth speaks only the RPC.
const luxWebRoot = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Luxor Firmware</title>
</head>
<body>
<div id="root">Luxor Firmware</div>
</body>
</html>
`

// luxWebReply answers a request to a LuxOS miner's web server.
func luxWebReply(r *http.Request) httpReply {
	if r.URL.Path == "/" {
		return httpReply{status: http.StatusOK, contentType: "text/html", body: []byte(luxWebRoot)}
	}
	return httpReply{status: http.StatusNotFound, contentType: "text/plain; charset=utf-8", body: []byte("404 page not found\n")}
}

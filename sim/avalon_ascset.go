package sim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

// Avalon writes: cgminer's "ascset|<asc>,<option>[,<value>]" with Canaan's
// options, and the fork's setpool. The parameter is split as api.c's
// ascset() does (reference §5.4, Canaan's api.c): a missing parameter is
// code 15, a missing option 116, an ASC other than 0 is 107. The driver's
// answer follows the fork's rule: an error text gives 120 "ASC 0 set
// failed: …" (E), an info text 118 "ASC 0 set info: …" (I, how softoff and
// softon answer in the captures), nothing 119 "ASC 0 set OK" (S, as led,
// workmode and worklevel answer). Error texts are the simulator's: no
// capture shows one.

// avalonMaxRebootDelay is the longest reboot delay the firmware takes, in
// seconds (avalontools §10: 0-300).
const avalonMaxRebootDelay = 300

// avalonMaxSchedule bounds how far ahead softoff and softon may be
// scheduled, in seconds; further is refused rather than kept forever.
const avalonMaxSchedule = 366 * 86400

// Avalon's web login, which setpool checks (the firmware's defaults).
const (
	avalonAdminUser     = "root"
	avalonAdminPassword = "root"
)

// avalonSchedule is an Avalon's API line and pending timed actions.
type avalonSchedule struct {
	// line is held while one API connection is served: cgminer's API
	// thread accepts, answers and closes one connection before the next.
	line sync.Mutex
	// timed is guarded by the minerControl's mu.
	avalonTimed
}

// avalonTimed is what an Avalon will do later: scheduled softoff, softon
// and reboot, and pools stored for the next reboot.
type avalonTimed struct {
	softPending bool
	softOff     bool    // the pending action is softoff (else softon)
	softAt      float64 // sim time it takes effect
	// softOffTime and softOnTime are the Unix times last scheduled, the
	// SoftOffTime and SoftOnTime tokens.
	softOffTime, softOnTime int64

	rebootPending bool
	rebootAt      float64

	// pools is the pool configuration setpool stored, nil when none: the
	// miner mines on it from its next reboot.
	pools []PoolSetting
}

// rebootAvalon is the change of an Avalon's reboot: pools stored by
// setpool take effect, and nothing scheduled survives.
func rebootAvalon(c *minerControl) {
	if c.avalon.pools != nil {
		c.settings.Pools = c.avalon.pools
		c.avalon.pools = nil
	}
	c.avalon.softPending = false
	c.avalon.rebootPending = false
}

// avalonLine waits until no other connection to m is being served and
// returns the function that ends this one's turn.
func (s *Sim) avalonLine(m *miner) (release func(), ok bool) {
	c := m.control()
	c.avalon.line.Lock()
	return c.avalon.line.Unlock, true
}

// avalonDue applies the scheduled actions of m whose time has come by sim
// time t, each at its own time so that share counters stay exact.
func (s *Sim) avalonDue(m *miner, t float64) {
	c := m.ctl.Load()
	if c == nil {
		return
	}
	c.mu.Lock()
	sched := c.avalon.avalonTimed
	c.mu.Unlock()
	at := func(when float64) float64 {
		if fs := m.faults.Load(); fs != nil && fs.baseT > when {
			return math.Min(fs.baseT, t)
		}
		return when
	}
	if sched.softPending && t >= sched.softAt {
		s.write(m, at(sched.softAt), false, func(c *minerControl) {
			if c.avalon.softPending && c.avalon.softAt == sched.softAt {
				c.avalon.softPending = false
				c.settings.Paused = c.avalon.softOff
			}
		})
	}
	if sched.rebootPending && t >= sched.rebootAt {
		s.write(m, at(sched.rebootAt), true, rebootAvalon)
	}
}

// ascsetRequest is an ascset parameter split as api.c splits it.
type ascsetRequest struct {
	// code is 0 when the request reaches the device, else the STATUS
	// code of the refusal (15, 116 or 107).
	code int
	// device is the ASC number (C atoi of the first field).
	device int
	// option is lower-cased: the firmware compares with strcasecmp.
	option string
	// value is everything after the option's comma, "" when none.
	value string
}

// parseAscset splits "<asc>,<option>[,<value>]".
func parseAscset(param string) ascsetRequest {
	if param == "" {
		return ascsetRequest{code: avCodeMissingID}
	}
	dev, opt, ok := strings.Cut(param, ",")
	if !ok || opt == "" {
		return ascsetRequest{code: avCodeMissingOpt}
	}
	req := ascsetRequest{device: atoi(dev)}
	if req.device != 0 {
		req.code = avCodeInvalidASC
		return req
	}
	opt, req.value, _ = strings.Cut(opt, ",")
	req.option = strings.ToLower(opt)
	return req
}

// atoi reads a number as C's atoi: leading blanks, a sign, digits, and
// whatever follows ignored; no digits is 0. It saturates instead of
// overflowing.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < math.MaxInt32 {
			n = n*10 + int(s[i]-'0')
		}
	}
	n = min(n, math.MaxInt32)
	if neg {
		return -n
	}
	return n
}

// number parses a whole decimal integer, or reports false.
func wholeNumber(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseSoftTime reads softoff/softon's "<n>:<unix time>".
func parseSoftTime(v string) (unix int64, ok bool) {
	n, ts, found := strings.Cut(v, ":")
	if !found {
		return 0, false
	}
	if _, ok := wholeNumber(n); !ok {
		return 0, false
	}
	unix, ok = wholeNumber(ts)
	return unix, ok && unix >= 0
}

// parseLED reads led's "<module>-<0|1>"; the controller is module 1.
func parseLED(v string) (on bool, ok bool) {
	mod, state, found := strings.Cut(v, "-")
	if !found || mod != "1" {
		return false, false
	}
	switch state {
	case "1":
		return true, true
	case "0":
		return false, true
	}
	return false, false
}

// parseLevel reads workmode/worklevel's "set,<n>" for levels 0..count-1.
func parseLevel(v string, count int) (int, bool) {
	verb, n, found := strings.Cut(v, ",")
	if !found || strings.ToLower(verb) != "set" {
		return 0, false
	}
	level, ok := wholeNumber(n)
	if !ok || level < 0 || level >= int64(count) {
		return 0, false
	}
	return int(level), true
}

// parseFanSpeed reads fan-spd's "-1" (automatic) or a duty of 25-100 %.
func parseFanSpeed(v string) (auto bool, percent int, ok bool) {
	n, ok := wholeNumber(v)
	switch {
	case !ok:
		return false, 0, false
	case n == -1:
		return true, 0, true
	case n >= 25 && n <= 100:
		return false, int(n), true
	}
	return false, 0, false
}

// parseRebootDelay reads reboot's optional delay in seconds.
func parseRebootDelay(v string) (int, bool) {
	if v == "" {
		return 0, true
	}
	n, ok := wholeNumber(v)
	if !ok || n < 0 || n > avalonMaxRebootDelay {
		return 0, false
	}
	return int(n), true
}

// avalonAscset runs one ascset request and writes its reply.
func (s *Sim) avalonAscset(w *apiWriter, param string, m *miner, snap *snapshot) {
	a := m.model.avalon
	req := parseAscset(param)
	switch req.code {
	case avCodeMissingID:
		w.status('E', snap.unix, avCodeMissingID, "Missing device id parameter", true)
		w.end(false)
		return
	case avCodeMissingOpt:
		w.status('E', snap.unix, avCodeMissingOpt, "Missing option after ASC number", true)
		w.end(false)
		return
	case avCodeInvalidASC:
		w.status('E', snap.unix, avCodeInvalidASC, fmt.Sprintf("Invalid ASC id %d - range is 0 - 0", req.device), true)
		w.end(false)
		return
	}
	ok := func() {
		w.status('S', snap.unix, avCodeSetOK, "ASC 0 set OK", true)
		w.end(false)
	}
	info := func(msg string) {
		w.status('I', snap.unix, avCodeSetInfo, "ASC 0 set info: "+msg, true)
		w.end(false)
	}
	failed := func(msg string) {
		w.status('E', snap.unix, avCodeSetFailed, "ASC 0 set failed: "+msg, true)
		w.end(false)
	}
	switch {
	case req.option == "help":
		info(a.help)
	case req.option == "led":
		on, valid := parseLED(req.value)
		if !valid {
			failed("invalid led value " + strconv.Quote(req.value) + ", use 1-0 or 1-1")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Locate = on })
		ok()
	case req.option == "softoff" || req.option == "softon":
		unix, valid := parseSoftTime(req.value)
		if !valid || unix-snap.unix > avalonMaxSchedule {
			failed("invalid " + req.option + " time " + strconv.Quote(req.value))
			return
		}
		off := req.option == "softoff"
		at := snap.t + math.Max(0, float64(unix-snap.unix))
		c := m.control()
		c.mu.Lock()
		c.avalon.softPending, c.avalon.softOff, c.avalon.softAt = true, off, at
		if off {
			c.avalon.softOffTime = unix
		} else {
			c.avalon.softOnTime = unix
		}
		c.mu.Unlock()
		s.avalonDue(m, snap.t) // a time already past acts now
		info("success " + req.option + ":" + strconv.FormatInt(unix, 10))
	case a.setsLevel(req.option):
		level, valid := parseLevel(req.value, len(a.levels))
		if !valid {
			failed(fmt.Sprintf("invalid %s value %q, use set,0-%d", req.option, req.value, len(a.levels)-1))
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.WorkLevel = level })
		ok()
	case req.option == "fan-spd":
		auto, percent, valid := parseFanSpeed(req.value)
		if !valid {
			failed("invalid fan-spd value " + strconv.Quote(req.value) + ", use -1 or 25-100")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) {
			c.settings.FanManual = !auto
			if auto {
				c.settings.FanPercent = 100
			} else {
				c.settings.FanPercent = percent
			}
		})
		ok()
	case req.option == "reboot":
		delay, valid := parseRebootDelay(req.value)
		if !valid {
			failed(fmt.Sprintf("invalid reboot delay %q, use 0-%d", req.value, avalonMaxRebootDelay))
			return
		}
		if delay == 0 {
			s.write(m, snap.t, true, rebootAvalon)
		} else {
			c := m.control()
			c.mu.Lock()
			c.avalon.rebootPending, c.avalon.rebootAt = true, snap.t+float64(delay)
			c.mu.Unlock()
		}
		ok()
	case strings.Contains(a.help, "|"+req.option+"|") || strings.HasPrefix(a.help, req.option+"|"):
		// A listed option the simulator does not model (voltage,
		// frequency, lcd ...): accepted without effect.
		ok()
	default:
		failed("unknown option " + strconv.Quote(req.option))
	}
}

// setpoolRequest is the fork's "setpool|<user>,<password>,<n>,<url>,<worker>[,<pass>]".
type setpoolRequest struct {
	user, password string
	slot           int
	pool           PoolSetting
	fields         int // how many fields were read, as sscanf counts
}

// parseSetPool reads setpool's parameter as the fork's sscanf does:
// comma-separated fields, the third a number; it needs five or six.
func parseSetPool(param string) setpoolRequest {
	var r setpoolRequest
	parts := strings.SplitN(param, ",", 6)
	for i, p := range parts {
		if p == "" {
			break // %[^,] matches nothing: sscanf stops
		}
		switch i {
		case 0:
			r.user = p
		case 1:
			r.password = p
		case 2:
			n, ok := wholeNumber(strings.TrimSpace(p))
			if !ok {
				return r
			}
			r.slot = int(n)
		case 3:
			r.pool.URL = p
		case 4:
			r.pool.User = p
		case 5:
			r.pool.Password = p
		}
		r.fields = i + 1
	}
	return r
}

// avalonSetPool runs setpool: after the login check it stores the pool in
// slot 0-2, which the miner uses from its next reboot ("Please reboot
// miner to make config work."); until then pools and MinerSettings.Pools
// show the pools in use.
func (s *Sim) avalonSetPool(w *apiWriter, param string, m *miner, snap *snapshot) {
	refuse := func(msg string) {
		w.status('E', snap.unix, avCodePoolSetErr, "Pool set error: "+msg, true)
		w.end(false)
	}
	if param == "" {
		refuse("no params")
		return
	}
	r := parseSetPool(param)
	switch {
	case r.fields != 5 && r.fields != 6:
		refuse(fmt.Sprintf("we need 5 | 6 arguments, your input is %d arguments.", r.fields))
		return
	case r.user != avalonAdminUser:
		refuse("username err")
		return
	case r.password != avalonAdminPassword:
		refuse("userpass err")
		return
	case r.slot < 0 || r.slot > 2:
		refuse(fmt.Sprintf("pool num must between 0 and 2 , your input is %d", r.slot))
		return
	}
	c := m.control()
	c.mu.Lock()
	if c.avalon.pools == nil {
		c.avalon.pools = append([]PoolSetting(nil), c.settings.Pools...)
	}
	for len(c.avalon.pools) <= r.slot {
		c.avalon.pools = append(c.avalon.pools, PoolSetting{})
	}
	c.avalon.pools[r.slot] = r.pool
	c.mu.Unlock()
	w.status('S', snap.unix, avCodePoolSet, fmt.Sprintf("Pool set info: \npool %d success set to %s\nworker is %s\nworkerpassword is %s\nPlease reboot miner to make config work.\n",
		r.slot, r.pool.URL, r.pool.User, r.pool.Password), true)
	w.end(false)
}

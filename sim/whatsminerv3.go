package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// btminer's API v3 (firmware from about 2024-11, TCP 4433). Every
// message, both ways, is a 4-byte little-endian length and that many
// bytes of JSON. A request is {"cmd":…,"param":…}; a reply is
// {"code":0,"desc":<cmd>,"msg":…,"when":<unix>}. Writes (set.*) add
// "ts", "account" and "token" = the first 8 characters of
// base64(SHA-256(cmd + password + salt + ts)), the salt coming from
// get.device.info "salt"; set.miner.pools carries its param
// AES-256-ECB-encrypted under that SHA-256 digest (asic-rs) or, as pyasic
// sends it, in the clear. A connection may carry several requests.
//
// No capture shows btminer's error codes, so the simulator's are its own
// choice, negative as a failed code must be: -1 the command failed (bad
// parameter), -2 unknown command, -3 a request that is not JSON, -4 the
// signature (account, time or token) refused.

// API v3 result codes.
const (
	wmV3OK         = 0
	wmV3Failed     = -1
	wmV3InvalidCmd = -2
	wmV3InvalidReq = -3
	wmV3Auth       = -4
)

const (
	// wmV3RequestMax caps a request frame; a client announcing more is
	// disconnected without a reply.
	wmV3RequestMax = 16 << 10
	// wmV3MaxRequests is how many requests one connection may send.
	wmV3MaxRequests = 64
	// wmV3TSWindow is how far, in seconds, a write's ts may be from the
	// miner's clock.
	wmV3TSWindow = 300
)

// wmV3Request is a parsed API v3 request.
type wmV3Request struct {
	Cmd     string          `json:"cmd"`
	Param   json.RawMessage `json:"param"`
	Token   string          `json:"token"`
	Account string          `json:"account"`
	TS      json.RawMessage `json:"ts"`
}

// readWMV3Frame reads one length-prefixed frame of at most max bytes.
func readWMV3Frame(r io.Reader, max int) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("frame of %d bytes is over the %d accepted", n, max)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// parseWMV3Request parses a request frame; ok is false when it is not a
// JSON object with a string cmd.
func parseWMV3Request(body []byte) (req wmV3Request, ok bool) {
	if !utf8.Valid(body) || json.Unmarshal(body, &req) != nil || req.Cmd == "" {
		return wmV3Request{}, false
	}
	return req, true
}

// handleWhatsminerV3 answers btminer's API v3 on c for miner m.
func (s *Sim) handleWhatsminerV3(c net.Conn, m *miner) {
	defer s.wg.Done()
	if !s.track(c) {
		c.Close()
		return
	}
	defer s.untrack(c)
	defer c.Close()
	for range wmV3MaxRequests {
		c.SetReadDeadline(time.Now().Add(rpcReadTimeout))
		body, err := readWMV3Frame(c, wmV3RequestMax)
		if err != nil {
			return
		}
		if !s.delayFirstByte(m.faults.Load().activeAt(s.elapsed())) {
			return
		}
		if m.unreachable(s.elapsed()) {
			return // rebooted by an earlier request on this connection
		}
		now := s.now()
		snap := m.evaluate(s.elapsedAt(now), now.Unix(), s.ambient)
		w := apiWriter{json: true}
		stream := s.renderWhatsminerV3(&w, body, m, &snap)
		reply := append(wmV3Frame(w.b), stream...)
		s.send(c, reply, snap.active, func() []byte {
			return wmV3Frame(w.b[:cutPoint(len(w.b))])
		})
		if stream != nil || snap.active&(setGarbled|setSlow) != 0 {
			return // a log download ends the connection
		}
	}
}

// wmV3Frame prefixes body with its length.
func wmV3Frame(body []byte) []byte {
	out := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	return append(out, body...)
}

// renderWhatsminerV3 answers one request frame. For get.log.download it
// returns the archive to stream after the reply.
func (s *Sim) renderWhatsminerV3(w *apiWriter, body []byte, m *miner, snap *snapshot) (stream []byte) {
	req, ok := parseWMV3Request(body)
	if !ok {
		wmV3Text(w, snap, "", wmV3InvalidReq, "invalid json")
		return
	}
	if strings.HasPrefix(req.Cmd, "set.") {
		s.wmV3Write(w, req, m, snap)
		return
	}
	var param string
	if len(req.Param) > 0 && req.Param[0] == '"' {
		json.Unmarshal(req.Param, &param)
	}
	switch req.Cmd {
	case "get.device.info":
		if param == "salt" {
			wmV3Reply(w, snap, req.Cmd, func() { w.str("salt", m.wmV3Salt()) })
			return
		}
		wmV3Reply(w, snap, req.Cmd, func() { s.wmV3DeviceInfo(w, m, snap) })
	case "get.miner.status":
		switch param {
		case "summary":
			wmV3Reply(w, snap, req.Cmd, func() { s.wmV3Summary(w, m, snap) })
		case "edevs":
			wmV3Reply(w, snap, req.Cmd, func() { wmV3Edevs(w, m, snap) })
		case "pools":
			wmV3Reply(w, snap, req.Cmd, func() { wmV3Pools(w, m, snap) })
		default:
			wmV3Text(w, snap, req.Cmd, wmV3Failed, "invalid param")
		}
	case "get.log.download":
		stream = wmLogArchive(m, snap, m.settingsAt(snap.t))
		wmV3Reply(w, snap, req.Cmd, func() { w.str("logsize", strconv.Itoa(len(stream))) })
		return stream
	default:
		wmV3Text(w, snap, req.Cmd, wmV3InvalidCmd, "invalid cmd")
	}
	return nil
}

// wmV3Reply writes a success reply whose msg object fill writes.
func wmV3Reply(w *apiWriter, snap *snapshot, cmd string, fill func()) {
	w.b = append(w.b, '{')
	w.n = 0
	w.int("code", wmV3OK)
	w.esc("desc", cmd)
	w.object("msg", fill)
	w.int("when", snap.unix)
	w.b = append(w.b, '}')
}

// wmV3Text writes a reply with a text msg: "ok" for a write done, the
// reason for a failure.
func wmV3Text(w *apiWriter, snap *snapshot, cmd string, code int, msg string) {
	w.b = append(w.b, '{')
	w.n = 0
	w.int("code", int64(code))
	w.esc("desc", cmd)
	w.esc("msg", msg)
	w.int("when", snap.unix)
	w.b = append(w.b, '}')
}

// object writes name (or, when name is "", an array element) as a JSON
// object whose fields fill writes.
func (w *apiWriter) object(name string, fill func()) {
	if name != "" {
		w.key(name)
	} else if w.n > 0 {
		w.b = append(w.b, ',')
	}
	n := w.n + 1
	w.b = append(w.b, '{')
	w.n = 0
	fill()
	w.b = append(w.b, '}')
	w.n = n
}

// array writes name as a JSON array of count elements that elem writes
// (each with object("") or a bare value).
func (w *apiWriter) array(name string, count int, elem func(i int)) {
	w.key(name)
	n := w.n
	w.b = append(w.b, '[')
	w.n = 0
	for i := range count {
		elem(i)
	}
	w.b = append(w.b, ']')
	w.n = n
}

func (s *Sim) wmV3DeviceInfo(w *apiWriter, m *miner, snap *snapshot) {
	spec := m.model
	st := m.settingsAt(snap.t)
	w.object("miner", func() {
		w.str("type", spec.wmCode)
		w.str("miner-sn", "BTM"+m.serial+"000000000000")
		w.str("hash-board", spec.wmBoard)
		w.str("board-num", strconv.Itoa(spec.Boards))
		for b := 0; b < spec.Boards; b++ {
			w.str("pcbsn"+strconv.Itoa(b), fmt.Sprintf("%s%s%d", m.serial[:8], "K", 42757+b))
		}
		w.str("pool-strategy", "FAILOVER")
		w.str("fast-boot", "disable")
		w.str("hash-percent", "0")
		w.str("working", strconv.FormatBool(!st.Paused))
	})
	w.object("network", func() {
		w.str("ip", m.addr.String())
		w.str("proto", "dhcp")
		w.str("netmask", "255.255.255.0")
		w.str("dns", "127.0.0.53")
		w.str("gateway", "127.0.0.1")
		w.str("mac", m.macString())
		w.str("hostname", m.name)
	})
	w.object("power", func() {
		w.str("type", "P221B")
		w.str("model", "P221B")
		w.str("hwversion", "RT0159")
		w.str("swversion", "230224.220429")
		w.str("sn", "1436B"+m.serial[len(m.serial)-8:])
		w.int("fanspeed", int64(6000+snap.fans[0]%500))
		w.str("mode", "1")
		w.str("vendor", "1")
	})
	w.str("salt", m.wmV3Salt())
	led := "auto"
	if st.Locate {
		led = "manual"
	}
	w.object("system", func() {
		w.str("api", spec.wmAPI)
		w.str("platform", "H616")
		w.str("fwversion", spec.minerVer)
		w.str("control-board-version", "CB6V10")
		w.str("ledstatus", led)
		w.str("apiswitch", "1")
	})
	w.array("error-code", 0, nil)
}

func (s *Sim) wmV3Summary(w *apiWriter, m *miner, snap *snapshot) {
	st := m.settingsAt(snap.t)
	boards := wmBoards(m, snap)
	lo, avg, hi := wmChipTemps(boards)
	w.object("summary", func() {
		w.str("Debug", "")
		w.int("elapsed", int64(snap.uptime))
		w.int("bootup-time", int64(snap.uptime)+60)
		w.fixed("hash-realtime", snap.rate/1e3, 3)
		w.fixed("hash-average", snap.rateAvg/1e3, 3)
		w.fixed("hash-1min", snap.rate/1e3, 3)
		w.fixed("hash-15min", snap.rate30m/1e3, 3)
		w.fixed("factory-hash", snap.ideal/1e3, 3)
		w.fixed("power-realtime", math.Round(snap.power), 1)
		w.fixed("power-5min", math.Round(snap.power), 1)
		w.int("power-limit", int64(st.PowerLimitW))
		w.fixed("power-rate", ratio(snap.power, snap.rate/1e3), 1)
		w.int("fan-speed-in", int64(snap.fans[0]))
		w.int("fan-speed-out", int64(snap.fans[1]))
		w.fixed("chip-temp-min", lo, 1)
		w.fixed("chip-temp-avg", avg, 1)
		w.fixed("chip-temp-max", hi, 1)
		w.fixed("environment-temperature", s.wmEnvTemp(m), 1)
		w.array("board-temperature", len(boards), func(i int) {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = strconv.AppendFloat(w.b, boards[i].pcb, 'f', 1, 64)
		})
		w.int("freq-avg", int64(snap.freq))
		w.int("up-freq-finish", 1)
	})
}

func wmV3Edevs(w *apiWriter, m *miner, snap *snapshot) {
	boards := wmBoards(m, snap)
	share := ratio(snap.rateAvg, snap.rate)
	w.array("edevs", len(boards), func(i int) {
		b := boards[i]
		status := "alive"
		if !b.alive {
			status = "dead"
		}
		w.object("", func() {
			w.int("id", int64(i))
			w.str("status", status)
			w.fixed("hash-realtime", b.rate/1e3, 3)
			w.fixed("hash-average", b.rate*share/1e3, 3)
			w.fixed("factory-hash", b.ideal/1e3, 3)
			w.int("effective-chips", int64(b.chips))
			w.fixed("freq", float64(b.freq), 1)
			w.fixed("chip-temp-min", b.chipMin, 1)
			w.fixed("chip-temp-avg", b.chipAvg, 1)
			w.fixed("chip-temp-max", b.chipMax, 1)
		})
	})
}

func wmV3Pools(w *apiWriter, m *miner, snap *snapshot) {
	pools := m.settingsAt(snap.t).Pools
	idle := m.faults.Load().idle()
	w.array("pools", len(pools), func(i int) {
		p := pools[i]
		w.object("", func() {
			w.int("id", int64(i+1))
			w.esc("url", p.URL)
			w.str("status", "alive")
			w.int("pool-priority", int64(i))
			w.esc("account", p.User)
			w.bool("stratum-active", i == 0 && !idle)
			if i == 0 {
				w.uint("accepted", snap.acc)
				w.uint("rejected", snap.rej)
			} else {
				w.int("accepted", 0)
				w.int("rejected", 0)
			}
		})
	})
}

// wmV3Token is the signature of a write: the first 8 characters of the
// base64 of SHA-256(cmd + password + salt + ts), and the digest itself,
// which is the AES key of set.miner.pools' param.
func wmV3Token(cmd, password, salt, ts string) (string, []byte) {
	sum := sha256.Sum256([]byte(cmd + password + salt + ts))
	return base64.StdEncoding.EncodeToString(sum[:])[:8], sum[:]
}

// wmV3Write checks a write's signature and carries it out.
func (s *Sim) wmV3Write(w *apiWriter, req wmV3Request, m *miner, snap *snapshot) {
	known := map[string]bool{"set.system.reboot": true, "set.miner.service": true,
		"set.miner.power_limit": true, "set.system.led": true, "set.miner.pools": true}
	if !known[req.Cmd] {
		wmV3Text(w, snap, req.Cmd, wmV3InvalidCmd, "invalid cmd")
		return
	}
	ts := strings.Trim(string(req.TS), `"`)
	when, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		wmV3Text(w, snap, req.Cmd, wmV3Auth, "missing ts, token or account")
		return
	}
	if req.Account != wmV3Account {
		wmV3Text(w, snap, req.Cmd, wmV3Auth, "invalid account")
		return
	}
	if when < snap.unix-wmV3TSWindow || when > snap.unix+wmV3TSWindow {
		wmV3Text(w, snap, req.Cmd, wmV3Auth, "token expired: ts out of range")
		return
	}
	token, digest := wmV3Token(req.Cmd, wmV3Password, m.wmV3Salt(), ts)
	if req.Token != token {
		wmV3Text(w, snap, req.Cmd, wmV3Auth, "invalid token")
		return
	}
	var text string
	isText := len(req.Param) > 0 && req.Param[0] == '"' && json.Unmarshal(req.Param, &text) == nil
	failed := func(why string) { wmV3Text(w, snap, req.Cmd, wmV3Failed, why) }
	switch req.Cmd {
	case "set.system.reboot":
		s.write(m, snap.t, true, func(*minerControl) {})
	case "set.miner.service":
		switch text {
		case "restart":
			s.write(m, snap.t, true, func(*minerControl) {})
		case "stop", "start":
			paused := text == "stop"
			s.write(m, snap.t, false, func(c *minerControl) { c.settings.Paused = paused })
		default:
			failed("invalid param")
			return
		}
	case "set.miner.power_limit":
		n, err := strconv.Atoi(strings.Trim(string(req.Param), `"`))
		if err != nil || n < 1 || n > 99999 {
			failed("invalid param")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.PowerLimitW = n })
	case "set.system.led":
		on := false
		if !isText || text != "auto" {
			var blinks []struct {
				Color string `json:"color"`
			}
			if json.Unmarshal(req.Param, &blinks) != nil || len(blinks) == 0 {
				failed("invalid param")
				return
			}
			for _, b := range blinks {
				on = on || b.Color == "red"
			}
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Locate = on })
	case "set.miner.pools":
		list := []byte(req.Param)
		if isText {
			plain, err := wmDecrypt(digest, text)
			if err != nil {
				failed("param decrypt failed")
				return
			}
			list = plain
		}
		var in []struct {
			Pool   string `json:"pool"`
			Worker string `json:"worker"`
			Passwd string `json:"passwd"`
		}
		if json.Unmarshal(bytes.TrimSpace(list), &in) != nil || len(in) == 0 || len(in) > 3 {
			failed("invalid param")
			return
		}
		pools := make([]PoolSetting, 0, len(in))
		for _, p := range in {
			if p.Pool == "" {
				failed("invalid param")
				return
			}
			pools = append(pools, PoolSetting{URL: p.Pool, User: p.Worker, Password: p.Passwd})
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Pools = pools })
	}
	wmV3Text(w, snap, req.Cmd, wmV3OK, "ok")
}

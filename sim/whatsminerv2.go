package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// btminer's API v2 on the RPC port. Reads are plain JSON commands,
// {"command":"summary"} (btminer also takes "cmd"), answered in cgminer's
// shape with Description "cgminer 4.9.2" for the cgminer commands and in
// btminer's flat shape ({"STATUS":"S","When":…,"Code":131,"Msg":{…},
// "Description":""}) for get_* and status. Writes are
// {"enc":1,"data":<base64 AES-256-ECB>} whose plaintext is
// {"cmd":…,params…,"token":<sign>}: the key is SHA-256 of the password's
// MD5 crypt with the miner's salt, and sign the MD5 crypt of that hash
// plus get_token's time with get_token's newsalt. Replies to writes are
// {"enc":<base64>} under the same key; a request the miner cannot open
// (wrong password, forged token) is refused in the clear. Codes are
// pyasic's table of btminer codes: 14 invalid command, 23 invalid JSON,
// 45 permission denied, 131 command OK, 132 command error, 134 token,
// 135 token check failed, 137 base64 decode error.

// btminer API v2 status codes.
const (
	wmCodeInvalidCmd  = 14
	wmCodeInvalidJSON = 23
	wmCodeDenied      = 45
	wmCodeOK          = 131
	wmCodeCmdError    = 132
	wmCodeToken       = 134
	wmCodeTokenCheck  = 135
	wmCodeBase64      = 137
)

// wmDescription is the STATUS Description of btminer's cgminer-shaped
// replies (captured summary, devs and pools).
const wmDescription = "cgminer 4.9.2"

// wmV2Request is a parsed API v2 request.
type wmV2Request struct {
	cmd     string
	enc     bool   // an encrypted write envelope
	data    string // its base64 ciphertext
	errCode int    // wmCodeInvalidJSON when the bytes are not a JSON object
}

// parseWMV2Request reads one API v2 request: a JSON object with
// "command" or "cmd", or the encrypted envelope {"enc":1,"data":…}.
func parseWMV2Request(buf []byte) wmV2Request {
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	var obj map[string]json.RawMessage
	if !utf8.Valid(buf) || json.Unmarshal(buf, &obj) != nil || obj == nil {
		return wmV2Request{errCode: wmCodeInvalidJSON}
	}
	if raw, ok := obj["enc"]; ok {
		var data string
		if json.Unmarshal(obj["data"], &data) != nil {
			return wmV2Request{enc: true, errCode: wmCodeInvalidJSON}
		}
		_ = raw
		return wmV2Request{enc: true, data: data}
	}
	var req wmV2Request
	for _, k := range []string{"command", "cmd"} {
		if raw, ok := obj[k]; ok {
			if json.Unmarshal(raw, &req.cmd) != nil {
				req.errCode = wmCodeInvalidJSON
			}
			return req
		}
	}
	req.errCode = wmCodeInvalidJSON
	return req
}

// wmWriteCommands are the API v2 commands that need the encrypted,
// token-signed form.
var wmWriteCommands = map[string]bool{
	"update_pools": true, "restart_btminer": true, "reboot": true, "factory_reset": true,
	"power_off": true, "power_on": true, "set_led": true, "set_low_power": true,
	"set_normal_power": true, "set_high_power": true, "set_power_pct": true,
	"adjust_power_limit": true, "set_target_freq": true, "update_pwd": true,
	"set_hostname": true, "net_config": true,
}

// renderWhatsminerV2 answers one API v2 request from raw client bytes.
func (s *Sim) renderWhatsminerV2(w *apiWriter, raw []byte, m *miner, snap *snapshot) {
	w.json = true
	w.desc = wmDescription
	req := parseWMV2Request(raw)
	switch {
	case req.errCode != 0:
		wmFlatText(w, 'E', snap.unix, req.errCode, "invalid JSON message")
	case req.enc:
		s.wmEncryptedWrite(w, req.data, m, snap)
	case wmWriteCommands[req.cmd]:
		wmFlatText(w, 'E', snap.unix, wmCodeDenied, "can't access write cmd")
	default:
		s.wmV2Read(w, req.cmd, m, snap)
	}
}

// wmV2Read answers a read command.
func (s *Sim) wmV2Read(w *apiWriter, cmd string, m *miner, snap *snapshot) {
	spec := m.model
	switch cmd {
	case "summary":
		s.wmV2Summary(w, m, snap)
	case "devs", "edevs":
		wmV2Devs(w, m, snap)
	case "pools":
		wmV2Pools(w, m, snap)
	case "devdetails":
		w.status('S', snap.unix, codeDevDetails, "Device Details", true)
		w.section("DEVDETAILS", false)
		for b := 0; b < spec.Boards; b++ {
			w.open(b > 0)
			w.int("DEVDETAILS", int64(b))
			w.str("Name", "SM")
			w.int("ID", int64(b))
			w.str("Driver", "bitmicro")
			w.str("Kernel", "")
			w.str("Model", spec.wmCode)
			w.close()
		}
		w.end(true)
	case "get_version":
		wmFlatObj(w, snap.unix, wmCodeOK, func() {
			w.str("api_ver", spec.wmAPI)
			w.str("fw_ver", spec.minerVer)
			w.str("platform", "H616")
		})
	case "get_miner_info":
		led := "auto"
		if m.settingsAt(snap.t).Locate {
			led = "red"
		}
		wmFlatObj(w, snap.unix, wmCodeOK, func() {
			w.str("ip", m.addr.String())
			w.str("proto", "dhcp")
			w.str("netmask", "255.255.255.0")
			w.str("dns", "127.0.0.53")
			w.str("mac", m.macString())
			w.str("ledstat", led)
			w.str("gateway", "127.0.0.1")
			w.str("hostname", m.name)
		})
	case "status":
		st := m.settingsAt(snap.t)
		wmFlatObj(w, snap.unix, wmCodeOK, func() {
			w.str("mineroff", strconv.FormatBool(st.Paused))
			w.str("mineroff_reason", "")
			w.str("mineroff_time", "")
			w.str("FirmwareVersion", spec.minerVer)
			w.str("power_mode", "normal")
			w.str("hash_percent", "0")
			w.str("power_limit_set", strconv.Itoa(st.PowerLimitW))
		})
	case "get_token":
		s.wmGetToken(w, m, snap)
	default:
		wmFlatText(w, 'E', snap.unix, wmCodeInvalidCmd, "invalid cmd")
	}
}

// wmFlatObj writes btminer's flat success reply with the object fill
// writes as Msg.
func wmFlatObj(w *apiWriter, when int64, code int, fill func()) {
	w.b = append(w.b, '{')
	w.n = 0
	w.str("STATUS", "S")
	w.int("When", when)
	w.int("Code", int64(code))
	w.key("Msg")
	w.b = append(w.b, '{')
	w.n = 0
	fill()
	w.b = append(w.b, '}')
	w.n = 4
	w.str("Description", "")
	w.b = append(w.b, '}', 0)
}

// wmFlatText writes btminer's flat reply with a text Msg.
func wmFlatText(w *apiWriter, severity byte, when int64, code int, msg string) {
	w.b = append(w.b, '{')
	w.n = 0
	w.str("STATUS", string(severity))
	w.int("When", when)
	w.int("Code", int64(code))
	w.esc("Msg", msg)
	w.str("Description", "")
	w.b = append(w.b, '}', 0)
}

func (s *Sim) wmV2Summary(w *apiWriter, m *miner, snap *snapshot) {
	st := m.settingsAt(snap.t)
	lo, avg, hi := wmChipTemps(wmBoards(m, snap))
	diff := m.model.poolDiff
	w.status('S', snap.unix, codeSummary, "Summary", true)
	w.section("SUMMARY", true)
	w.open(false)
	w.int("Elapsed", int64(snap.uptime))
	w.fixed("MHS av", snap.rateAvg*1e3, 2)
	w.fixed("MHS 5s", snap.rate*1e3, 2)
	w.fixed("MHS 1m", snap.rate*1e3, 2)
	w.fixed("MHS 5m", snap.rate30m*1e3, 2)
	w.fixed("MHS 15m", snap.rate30m*1e3, 2)
	w.fixed("HS RT", snap.rate*1e3, 2)
	w.uint("Accepted", snap.acc)
	w.uint("Rejected", snap.rej)
	w.uint("Hardware Errors", snap.hw)
	w.fixed("Utility", float64(snap.acc)/math.Max(snap.uptime, 1)*60, 2)
	w.uint("Best Share", snap.best)
	w.fixed("Pool Rejected%", ratio(float64(snap.rej)*diff, float64(snap.acc+snap.rej)*diff)*100, 4)
	w.fixed("Temperature", hi, 2)
	w.int("freq_avg", int64(snap.freq))
	w.int("Fan Speed In", int64(snap.fans[0]))
	w.int("Fan Speed Out", int64(snap.fans[1]))
	w.int("Power", int64(math.Round(snap.power)))
	w.int("Power Limit", int64(st.PowerLimitW))
	w.str("Power Mode", "Normal")
	w.fixed("Power Rate", ratio(snap.power, snap.rate/1e3), 2)
	w.int("Factory GHS", int64(math.Round(snap.ideal)))
	w.int("Target Freq", int64(m.model.frequency))
	w.fixed("Env Temp", s.wmEnvTemp(m), 2)
	w.fixed("Chip Temp Min", lo, 2)
	w.fixed("Chip Temp Max", hi, 2)
	w.fixed("Chip Temp Avg", avg, 2)
	w.str("MAC", m.macString())
	w.int("Uptime", int64(snap.uptime)+60)
	w.bool("Hash Stable", !snap.active.has(setLowHashrate))
	w.str("Firmware Version", "'"+m.model.minerVer+"'")
	w.close()
	w.end(true)
}

func wmV2Devs(w *apiWriter, m *miner, snap *snapshot) {
	boards := wmBoards(m, snap)
	share := ratio(snap.rateAvg, snap.rate)
	w.status('S', snap.unix, codeASCs, fmt.Sprintf("%d ASC(s)", len(boards)), true)
	w.section("DEVS", false)
	for i, b := range boards {
		status := "Alive"
		if !b.alive {
			status = "Dead"
		}
		w.open(i > 0)
		w.int("ASC", int64(i))
		w.int("Slot", int64(i))
		w.str("Name", "SM")
		w.int("ID", int64(i))
		w.str("Enabled", "Y")
		w.str("Status", status)
		w.fixed("Temperature", b.pcb, 2)
		w.int("Chip Frequency", int64(b.freq))
		w.int("Fan Speed In", int64(snap.fans[0]))
		w.int("Fan Speed Out", int64(snap.fans[1]))
		w.fixed("MHS av", b.rate*share*1e3, 2)
		w.fixed("MHS 5s", b.rate*1e3, 2)
		w.fixed("MHS 1m", b.rate*1e3, 2)
		w.uint("Accepted", snap.acc/uint64(len(boards)))
		w.uint("Rejected", snap.rej/uint64(len(boards)))
		w.fixed("Chip Temp Min", b.chipMin, 2)
		w.fixed("Chip Temp Max", b.chipMax, 2)
		w.fixed("Chip Temp Avg", b.chipAvg, 2)
		w.int("Device Elapsed", int64(snap.uptime))
		w.int("Effective Chips", int64(b.chips))
		w.str("PCB SN", fmt.Sprintf("%s%s%d", m.serial[:8], "K", 30001+i))
		w.int("Factory GHS", int64(math.Round(b.ideal)))
		w.close()
	}
	w.end(true)
}

func wmV2Pools(w *apiWriter, m *miner, snap *snapshot) {
	pools := m.settingsAt(snap.t).Pools
	w.status('S', snap.unix, codePools, fmt.Sprintf("%d Pool(s)", len(pools)), true)
	w.section("POOLS", false)
	for i, p := range pools {
		active := i == 0 && !m.faults.Load().idle()
		w.open(i > 0)
		w.int("POOL", int64(i+1))
		w.esc("URL", p.URL)
		w.str("Status", "Alive")
		w.int("Priority", int64(i))
		w.int("Quota", 1)
		if i == 0 {
			w.uint("Accepted", snap.acc)
			w.uint("Rejected", snap.rej)
		} else {
			w.int("Accepted", 0)
			w.int("Rejected", 0)
		}
		w.esc("User", p.User)
		w.bool("Stratum Active", active)
		w.close()
	}
	w.end(true)
}

// wmGetToken hands out a write token: the miner's time, the salt of its
// password hash and a fresh per-token salt.
func (s *Sim) wmGetToken(w *apiWriter, m *miner, snap *snapshot) {
	c := m.control()
	c.mu.Lock()
	c.wm.seq++
	tok := wmToken{
		time:    strconv.FormatInt(snap.unix, 10),
		newSalt: wmSaltOf(rand.Uint64()),
		issued:  snap.t,
	}
	key := wmPasswordKey(m.wmPasswordSalt())
	tok.sign = wmCryptHash(key+tok.time, tok.newSalt)
	c.wm.add(tok)
	c.mu.Unlock()
	wmFlatObj(w, snap.unix, wmCodeToken, func() {
		w.str("time", tok.time)
		w.str("salt", m.wmPasswordSalt())
		w.str("newsalt", tok.newSalt)
	})
}

// wmEncryptedWrite opens an encrypted write, checks its token, runs it
// and writes the encrypted reply.
func (s *Sim) wmEncryptedWrite(w *apiWriter, data string, m *miner, snap *snapshot) {
	key := wmAESKey(wmPasswordKey(m.wmPasswordSalt()))
	plain, err := wmDecrypt(key, data)
	if err == errWMBase64 {
		wmFlatText(w, 'E', snap.unix, wmCodeBase64, "base64 decode error")
		return
	}
	var cmd map[string]any
	if err != nil || json.Unmarshal(plain, &cmd) != nil {
		// A wrong password gives a wrong key and garbage here; btminer
		// cannot tell it from a forged request and refuses the token.
		wmFlatText(w, 'E', snap.unix, wmCodeTokenCheck, "check token err")
		return
	}
	token, _ := cmd["token"].(string)
	c := m.control()
	c.mu.Lock()
	ok := c.wm.valid(token, snap.t)
	c.mu.Unlock()
	if !ok {
		wmFlatText(w, 'E', snap.unix, wmCodeTokenCheck, "check token err")
		return
	}
	name, _ := cmd["cmd"].(string)
	reply := apiWriter{json: true}
	s.wmRunWrite(&reply, name, cmd, m, snap)
	body := bytes.TrimRight(reply.b, "\x00")
	w.b = append(w.b, `{"enc":"`...)
	w.b = append(w.b, wmEncrypt(key, body)...)
	w.b = append(w.b, '"', '}', 0)
}

// wmRunWrite carries out an authorised API v2 write and writes its flat
// reply.
func (s *Sim) wmRunWrite(w *apiWriter, name string, cmd map[string]any, m *miner, snap *snapshot) {
	arg := func(k string) string {
		switch v := cmd[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	ok := func() { wmFlatText(w, 'S', snap.unix, wmCodeOK, "ok") }
	bad := func(why string) { wmFlatText(w, 'E', snap.unix, wmCodeCmdError, why) }
	switch name {
	case "reboot", "restart_btminer":
		s.write(m, snap.t, true, func(*minerControl) {})
		ok()
	case "power_off":
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Paused = true })
		ok()
	case "power_on":
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Paused = false })
		ok()
	case "set_led":
		switch {
		case arg("param") == "auto":
			s.write(m, snap.t, false, func(c *minerControl) { c.settings.Locate = false })
		case arg("color") == "red" || arg("color") == "green":
			on := arg("color") == "red"
			s.write(m, snap.t, false, func(c *minerControl) { c.settings.Locate = on })
		default:
			bad("invalid led param")
			return
		}
		ok()
	case "adjust_power_limit":
		n, err := strconv.Atoi(strings.TrimSpace(arg("power_limit")))
		if err != nil || n < 1 || n > 99999 {
			bad("invalid power_limit")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.PowerLimitW = n })
		ok()
	case "update_pools":
		var pools []PoolSetting
		for i := 1; i <= 3; i++ {
			n := strconv.Itoa(i)
			if url := arg("pool" + n); url != "" {
				pools = append(pools, PoolSetting{URL: url, User: arg("worker" + n), Password: arg("passwd" + n)})
			}
		}
		if len(pools) == 0 {
			bad("no pool")
			return
		}
		s.write(m, snap.t, false, func(c *minerControl) { c.settings.Pools = pools })
		ok()
	default:
		wmFlatText(w, 'E', snap.unix, wmCodeInvalidCmd, "invalid cmd")
	}
}

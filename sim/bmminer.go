package sim

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file renders the replies of Bitmain's stock bmminer to the CGMiner
// RPC commands hearth uses. Field names, order and formats follow bmminer's
// api.c and the captured S19/S21 fixtures of the protocol reference (A.1,
// A.2), quirks included: GH/s rates, the "}{" after the stats version
// block, chain rates as strings, dash-separated temperature quads, a string
// "Last Share Time", the "Pool Stale%%" key and the "Tenperature"
// misspelling in devs.

// STATUS codes and messages (api.c codes[]; Antminers print "CGMiner" where
// the 2019 bmminer source says "BMMiner").
const (
	codePools      = 7
	codeASCs       = 9
	codeSummary    = 11
	codeInvalidCmd = 14
	codeVersion    = 22
	codeInvalidJSN = 23
	codeMissingCmd = 24
	codeDevDetails = 69
	codeStats      = 70
)

// rpcRequest is what the server understood of a request.
type rpcRequest struct {
	json      bool   // reply in JSON (the request started with '{')
	command   string // the command name, "" when errCode is set
	parameter string // the parameter as text; LuxOS's writes take one
	errCode   int    // 23, 24 or 14 when the request itself is bad
}

// parseRPCRequest reads a request as cgminer's api() does: the first byte
// decides between JSON ({"command":"summary","parameter":...}) and text
// ("summary|param"); the request ends at the first NUL. A JSON parameter
// may be a string or a number, as cgminer accepts; bmminer's read
// commands ignore it.
func parseRPCRequest(buf []byte) rpcRequest {
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	if len(buf) == 0 || buf[0] != '{' {
		cmd, param, _ := bytes.Cut(buf, []byte{'|'})
		return rpcRequest{command: string(cmd), parameter: string(param)}
	}
	// Fast path for what clients send: {"command":"name"} with a plain name.
	if rest, ok := bytes.CutPrefix(buf, []byte(`{"command":"`)); ok {
		if name, ok := bytes.CutSuffix(rest, []byte(`"}`)); ok && bytes.IndexAny(name, "\"\\") < 0 && isPrintable(name) && utf8.Valid(name) {
			return rpcRequest{json: true, command: string(name)}
		}
	}
	if !utf8.Valid(buf) {
		return rpcRequest{json: true, errCode: codeInvalidJSN} // jansson rejects bad UTF-8
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(buf, &obj); err != nil || obj == nil {
		return rpcRequest{json: true, errCode: codeInvalidJSN}
	}
	raw, ok := obj["command"]
	if !ok {
		return rpcRequest{json: true, errCode: codeMissingCmd}
	}
	var cmd string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &cmd) != nil {
		return rpcRequest{json: true, errCode: codeInvalidCmd}
	}
	req := rpcRequest{json: true, command: cmd}
	if raw, ok := obj["parameter"]; ok && len(raw) > 0 {
		var text string
		if raw[0] == '"' {
			if json.Unmarshal(raw, &text) == nil {
				req.parameter = text
			}
		} else if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
			req.parameter = string(raw)
		}
	}
	return req
}

// isPrintable reports whether b holds no control characters, which a JSON
// string may not contain unescaped.
func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return true
}

// renderRPC writes the complete reply to req for miner m at snapshot s.
// A joined command ("summary+pools") gets the invalid-command error: stock
// S19-class bmminer does not run them.
func renderRPC(w *apiWriter, req rpcRequest, m *miner, s *snapshot) {
	w.json = req.json
	if renderRequestError(w, req, s.unix) {
		return
	}
	switch {
	case strings.Contains(req.command, "+"):
	case req.command == "version":
		renderVersion(w, m, s)
		return
	case req.command == "summary":
		renderSummary(w, m, s)
		return
	case req.command == "pools":
		renderPools(w, m, s)
		return
	case req.command == "stats":
		renderStats(w, m, s)
		return
	case req.command == "devs":
		renderDevs(w, m, s)
		return
	case req.command == "devdetails":
		renderDevDetails(w, s)
		return
	}
	w.status('E', s.unix, codeInvalidCmd, "Invalid command", false)
	w.end(false)
}

// renderRequestError answers, as cgminer's api() does, a request that
// could not be read (not JSON, no command, a command no firmware has) and
// reports whether it did; every family's RPC renderer starts with it.
func renderRequestError(w *apiWriter, req rpcRequest, unix int64) bool {
	switch req.errCode {
	case codeInvalidJSN:
		w.status('E', unix, codeInvalidJSN, "Invalid JSON", true)
	case codeMissingCmd:
		w.status('E', unix, codeMissingCmd, "Missing JSON 'command'", true)
	case codeInvalidCmd:
		w.status('E', unix, codeInvalidCmd, "Invalid command", false)
	default:
		return false
	}
	w.end(false)
	return true
}

// bmminerVersion is the BMMiner field of version and stats.
const bmminerVersion = "1.0.0"

func renderVersion(w *apiWriter, m *miner, s *snapshot) {
	w.status('S', s.unix, codeVersion, "CGMiner versions", true)
	w.section("VERSION", true)
	w.open(false)
	w.str("BMMiner", bmminerVersion)
	w.str("API", "3.1")
	w.str("Miner", m.model.minerVer)
	w.str("CompileTime", m.model.compileTime)
	w.str("Type", m.model.Name)
	w.close()
	w.end(true)
}

// counters derived from uptime that real miners report and hearth ignores;
// they grow at the rates of the captured S19 fixture.
func getworks(s *snapshot) int64      { return int64(s.uptime / 12.8) }
func discarded(s *snapshot) int64     { return int64(s.uptime * 89.7) }
func networkBlocks(s *snapshot) int64 { return int64(s.uptime / 615) }

func renderSummary(w *apiWriter, m *miner, s *snapshot) {
	diff := m.model.poolDiff
	diffAcc := float64(s.acc) * diff
	diffRej := float64(s.rej) * diff
	stale := int64(float64(s.rej) / 9)
	diffStale := float64(stale) * diff
	diff1 := diffAcc + diffRej + diffStale
	uptime := math.Max(s.uptime, 1)

	w.status('S', s.unix, codeSummary, "Summary", true)
	w.section("SUMMARY", true)
	w.open(false)
	w.int("Elapsed", int64(s.uptime))
	w.fixed("GHS 5s", s.rate, 2)
	w.fixed("GHS av", s.rateAvg, 2)
	w.fixed("GHS 30m", s.rate30m, 2)
	w.int("Found Blocks", 0)
	w.int("Getwork", getworks(s)) // sic: the captured S19 firmware says Getwork
	w.uint("Accepted", s.acc)
	w.uint("Rejected", s.rej)
	w.uint("Hardware Errors", s.hw)
	w.fixed("Utility", float64(s.acc)/uptime*60, 2)
	w.int("Discarded", discarded(s))
	w.int("Stale", stale)
	w.int("Get Failures", int64(s.uptime/86400))
	w.int("Local Work", discarded(s)+getworks(s)*3)
	w.int("Remote Failures", 0)
	w.int("Network Blocks", networkBlocks(s))
	w.fixed("Total MH", s.rateAvg*1000*s.uptime, 4)
	w.fixed("Work Utility", diff1/uptime*60, 2)
	w.fixed("Difficulty Accepted", diffAcc, 8)
	w.fixed("Difficulty Rejected", diffRej, 8)
	w.fixed("Difficulty Stale", diffStale, 8)
	w.uint("Best Share", s.best)
	w.fixed("Device Hardware%", ratio(float64(s.hw), float64(s.hw)+diff1)*100, 4)
	w.fixed("Device Rejected%", ratio(diffRej, diff1)*100, 4)
	w.fixed("Pool Rejected%", ratio(diffRej, diff1)*100, 4)
	w.fixed("Pool Stale%", ratio(diffStale, diff1)*100, 4)
	w.int("Last getwork", s.unix)
	w.close()
	w.end(true)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// renderPools lists the configured pools (the seed's pool and its backup
// until set_miner_conf changes them); the first one is mining.
func renderPools(w *apiWriter, m *miner, s *snapshot) {
	renderPoolList(w, m, s, m.settingsAt(s.t).Pools, 0)
}

// renderPoolList writes pools, pool activeIndex mining; the others follow
// it in priority in their POOL order.
func renderPoolList(w *apiWriter, m *miner, s *snapshot, pools []PoolSetting, activeIndex int) {
	diff := m.model.poolDiff
	// Under pool-down the first pool is dead and the miner hashes for the
	// next one, as cgminer does when it fails over.
	poolDown := s.active.has(setPoolDown) && len(pools) > 1
	if poolDown && activeIndex == 0 {
		activeIndex = 1
	}
	stale := int64(float64(s.rej) / 9)
	w.status('S', s.unix, codePools, strconv.Itoa(len(pools))+" Pool(s)", true)
	w.section("POOLS", false)
	for i, p := range pools {
		active := i == activeIndex
		priority := i + 1
		if active {
			priority = 0
		} else if i > activeIndex {
			priority = i
		}
		w.open(i > 0)
		w.int("POOL", int64(i))
		w.esc("URL", p.URL)
		if poolDown && i == 0 {
			w.str("Status", "Dead")
		} else {
			w.str("Status", "Alive")
		}
		w.int("Priority", int64(priority))
		w.int("Quota", 1)
		w.str("Long Poll", "N")
		if active {
			w.int("Getworks", getworks(s))
			w.uint("Accepted", s.acc)
			w.uint("Rejected", s.rej)
			w.int("Discarded", discarded(s))
			w.int("Stale", stale)
			w.int("Get Failures", int64(s.uptime/86400))
		} else {
			w.int("Getworks", 3)
			w.int("Accepted", 0)
			w.int("Rejected", 0)
			w.int("Discarded", 0)
			w.int("Stale", 0)
			w.int("Get Failures", 0)
		}
		w.int("Remote Failures", 0)
		w.esc("User", p.User)
		if active {
			w.key("Last Share Time")
			w.elapsedHMS(s.lastShareAgo)
			w.key("Diff")
			w.cgDiff(diff)
		} else {
			w.str("Last Share Time", "0")
			w.str("Diff", "")
		}
		w.int("Diff1 Shares", 0)
		w.str("Proxy Type", "")
		w.str("Proxy", "")
		if active {
			w.fixed("Difficulty Accepted", float64(s.acc)*diff, 8)
			w.fixed("Difficulty Rejected", float64(s.rej)*diff, 8)
			w.fixed("Difficulty Stale", float64(stale)*diff, 8)
			w.fixed("Last Share Difficulty", diff, 8)
		} else {
			w.fixed("Difficulty Accepted", 0, 8)
			w.fixed("Difficulty Rejected", 0, 8)
			w.fixed("Difficulty Stale", 0, 8)
			w.fixed("Last Share Difficulty", 0, 8)
		}
		w.bool("Has Stratum", true)
		w.bool("Stratum Active", active)
		if active {
			w.esc("Stratum URL", stratumHost(p.URL))
		} else {
			w.str("Stratum URL", "")
		}
		w.bool("Has GBT", false)
		if active {
			w.uint("Best Share", s.best)
			total := float64(s.acc) + float64(s.rej) + float64(stale)
			w.fixed("Pool Rejected%", ratio(float64(s.rej), total)*100, 4)
			w.fixed("Pool Stale%%", ratio(float64(stale), total)*100, 4)
		} else {
			w.int("Best Share", 0)
			w.fixed("Pool Rejected%", 0, 4)
			w.fixed("Pool Stale%%", 0, 4)
		}
		w.close()
	}
	w.end(true)
}

// stratumHost is the host part of a pool URL, as cgminer's "Stratum URL"
// shows it: no scheme, no port.
func stratumHost(url string) string {
	if _, rest, ok := strings.Cut(url, "://"); ok {
		url = rest
	}
	if i := strings.LastIndexByte(url, ':'); i >= 0 && !strings.Contains(url[i:], "]") {
		url = url[:i]
	}
	return url
}

// elapsedHMS writes seconds as the string "H:MM:SS" bmminer uses for
// "Last Share Time".
func (w *apiWriter) elapsedHMS(seconds float64) {
	sec := int64(seconds)
	if w.json {
		w.b = append(w.b, '"')
	}
	w.b = strconv.AppendInt(w.b, sec/3600, 10)
	w.b = append(w.b, ':')
	w.b = appendTwoDigits(w.b, sec%3600/60)
	w.b = append(w.b, ':')
	w.b = appendTwoDigits(w.b, sec%60)
	if w.json {
		w.b = append(w.b, '"')
	}
}

func appendTwoDigits(b []byte, v int64) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// cgDiff writes a difficulty the way cgminer's suffix_string(…, 0) does
// for the pools "Diff" field: "%.3g" and an SI suffix ("524K", "16.4K").
func (w *apiWriter) cgDiff(d float64) {
	if w.json {
		w.b = append(w.b, '"')
	}
	suffix := ""
	switch {
	case d >= 1e15:
		d, suffix = d/1e15, "P"
	case d >= 1e12:
		d, suffix = d/1e12, "T"
	case d >= 1e9:
		d, suffix = d/1e9, "G"
	case d >= 1e6:
		d, suffix = d/1e6, "M"
	case d >= 1e3:
		d, suffix = d/1e3, "K"
	}
	if suffix == "" {
		w.b = strconv.AppendInt(w.b, int64(d), 10)
	} else {
		w.b = strconv.AppendFloat(w.b, d, 'g', 3, 64)
		w.b = append(w.b, suffix...)
	}
	if w.json {
		w.b = append(w.b, '"')
	}
}

// Keys of the per-chain and per-fan fields of bmminer stats.
var (
	keyFan       = numbered("fan")
	keyTemp      = numbered("temp")
	keyTemp2     = numbered("temp2_")
	keyTempChip  = numbered("temp_chip")
	keyTempPCB   = numbered("temp_pcb")
	keyTempPIC   = numbered("temp_pic")
	keyChainAcn  = numbered("chain_acn")
	keyChainAcs  = numbered("chain_acs")
	keyChainHW   = numbered("chain_hw")
	keyChainRate = numbered("chain_rate")
	keyFreq      = numbered("freq")
)

func renderStats(w *apiWriter, m *miner, s *snapshot) {
	spec := m.model
	w.status('S', s.unix, codeStats, "CGMiner stats", true)
	w.section("STATS", false)

	// STATS[0]: the version block, printed without a comma after it.
	w.open(false)
	w.str("BMMiner", bmminerVersion)
	w.str("Miner", spec.minerVer)
	w.str("CompileTime", spec.compileTime)
	w.str("Type", spec.Name)
	w.close()

	w.open(false) // sic: no comma, hence [{...}{...}] on the wire
	w.int("STATS", 0)
	w.str("ID", "BTM_SOC0")
	w.int("Elapsed", int64(s.uptime))
	w.int("Calls", 0)
	w.int("Wait", 0)
	w.int("Max", 0)
	w.int("Min", 99999999)
	w.fixed("GHS 5s", s.rate, 2)
	w.fixed("GHS av", s.rateAvg, 2)
	w.fixed("rate_30m", s.rate30m, 2)
	w.int("Mode", 2)
	present := 0
	var acn int
	for b := 0; b < spec.Boards; b++ {
		if s.boards[b].present {
			present++
			acn += s.boards[b].chips
		}
	}
	w.int("miner_count", int64(present))
	w.int("frequency", int64(s.freq))
	w.int("fan_num", maxFans)
	for f := 0; f < maxFans; f++ {
		w.int(keyFan[f+1], int64(s.fans[f]))
	}
	w.int("temp_num", int64(present))
	for b := 0; b < maxBoards; b++ {
		bs := &s.boards[b]
		if !bs.present {
			continue
		}
		w.int(keyTemp[b+1], int64(max4(bs.pcb)))
		w.int(keyTemp2[b+1], int64(max4(bs.chip)))
	}
	for b := 0; b < maxBoards; b++ {
		w.quad(keyTempChip[b+1], s.boards[b].chip)
	}
	for b := 0; b < maxBoards; b++ {
		w.quad(keyTempPCB[b+1], s.boards[b].pcb)
	}
	for b := 0; b < maxBoards; b++ {
		w.quad(keyTempPIC[b+1], s.boards[b].pic)
	}
	w.int("temp_max", 0)
	w.fixed("total_rateideal", s.ideal, 2)
	w.str("rate_unit", "GH")
	w.int("total_freqavg", int64(s.freq))
	w.int("total_acn", int64(acn))
	w.fixed("total rate", s.rateAvg, 2)
	for b := 0; b < maxBoards; b++ {
		w.int(keyChainAcn[b+1], int64(s.boards[b].chips))
	}
	for b := 0; b < maxBoards; b++ {
		w.key(keyChainAcs[b+1])
		w.chainACS(m, b, s)
	}
	for b := 0; b < maxBoards; b++ {
		w.uint(keyChainHW[b+1], s.boards[b].hw)
	}
	for b := 0; b < maxBoards; b++ {
		if s.boards[b].present {
			w.ghsString(keyChainRate[b+1], s.boards[b].rate)
		} else {
			w.ghsString(keyChainRate[b+1], -1)
		}
	}
	for b := 0; b < maxBoards; b++ {
		w.int(keyFreq[b+1], int64(s.boards[b].freq))
	}
	w.str("miner_version", spec.minerVer)
	w.str("miner_id", m.minerID)
	w.uint("no_matching_work", s.hw)
	w.close()
	w.end(true)
}

// chainACS writes board b's per-chip status string: a space before every
// group of chips, 'o' for a good chip and 'x' for a failed one, "" for an
// absent chain (" ooo ooo ..." in the captured fixtures).
func (w *apiWriter) chainACS(m *miner, b int, s *snapshot) {
	if w.json {
		w.b = append(w.b, '"')
	}
	if bs := &s.boards[b]; bs.present {
		start := len(w.b)
		w.b = append(w.b, healthyACS(m.model)...)
		if bs.failed > 0 {
			group := m.model.groupSize
			for c := 0; c < bs.chips; c++ {
				if m.chipFailed(b, c, s.active) {
					w.b[start+c+c/group+1] = 'x' // one space per group before it
				}
			}
		}
	}
	if w.json {
		w.b = append(w.b, '"')
	}
}

// healthyACS is the chain_acs string of a board of model with every chip
// good, built once per model.
func healthyACS(model *Model) string {
	acsOnce.Do(func() {
		acsByModel = map[*Model]string{}
		for _, md := range models {
			var b []byte
			for c := 0; c < md.ChipsPerBoard; c++ {
				if c%md.groupSize == 0 {
					b = append(b, ' ')
				}
				b = append(b, 'o')
			}
			acsByModel[md] = string(b)
		}
	})
	return acsByModel[model]
}

var (
	acsOnce    sync.Once
	acsByModel map[*Model]string
)

func max4(q [4]int) int {
	m := q[0]
	for _, v := range q[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// renderDevs writes the single BTM_SOC device. The captured S19 firmware
// zeroes its rates and misspells Temperature; hearth reads neither.
func renderDevs(w *apiWriter, m *miner, s *snapshot) {
	diff := m.model.poolDiff
	w.status('S', s.unix, codeASCs, "1 ASC(s)", true)
	w.section("DEVS", false)
	w.open(false)
	w.int("ASC", 0)
	w.str("Name", "BTM_SOC")
	w.int("ID", 0)
	w.str("Enabled", "Y")
	w.str("Status", "Alive")
	w.fixed("Tenperature", 0, 2) // sic
	w.fixed("MHS av", 0, 2)
	w.fixed("MHS 5s", 0, 2)
	w.uint("Accepted", s.acc)
	w.uint("Rejected", s.rej)
	w.int("Hardware Errors", 0)
	w.fixed("Utility", 0, 2)
	w.int("Last Share Pool", 0)
	lastShare := s.unix - int64(s.lastShareAgo)
	w.int("Last Share Time", lastShare)
	w.fixed("Total MH", 0, 4)
	w.int("Diff1 Work", 0)
	w.fixed("Difficulty Accepted", float64(s.acc)*diff, 8)
	w.fixed("Difficulty Rejected", float64(s.rej)*diff, 8)
	// sic: the captured firmware puts the last share's time here.
	w.fixed("Last Share Difficulty", float64(lastShare), 8)
	w.int("Last Valid Work", lastShare)
	w.fixed("Device Hardware%", 0, 4)
	w.fixed("Device Rejected%", 0, 4)
	w.int("Device Elapsed", int64(s.uptime))
	w.close()
	w.end(true)
}

func renderDevDetails(w *apiWriter, s *snapshot) {
	w.status('S', s.unix, codeDevDetails, "Device Details", true)
	w.section("DEVDETAILS", false)
	w.open(false)
	w.int("DEVDETAILS", 0)
	w.str("Name", "BTM_SOC")
	w.int("ID", 0)
	w.str("Driver", "bitmain_soc")
	w.str("Kernel", "")
	w.str("Model", "")
	w.str("Device Path", "")
	w.close()
	w.end(true)
}

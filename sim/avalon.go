package sim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file plays Canaan's Avalon firmware: cgminer 4.11.1 forked by
// Canaan, on the CGMiner RPC port 4028 (reference §5.4). Reads follow the
// captured Avalon Q and A1246 replies of the driver's testdata (asic-rs
// fixtures): "cgminer 4.11.1" Descriptions, MH/s rates in summary and
// devs, and the telemetry packed into one "MM ID0" string of Key[value]
// tokens in stats and estats. The A-series keeps the older layout (one
// "MM ID0" blob with per-board MGHS, MTmax and PVT_Tn lists); the Nano 3
// has the newer one ("MM ID0:Summary" in a 'STATS':{…} wrapper plus an
// "HBinfo" blob with the per-chip lists). Writes are the ascset options of
// avalon_ascset.go and cgminer's restart.

// avalonDescription is the STATUS Description of every Avalon reply.
const avalonDescription = "cgminer 4.11.1"

// avalonFanMaxRPM is the fan speed at 100 % duty: the A1246 capture reads
// 5,344 RPM at FanR 72 %.
const avalonFanMaxRPM = 7400.0

// avalonSpec is what differs between Avalon models: the strings of the
// version reply and stats blob, the stats layout and the work levels.
type avalonSpec struct {
	prod, model    string // version PROD and MODEL
	hwType, swType string // version HWTYPE and SWTYPE
	build          string // LVERSION, BVERSION and CGVERSION
	ver            string // the blob's Ver token
	core           string // the blob's Core token (chip type)
	fanMCU, hbMCU  string // fan and hash-board MCU firmware (newer layout)
	statsID        string // ID of the device entry in stats
	// summaryLayout selects the newer "MM ID0:Summary" + HBinfo layout.
	summaryLayout bool
	// plainMAC writes the MAC without colons, as the Nano 3s capture of
	// the reference (avalontools) does.
	plainMAC bool
	// levels is the power share of each work level, lowest first;
	// defaultLevel the level a miner starts at.
	levels       []float64
	defaultLevel int
	// levelOption names the ascset options that set the level:
	// "worklevel" and "workmode" on the Nano 3, "workmode" on the A-series.
	levelOptions []string
	// help is the reply to "ascset|0,help".
	help string
}

// share returns the power and hash-rate share of work level n.
func (a *avalonSpec) share(n int) float64 {
	if n < 0 || n >= len(a.levels) {
		return 1
	}
	return a.levels[n]
}

// setsLevel reports whether option (lower case) sets the work level.
func (a *avalonSpec) setsLevel(option string) bool {
	for _, o := range a.levelOptions {
		if o == option {
			return true
		}
	}
	return false
}

// avalonA1466 is an AvalonMiner 1466. Strings follow the shape of the
// A1246 capture (Ver "<model>-<bin>-<build>", ID "AVA100", WORKMODE[1]);
// the build itself is the simulator's. Its work modes are Eco and
// Standard (workmode 0 and 1); the firmware lists no worklevel option.
var avalonA1466 = avalonSpec{
	prod: "AvalonMiner 1466-116", model: "1466",
	hwType: "MM4v2_X3", swType: "MM314",
	build: "23080401_8dcd0b1", ver: "1466-116-23080401_8dcd0b1_c4ffa1f",
	core: "A3205", statsID: "AVA100",
	levels: []float64{0.8, 1}, defaultLevel: 1,
	levelOptions: []string{"workmode"},
	help:         "help|led|fan-spd|frequency|voltage|workmode|reboot|softon|softoff|target-temp|password|time|",
}

// avalonNano3 is an Avalon Nano 3 home heater in the newer layout of the
// Avalon Q capture. Its heater levels Low, Medium and High (workmode or
// worklevel 0-2; pyasic sets worklevel for the same three steps) draw
// about 70, 90 and 140 W. It starts at High, its nameplate.
var avalonNano3 = avalonSpec{
	prod: "AvalonNano", model: "Nano3",
	hwType: "N_MM1v1_X1", swType: "MM316",
	build: "24111401_c7a3f62", ver: "Nano3-24111401_c7a3f62",
	core: "A3197S", statsID: "AVALON0",
	fanMCU: "N_fb_v1.0", hbMCU: "N_hb_v1.0",
	summaryLayout: true, plainMAC: true,
	levels: []float64{0.5, 0.65, 1}, defaultLevel: 2,
	levelOptions: []string{"workmode", "worklevel"},
	// The Avalon Q's list (ascset_help.json), which the Nano 3's
	// firmware family shares.
	help: "help|voltage|fan-spd|lcd|hash-sn-read|hash-sn-write|volt-tuning|workmode|worklevel|work_mode_lvl|reboot|softon|softoff|filter-clean|facopts|faclock|activate|solo-allowed|frequency|loop|password|qr_auth|time|",
}

// Avalon STATUS codes of Canaan's cgminer fork (api.c codes[]).
const (
	avCodeMissingID  = 15  // "Missing device id parameter"
	avCodeAccess     = 45  // "Access denied to '%s' command"
	avCodeInvalidASC = 107 // "Invalid ASC id %d - range is 0 - %d"
	avCodeMissingOpt = 116 // "Missing option after ASC number"
	avCodeSetInfo    = 118 // "ASC %d set info: %s" (I)
	avCodeSetOK      = 119 // "ASC %d set OK" (S)
	avCodeSetFailed  = 120 // "ASC %d set failed: %s" (E)
	avCodePoolSetErr = 132 // "Pool set error: %s" (E)
	avCodePoolSet    = 133 // "Pool set info: %s" (S)
)

// avalonJoinable lists the commands cgminer lets a client join with '+'.
var avalonJoinable = map[string]bool{
	"version": true, "config": true, "devs": true, "edevs": true, "pools": true,
	"summary": true, "devdetails": true, "stats": true, "estats": true,
	"litestats": true, "coin": true, "lcd": true, "lockstats": true,
}

// renderAvalon answers one request to an Avalon; writes change m's
// settings.
func (s *Sim) renderAvalon(w *apiWriter, req rpcRequest, m *miner, snap *snapshot) {
	w.json = req.json
	w.desc = avalonDescription
	if renderRequestError(w, req, snap.unix) {
		return
	}
	if strings.Contains(req.command, "+") {
		s.renderAvalonJoined(w, req, m, snap)
		return
	}
	s.renderAvalonCommand(w, req, m, snap)
}

// renderAvalonCommand writes the reply to one command.
func (s *Sim) renderAvalonCommand(w *apiWriter, req rpcRequest, m *miner, snap *snapshot) {
	switch req.command {
	case "version":
		renderAvalonVersion(w, m, snap)
	case "summary":
		renderAvalonSummary(w, m, snap)
	case "devs", "edevs":
		renderAvalonDevs(w, m, snap)
	case "pools":
		renderAvalonPools(w, m, snap, m.settingsAt(snap.t).Pools)
	case "stats":
		s.renderAvalonStats(w, m, snap, true)
	case "estats":
		s.renderAvalonStats(w, m, snap, false)
	case "litestats":
		s.renderAvalonLiteStats(w, m, snap)
	case "ascset":
		s.avalonAscset(w, req.parameter, m, snap)
	case "setpool":
		s.avalonSetPool(w, req.parameter, m, snap)
	case "restart":
		// cgminer's JSON_ACTION reply, then the mining process restarts.
		if w.json {
			w.b = append(w.b, `{"STATUS":"RESTART","id":1}`...)
		} else {
			w.b = append(w.b, "RESTART"...)
		}
		w.b = append(w.b, 0)
		s.write(m, snap.t, true, rebootAvalon)
	default:
		w.status('E', snap.unix, codeInvalidCmd, "Invalid command", false)
		w.end(false)
	}
}

// renderAvalonJoined answers "cmd1+cmd2" as cgminer's api() does: each
// distinct, non-empty command in its own section holding its complete
// reply; a command that changes state is refused with code 45 there.
func (s *Sim) renderAvalonJoined(w *apiWriter, req rpcRequest, m *miner, snap *snapshot) {
	seen := map[string]bool{}
	if w.json {
		w.b = append(w.b, '{')
	}
	first := true
	for _, cmd := range strings.Split(req.command, "+") {
		if cmd == "" || seen[cmd] {
			continue
		}
		seen[cmd] = true
		if w.json {
			if !first {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, '"')
			w.b = append(w.b, cmd...)
			w.b = append(w.b, `":[`...)
		} else {
			w.b = append(w.b, "CMD="...)
			w.b = append(w.b, cmd...)
			w.b = append(w.b, '|')
		}
		first = false
		sub := apiWriter{json: w.json, desc: w.desc, b: w.b}
		if avalonJoinable[cmd] {
			s.renderAvalonCommand(&sub, rpcRequest{json: w.json, command: cmd}, m, snap)
		} else {
			sub.status('E', snap.unix, avCodeAccess, "Access denied to '"+cmd+"' command", true)
			sub.end(false)
		}
		w.b = sub.b[:len(sub.b)-1] // without the section's NUL
		if w.json {
			w.b = append(w.b, ']')
		}
	}
	if w.json {
		w.b = append(w.b, `,"id":1}`...)
	}
	w.b = append(w.b, 0)
}

// avalonMAC is the MAC as the firmware prints it.
func avalonMAC(m *miner) string {
	mac := m.macString()
	if m.model.avalon.plainMAC {
		return strings.ToLower(strings.ReplaceAll(mac, ":", ""))
	}
	return mac
}

// avalonDNA is the controller's unique id.
func avalonDNA(m *miner) string {
	return fmt.Sprintf("0201%012x", m.draw.bits(saltSerial+3)&0xffffffffffff)
}

func renderAvalonVersion(w *apiWriter, m *miner, s *snapshot) {
	a := m.model.avalon
	w.status('S', s.unix, codeVersion, "CGMiner versions", true)
	w.section("VERSION", true)
	w.open(false)
	w.str("CGMiner", "4.11.1")
	w.str("API", "3.7")
	w.str("PROD", a.prod)
	w.str("MODEL", a.model)
	w.str("HWTYPE", a.hwType)
	w.str("SWTYPE", a.swType)
	w.str("LVERSION", a.build)
	w.str("BVERSION", a.build)
	w.str("CGVERSION", a.build)
	w.str("DNA", avalonDNA(m))
	w.str("MAC", avalonMAC(m))
	if a.summaryLayout {
		w.str("FANMCUVERSION", a.fanMCU)
		w.str("HBMCUVERSION", a.hbMCU)
		w.str("UPAPI", "2")
	}
	w.close()
	w.end(true)
}

// avalonCounters are the share figures summary, devs and pools share.
type avalonCounters struct {
	diff, diffAcc, diffRej, diff1 float64
	uptime                        float64
}

func countersOf(m *miner, s *snapshot) avalonCounters {
	c := avalonCounters{diff: m.model.poolDiff, uptime: math.Max(s.uptime, 1)}
	c.diffAcc = float64(s.acc) * c.diff
	c.diffRej = float64(s.rej) * c.diff
	c.diff1 = c.diffAcc + c.diffRej
	return c
}

// renderAvalonSummary writes cgminer 4.11's summary in api.c order, rates
// in MH/s.
func renderAvalonSummary(w *apiWriter, m *miner, s *snapshot) {
	c := countersOf(m, s)
	w.status('S', s.unix, codeSummary, "Summary", true)
	w.section("SUMMARY", true)
	w.open(false)
	w.int("Elapsed", int64(s.uptime))
	w.fixed("MHS av", s.rateAvg*1000, 2)
	w.fixed("MHS 5s", s.rate*1000, 2)
	w.fixed("MHS 1m", s.rate*1000, 2)
	w.fixed("MHS 5m", s.rate30m*1000, 2)
	w.fixed("MHS 15m", s.rate30m*1000, 2)
	w.int("Found Blocks", 0)
	w.int("Getworks", getworks(s))
	w.uint("Accepted", s.acc)
	w.uint("Rejected", s.rej)
	w.uint("Hardware Errors", s.hw)
	w.fixed("Utility", float64(s.acc)/c.uptime*60, 2)
	w.int("Discarded", discarded(s))
	w.int("Stale", 0)
	w.int("Get Failures", 0)
	w.int("Local Work", int64(s.uptime*5.07))
	w.int("Remote Failures", 0)
	w.int("Network Blocks", networkBlocks(s))
	w.fixed("Total MH", s.rateAvg*1000*s.uptime, 4)
	w.fixed("Work Utility", c.diff1/c.uptime*60, 2)
	w.fixed("Difficulty Accepted", c.diffAcc, 8)
	w.fixed("Difficulty Rejected", c.diffRej, 8)
	w.fixed("Difficulty Stale", 0, 8)
	w.uint("Best Share", s.best)
	w.fixed("Device Hardware%", ratio(float64(s.hw), float64(s.hw)+c.diff1)*100, 4)
	w.fixed("Device Rejected%", ratio(c.diffRej, c.diff1)*100, 4)
	w.fixed("Pool Rejected%", ratio(c.diffRej, c.diff1)*100, 4)
	w.fixed("Pool Stale%", 0, 4)
	w.int("Last getwork", s.unix)
	w.close()
	w.end(true)
}

// renderAvalonDevs writes the one ASC, "AVALON" 0, in ascstatus order.
func renderAvalonDevs(w *apiWriter, m *miner, s *snapshot) {
	c := countersOf(m, s)
	w.status('S', s.unix, codeASCs, "1 ASC(s)", true)
	w.section("DEVS", false)
	w.open(false)
	w.int("ASC", 0)
	w.str("Name", "AVALON")
	w.int("ID", 0)
	w.str("Enabled", "Y")
	w.str("Status", "Alive")
	w.fixed("Temperature", 0, 2)
	w.fixed("MHS av", s.rateAvg*1000, 2)
	w.fixed("MHS 5s", s.rate*1000, 2)
	w.fixed("MHS 1m", s.rate*1000, 2)
	w.fixed("MHS 5m", s.rate30m*1000, 2)
	w.fixed("MHS 15m", s.rate30m*1000, 2)
	w.uint("Accepted", s.acc)
	w.uint("Rejected", s.rej)
	w.uint("Hardware Errors", s.hw)
	w.fixed("Utility", float64(s.acc)/c.uptime*60, 2)
	w.int("Last Share Pool", 0)
	w.int("Last Share Time", int64(s.uptime-s.lastShareAgo))
	w.fixed("Total MH", s.rateAvg*1000*s.uptime, 4)
	w.int("Diff1 Work", int64(c.diff1))
	w.fixed("Difficulty Accepted", c.diffAcc, 8)
	w.fixed("Difficulty Rejected", c.diffRej, 8)
	w.fixed("Last Share Difficulty", c.diff, 8)
	w.int("Last Valid Work", s.unix-int64(s.lastShareAgo))
	w.fixed("Device Hardware%", ratio(float64(s.hw), float64(s.hw)+c.diff1)*100, 4)
	w.fixed("Device Rejected%", ratio(c.diffRej, c.diff1)*100, 4)
	w.int("Device Elapsed", int64(s.uptime))
	w.close()
	w.end(true)
}

// renderAvalonPools writes cgminer 4.11's pool list; pool 0 is the one
// mining. Avalon's fork prints the full URL as Stratum URL and adds the
// pool password, as the captured Avalon Q reply shows.
func renderAvalonPools(w *apiWriter, m *miner, s *snapshot, pools []PoolSetting) {
	c := countersOf(m, s)
	w.status('S', s.unix, codePools, strconv.Itoa(len(pools))+" Pool(s)", true)
	w.section("POOLS", false)
	for i, p := range pools {
		active := i == 0
		w.open(i > 0)
		w.int("POOL", int64(i))
		w.esc("URL", p.URL)
		w.str("Status", "Alive")
		w.int("Priority", int64(i))
		w.int("Quota", 1)
		w.str("Long Poll", "N")
		if active {
			w.int("Getworks", getworks(s))
			w.uint("Accepted", s.acc)
			w.uint("Rejected", s.rej)
			w.int("Works", int64(s.uptime*2.53))
			w.int("Discarded", discarded(s))
		} else {
			w.int("Getworks", 0)
			w.int("Accepted", 0)
			w.int("Rejected", 0)
			w.int("Works", 0)
			w.int("Discarded", 0)
		}
		w.int("Stale", 0)
		w.int("Get Failures", 0)
		w.int("Remote Failures", 0)
		w.esc("User", p.User)
		w.esc("Password", p.Password)
		if active {
			w.int("Last Share Time", int64(s.uptime-s.lastShareAgo))
			w.int("Diff1 Shares", int64(c.diff1))
		} else {
			w.int("Last Share Time", 0)
			w.int("Diff1 Shares", 0)
		}
		w.str("Proxy Type", "")
		w.str("Proxy", "")
		if active {
			w.fixed("Difficulty Accepted", c.diffAcc, 8)
			w.fixed("Difficulty Rejected", c.diffRej, 8)
			w.fixed("Difficulty Stale", 0, 8)
			w.fixed("Last Share Difficulty", c.diff, 8)
			w.fixed("Work Difficulty", c.diff, 8)
		} else {
			for _, k := range []string{"Difficulty Accepted", "Difficulty Rejected", "Difficulty Stale", "Last Share Difficulty", "Work Difficulty"} {
				w.fixed(k, 0, 8)
			}
		}
		w.bool("Has Stratum", true)
		w.bool("Stratum Active", active)
		if active {
			w.esc("Stratum URL", p.URL)
			w.fixed("Stratum Difficulty", c.diff, 8)
		} else {
			w.str("Stratum URL", "")
			w.fixed("Stratum Difficulty", 0, 8)
		}
		w.bool("Has Vmask", true)
		w.bool("Has GBT", false)
		if active {
			w.uint("Best Share", s.best)
			w.fixed("Pool Rejected%", ratio(c.diffRej, c.diff1)*100, 4)
		} else {
			w.int("Best Share", 0)
			w.fixed("Pool Rejected%", 0, 4)
		}
		w.fixed("Pool Stale%", 0, 4)
		w.int("Bad Work", 0)
		w.int("Current Block Height", 907089+int64(s.unix-1753431847)/600)
		w.int("Current Block Version", 536870912)
		w.close()
	}
	w.end(true)
}

// avalonStatsHead writes itemstats' generic keys of entry i.
func avalonStatsHead(w *apiWriter, i int, id string, s *snapshot) {
	w.open(i > 0)
	w.int("STATS", int64(i))
	w.str("ID", id)
	w.int("Elapsed", int64(s.uptime))
	w.int("Calls", 0)
	w.fixed("Wait", 0, 6)
	w.fixed("Max", 0, 6)
	w.fixed("Min", 99999999, 6)
}

// renderAvalonStats writes the device entry with its blob, and for stats
// (not estats) one entry per pool, as minerstats does.
func (s *Sim) renderAvalonStats(w *apiWriter, m *miner, snap *snapshot, withPools bool) {
	a := m.model.avalon
	w.status('S', snap.unix, codeStats, "CGMiner stats", true)
	w.section("STATS", false)
	avalonStatsHead(w, 0, a.statsID, snap)
	mm := s.avalonBlob(m, snap)
	if a.summaryLayout {
		w.esc("MM ID0:Summary", mm.summary)
		w.esc("HBinfo", mm.hbInfo)
	} else {
		w.esc("MM ID0", mm.summary)
		w.int("MM Count", 1)
		w.int("Smart Speed", 1)
		w.int("Voltage Level Offset", 0)
		w.int("Nonce Mask", 25)
	}
	w.close()
	if withPools {
		pools := m.settingsAt(snap.t).Pools
		diff := m.model.poolDiff
		for i := range pools {
			avalonStatsHead(w, i+1, "POOL"+strconv.Itoa(i), snap)
			active := i == 0
			share := 0.0
			if active {
				share = 1
			}
			w.int("Pool Calls", 0)
			w.int("Pool Attempts", 0)
			w.fixed("Pool Wait", 0, 6)
			w.fixed("Pool Max", 0, 6)
			w.fixed("Pool Min", 99999999, 6)
			w.fixed("Pool Av", 0, 6)
			w.bool("Work Had Roll Time", false)
			w.bool("Work Can Roll", false)
			w.bool("Work Had Expire", false)
			w.int("Work Roll Time", 0)
			w.fixed("Work Diff", diff*share, 8)
			w.fixed("Min Diff", diff*share, 8)
			w.fixed("Max Diff", diff*share, 8)
			w.int("Min Diff Count", int64(share))
			w.int("Max Diff Count", int64(float64(snap.acc)*share))
			sent := int64(snap.uptime/21*share) + 3
			recv := int64(snap.uptime/8.9*share) + 6
			w.int("Times Sent", sent)
			w.int("Bytes Sent", sent*82)
			w.int("Times Recv", recv)
			w.int("Bytes Recv", recv*342)
			w.int("Net Bytes Sent", sent*82)
			w.int("Net Bytes Recv", recv*342)
			w.close()
		}
	}
	w.end(true)
}

// renderAvalonLiteStats writes litestats: the blob alone, without the
// generic keys or HBinfo (the captured litestats.json).
func (s *Sim) renderAvalonLiteStats(w *apiWriter, m *miner, snap *snapshot) {
	w.status('S', snap.unix, codeStats, "CGMiner stats", true)
	w.section("STATS", false)
	w.open(false)
	key := "MM ID0"
	if m.model.avalon.summaryLayout {
		key = "MM ID0:Summary"
	}
	w.esc(key, s.avalonBlob(m, snap).summary)
	w.close()
	w.end(true)
}

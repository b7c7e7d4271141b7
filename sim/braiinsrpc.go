package sim

import (
	"math"
	"strconv"
)

// The cgminer-compatible RPC of Braiins OS on port 4028, answered by
// BOSer: the version reply names "BOSer" (captured 24.09 and 25.05
// fixtures), rates are in MH/s ("MHS 1m", as pyasic reads them), hash
// chains are numbered from 0 and BOSer adds fans, temps and tunerstatus.
// It is read-only here: writes go through the gRPC or REST API.

// BOSer STATUS codes of the extra commands (bosminer's api).
const (
	bosCodeFans   = 202
	bosCodeTemps  = 201
	bosCodeTuner  = 203
	bosCodeDevs   = 9
	bosCodeDetail = codeDevDetails
)

// renderBOSer answers one RPC request for Braiins OS miner m.
func (s *Sim) renderBOSer(w *apiWriter, req rpcRequest, m *miner, snap *snapshot) {
	fw := m.model.bos
	w.json = req.json
	w.desc = "BOSer " + fw.boser
	if renderRequestError(w, req, snap.unix) {
		return
	}
	switch req.command {
	case "version":
		w.status('S', snap.unix, codeVersion, "BOSer versions", true)
		w.section("VERSION", true)
		w.open(false)
		w.str("API", "3.7")
		w.esc("BOSer", fw.boser)
		w.close()
		w.end(true)
	case "summary":
		renderBOSerSummary(w, m, snap)
	case "pools":
		groups := m.bosGroups(snap.t)
		var pools []PoolSetting
		active := -1
		ag, ap := activePool(groups)
		for gi, g := range groups {
			for pi, p := range g.pools {
				if gi == ag && pi == ap {
					active = len(pools)
				}
				pools = append(pools, PoolSetting{URL: p.url, User: p.user})
			}
		}
		renderPoolList(w, m, snap, pools, active)
	case "devs":
		renderBOSerDevs(w, m, snap)
	case "devdetails":
		w.status('S', snap.unix, bosCodeDetail, "Device Details", true)
		w.section("DEVDETAILS", false)
		for i := 0; i < m.model.Boards; i++ {
			b := &snap.boards[i]
			w.open(i > 0)
			w.int("DEVDETAILS", int64(i))
			w.str("Name", "")
			w.int("ID", int64(i))
			w.str("Driver", "")
			w.str("Kernel", "")
			w.esc("Model", fw.devModel)
			w.str("Device Path", "")
			w.int("Chips", int64(b.chips))
			w.fixed("Frequency", float64(b.freq), 2)
			w.fixed("Voltage", bosBoardVoltage(m, b), 2)
			w.close()
		}
		w.end(true)
	case "fans":
		w.status('S', snap.unix, bosCodeFans, strconv.Itoa(m.model.Fans)+" Fan(s)", true)
		w.section("FANS", false)
		for f := 0; f < m.model.Fans; f++ {
			w.open(f > 0)
			w.int("FAN", int64(f))
			w.int("ID", int64(f))
			w.int("RPM", int64(snap.fans[f]))
			w.int("Speed", int64(math.Round(float64(snap.fans[f])/bosFanMaxRPM*100)))
			w.close()
		}
		w.end(true)
	case "temps":
		w.status('S', snap.unix, bosCodeTemps, "Temperatures", true)
		w.section("TEMPS", false)
		n := 0
		for i := 0; i < m.model.Boards; i++ {
			b := &snap.boards[i]
			if !b.present {
				continue
			}
			w.open(n > 0)
			n++
			w.int("TEMP", int64(i))
			w.int("ID", int64(i))
			w.fixed("Board", float64(max4(b.pcb)), 1)
			w.fixed("Chip", float64(chipMaxOf(b)), 1)
			w.close()
		}
		w.end(true)
	case "tunerstatus":
		renderBOSerTuner(w, m, snap)
	default:
		w.status('E', snap.unix, codeInvalidCmd, "Invalid command", false)
		w.end(false)
	}
}

// renderBOSerSummary is SUMMARY with BOSer's MH/s rates.
func renderBOSerSummary(w *apiWriter, m *miner, s *snapshot) {
	diff := m.model.poolDiff
	diffAcc := float64(s.acc) * diff
	diffRej := float64(s.rej) * diff
	diff1 := diffAcc + diffRej
	uptime := math.Max(s.uptime, 1)
	win := bosWindowGHs(s)
	w.status('S', s.unix, codeSummary, "Summary", true)
	w.section("SUMMARY", true)
	w.open(false)
	w.int("Elapsed", int64(s.uptime))
	w.fixed("MHS av", s.rateAvg*1000, 2)
	w.fixed("MHS 5s", win[0]*1000, 2)
	w.fixed("MHS 1m", win[3]*1000, 2)
	w.fixed("MHS 5m", win[4]*1000, 2)
	w.fixed("MHS 15m", win[5]*1000, 2)
	w.fixed("MHS 24h", win[8]*1000, 2)
	w.int("Found Blocks", 0)
	w.int("Getworks", getworks(s))
	w.uint("Accepted", s.acc)
	w.uint("Rejected", s.rej)
	w.uint("Hardware Errors", s.hw)
	w.fixed("Utility", float64(s.acc)/uptime*60, 2)
	w.int("Discarded", 0)
	w.int("Stale", 0)
	w.int("Get Failures", 0)
	w.int("Local Work", getworks(s)*3)
	w.int("Remote Failures", 0)
	w.int("Network Blocks", networkBlocks(s))
	w.fixed("Total MH", s.rateAvg*1000*s.uptime, 4)
	w.fixed("Work Utility", diff1/uptime*60, 2)
	w.fixed("Difficulty Accepted", diffAcc, 8)
	w.fixed("Difficulty Rejected", diffRej, 8)
	w.fixed("Difficulty Stale", 0, 8)
	w.uint("Best Share", s.best)
	w.fixed("Device Hardware%", ratio(float64(s.hw), float64(s.hw)+diff1)*100, 4)
	w.fixed("Device Rejected%", ratio(diffRej, diff1)*100, 4)
	w.fixed("Pool Rejected%", ratio(diffRej, diff1)*100, 4)
	w.fixed("Pool Stale%", 0, 4)
	w.int("Last getwork", s.unix)
	w.close()
	w.end(true)
}

// renderBOSerDevs is DEVS: one record per hash chain, MH/s.
func renderBOSerDevs(w *apiWriter, m *miner, s *snapshot) {
	w.status('S', s.unix, bosCodeDevs, strconv.Itoa(m.model.Boards)+" ASC(s)", true)
	w.section("DEVS", false)
	nominal := bosNominalGHs(m, s) / float64(m.model.Boards)
	for i := 0; i < m.model.Boards; i++ {
		b := &s.boards[i]
		status, enabled := "Alive", "Y"
		if !b.present {
			status, nominal = "Dead", 0
		}
		w.open(i > 0)
		w.int("ASC", int64(i))
		w.str("Name", "")
		w.int("ID", int64(i))
		w.str("Enabled", enabled)
		w.str("Status", status)
		w.fixed("Temperature", float64(chipMaxOf(b)), 1)
		w.fixed("MHS av", b.rate*1000, 2)
		w.fixed("MHS 5s", b.rate*1000, 2)
		w.fixed("MHS 1m", b.rate*1000, 2)
		w.fixed("Nominal MHS", nominal*1000, 2)
		w.uint("Hardware Errors", b.hw)
		w.int("Device Elapsed", int64(s.uptime))
		w.close()
	}
	w.end(true)
}

// renderBOSerTuner is TUNERSTATUS: the tuner in power-target mode.
func renderBOSerTuner(w *apiWriter, m *miner, s *snapshot) {
	st := m.settingsAt(s.t)
	w.status('S', s.unix, bosCodeTuner, "Tuner Status", true)
	w.section("TUNERSTATUS", false)
	w.open(false)
	w.int("ApproximateMinerPowerConsumption", int64(math.Round(s.power)))
	w.str("DynamicPowerScaling", "Disabled")
	w.int("PowerLimit", int64(st.PowerTargetW))
	if w.json {
		w.key("TunerChainStatus")
		w.b = append(w.b, '[')
		for i := 0; i < m.model.Boards; i++ {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			status := "Stable"
			if !s.boards[i].present {
				status = "Failed"
			}
			w.b = append(w.b, `{"HashchainIndex":`...)
			w.b = strconv.AppendInt(w.b, int64(i), 10)
			w.b = append(w.b, `,"Status":"`...)
			w.b = append(w.b, status...)
			w.b = append(w.b, `"}`...)
		}
		w.b = append(w.b, ']')
	}
	w.str("TunerMode", "PowerTarget")
	w.close()
	w.end(true)
}

package sim

import (
	"math"
	"strconv"
)

// The Avalon telemetry blob: Key[value] tokens, one value per board, chip
// or power-supply reading separated by spaces, built from the physics
// snapshot. Token names, order and formats follow the captured Avalon Q
// (newer layout) and A1246 (older layout) stats.

// avalonBlobs is the text of a stats device entry: the summary blob ("MM
// ID0" or "MM ID0:Summary") and, in the newer layout, HBinfo.
type avalonBlobs struct {
	summary string
	hbInfo  string
}

// mmWriter appends Key[value] tokens.
type mmWriter struct{ b []byte }

func (w *mmWriter) open(key string) {
	if len(w.b) > 0 && w.b[len(w.b)-1] != '{' {
		w.b = append(w.b, ' ')
	}
	w.b = append(w.b, key...)
	w.b = append(w.b, '[')
}

func (w *mmWriter) text(key, v string) {
	w.open(key)
	w.b = append(w.b, v...)
	w.b = append(w.b, ']')
}

func (w *mmWriter) int(key string, v int64) {
	w.open(key)
	w.b = strconv.AppendInt(w.b, v, 10)
	w.b = append(w.b, ']')
}

func (w *mmWriter) fixed(key string, v float64, prec int) {
	w.open(key)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
	w.b = append(w.b, ']')
}

func (w *mmWriter) percent(key string, v float64, prec int) {
	w.open(key)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
	w.b = append(w.b, '%', ']')
}

// ints writes a list; width > 0 pads each value as C's %<width>d, as the
// PVT_T lists are printed.
func (w *mmWriter) ints(key string, vs []int, width int) {
	w.open(key)
	for i, v := range vs {
		if i > 0 {
			w.b = append(w.b, ' ')
		}
		s := strconv.Itoa(v)
		for k := len(s); k < width; k++ {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, s...)
	}
	w.b = append(w.b, ']')
}

// avalonBoard is one board's readings as the blob gives them.
type avalonBoard struct {
	present       bool
	rate          float64 // GH/s
	inlet, outlet int     // HBITemp, HBOTemp
	chipMax       int     // MTmax
	chipAvg       int     // MTavg
	chips         []int   // PVT_T: per-chip temperatures
	volts         []int   // PVT_V: per-chip millivolts
}

// avalonBoards derives the per-board readings from the snapshot. The
// chips run from the inlet edge's chip temperature to the outlet edge's,
// with a small per-chip spread; the hottest chip is the board's hottest
// quad reading, so that MTmax and max(PVT_T) agree as on real firmware.
func avalonBoards(m *miner, snap *snapshot) []avalonBoard {
	spec := m.model
	out := make([]avalonBoard, spec.Boards)
	for b := range out {
		bs := &snap.boards[b]
		ab := &out[b]
		if !bs.present {
			continue
		}
		ab.present = true
		ab.rate = bs.rate
		ab.inlet = min(bs.pcb[0], bs.pcb[1])
		ab.outlet = max(bs.pcb[2], bs.pcb[3])
		lo := float64(min(bs.chip[0], bs.chip[1]))
		hi := max4(bs.chip)
		n := spec.ChipsPerBoard
		ab.chips = make([]int, n)
		ab.volts = make([]int, n)
		// The hottest chip sits in the last quarter, near the outlet.
		hottest := n - 1 - m.draw.intn(saltSensor+uint64(b)<<12, max(1, n/4))
		sum := 0
		for c := 0; c < n; c++ {
			pos := 0.0
			if n > 1 {
				pos = float64(c) / float64(n-1)
			}
			jitter := 3 * (m.draw.unit(saltSensor+uint64(b)<<12+uint64(c+1)<<20) - 0.5)
			t := int(math.Round(lo + (float64(hi)-lo)*pos + jitter))
			ab.chips[c] = min(t, hi-1)
			ab.volts[c] = 300 + int(12*m.draw.unit(saltSensor+uint64(b)<<12+uint64(c+1)<<24))
		}
		ab.chips[hottest] = hi
		for _, t := range ab.chips {
			sum += t
		}
		ab.chipMax = hi
		ab.chipAvg = int(math.Round(float64(sum) / float64(n)))
	}
	return out
}

// avalonBlob renders m's blob at snap.
func (s *Sim) avalonBlob(m *miner, snap *snapshot) avalonBlobs {
	a := m.model.avalon
	st := m.settingsAt(snap.t)
	c := m.control()
	c.mu.Lock()
	sched := c.avalon.avalonTimed
	c.mu.Unlock()
	boards := avalonBoards(m, snap)
	idle := st.Paused
	share := a.share(st.WorkLevel)

	// Fans: stopped in standby, at the set duty when manual.
	fans := make([]int, m.model.Fans)
	var fanSum int
	for f := range fans {
		switch {
		case idle:
		case st.FanManual:
			fans[f] = int(math.Round(avalonFanMaxRPM * float64(st.FanPercent) / 100))
			if snap.fans[f] == 0 { // a failed fan stays failed
				fans[f] = 0
			}
		default:
			fans[f] = snap.fans[f]
		}
		fanSum += fans[f]
	}
	duty := 0.0
	switch {
	case idle:
	case st.FanManual:
		duty = float64(st.FanPercent)
	case len(fans) > 0:
		duty = math.Min(100, math.Round(float64(fanSum)/float64(len(fans))/avalonFanMaxRPM*100))
	}

	// Temperatures: chip sensors are not read in standby (TMax[0], as
	// the Avalon Q capture shows after a softoff).
	tMax, tAvg, n := 0, 0, 0
	var mtMax, mtAvg, inlet, outlet []int
	for _, b := range boards {
		if !b.present {
			mtMax, mtAvg = append(mtMax, 0), append(mtAvg, 0)
			continue
		}
		if !idle {
			tMax = max(tMax, b.chipMax)
			tAvg += b.chipAvg
			n++
		}
		mtMax = append(mtMax, b.chipMax)
		mtAvg = append(mtAvg, b.chipAvg)
		inlet = append(inlet, b.inlet)
		outlet = append(outlet, b.outlet)
	}
	if n > 0 {
		tAvg /= n
	}
	if idle {
		for i := range mtMax {
			mtMax[i], mtAvg[i] = 0, 0
		}
	}
	air := int(math.Round(s.ambient + m.ambient))

	power := int(math.Round(snap.power))
	vOut := 1300 + int(16*m.draw.unit(saltSensor+7))
	amps := 0
	if power > 0 {
		amps = int(math.Round(float64(power) / (float64(vOut) / 100)))
	}
	ps := []int{0, 1214, vOut, amps, power, 1320, int(math.Round(float64(power)*1.099)) + 4}

	ideal := snap.ideal * share
	dh := ratio(float64(snap.hw), float64(snap.hw)+snap.shares*m.model.poolDiff) * 100
	work := "In Work"
	if idle {
		work = "In Idle"
	}
	softOff := int64(0)
	if idle {
		softOff = 4
	}
	led := int64(0)
	if st.Locate {
		led = 1
	}
	var echu []int
	for _, b := range boards {
		if b.present {
			echu = append(echu, 0)
		} else {
			echu = append(echu, 512) // the board does not answer
		}
	}
	var mghs []byte
	for i, b := range boards {
		if i > 0 {
			mghs = append(mghs, ' ')
		}
		mghs = strconv.AppendFloat(mghs, b.rate, 'f', 2, 64)
	}
	freqs := func(w *mmWriter, key string) {
		f := float64(snap.freq)
		w.ints(key, []int{int(f * 0.94), int(f * 0.98), int(f * 1.02), int(f * 1.06)}, 0)
	}
	elapsed := int64(snap.uptime)
	mpo := int64(math.Round(m.model.Power * share))

	var w mmWriter
	if a.summaryLayout {
		w.b = append(w.b, "'STATS':{"...)
		w.text("Ver", a.ver)
		w.text("LVer", a.build)
		w.text("BVer", a.build)
		w.text("HashMcu0Ver", a.hbMCU)
		w.text("FanMcuVer", a.fanMCU)
		w.text("CPU", "K230")
		w.text("FW", "Release")
		w.text("DNA", avalonDNA(m))
		w.int("STATE", 2)
		w.int("MEMFREE", 67896-int64(m.index%97))
		w.ints("NETFAIL", []int{0, 0, 0, 0, 0, 0, 0, 0}, 0)
		w.text("SSID", "")
		w.int("RSSI", 0)
		w.int("NetDevType", 0)
		w.text("SYSTEMSTATU", "Work: "+work+", Hash Board: "+strconv.Itoa(len(inlet)))
		w.int("Elapsed", elapsed)
		w.text("BOOTBY", "0x01.00000000")
		w.int("LW", elapsed*449)
		w.int("MH", 0)
		w.int("DHW", 0)
		w.int("HW", int64(snap.hw))
		w.percent("DH", dh, 3)
		w.int("ITemp", int64(air))
		w.ints("HBITemp", inlet, 0)
		w.ints("HBOTemp", outlet, 0)
		w.int("TMax", int64(tMax))
		w.int("TAvg", int64(tAvg))
		w.int("TarT", 65)
		for f, rpm := range fans {
			w.int("Fan"+strconv.Itoa(f+1), int64(rpm))
		}
		w.percent("FanR", duty, 0)
		w.int("SoftOffTime", sched.softOffTime)
		w.int("SoftOnTime", sched.softOnTime)
		w.int("Filter", elapsed/2)
		w.int("FanErr", 0)
		w.int("SoloAllowed", 1)
		w.ints("PS", ps, 0)
		w.int("WALLPOWER", int64(power))
		w.int("PCOMM_E", 0)
		w.fixed("GHSspd", snap.rate, 2)
		w.percent("DHspd", dh, 3)
		w.fixed("GHSmm", ideal, 2)
		w.fixed("GHSavg", snap.rateAvg, 2)
		w.fixed("WU", snap.rateAvg*14, 2)
		w.fixed("Freq", float64(snap.freq), 2)
		w.open("MGHS")
		w.b = append(w.b, mghs...)
		w.b = append(w.b, ']')
		w.int("Led", led)
		w.int("TA", int64(m.model.Boards*m.model.ChipsPerBoard))
		w.text("Core", a.core)
		w.int("BIN", 36)
		w.int("PING", 17+int64(m.index%9))
		w.int("SoftOFF", softOff)
		w.ints("ECHU", echu, 0)
		w.int("ECMM", 0)
		freqs(&w, "PLL0")
		freqs(&w, "SF0")
		w.int("CRC", 0)
		w.int("COMCRC", 0)
		// ATA0: the auto-tuning point, "<max power>-<target °C>-…-<clock>-…"
		// as in the Avalon Q capture.
		w.text("ATA0", strconv.FormatInt(mpo, 10)+"-65-2264-"+strconv.Itoa(snap.freq)+"-20")
		w.int("LcdOnoff", 1)
		w.int("Activation", 0)
		w.int("WORKMODE", int64(st.WorkLevel))
		w.int("WORKLEVEL", int64(st.WorkLevel))
		w.int("MPO", mpo)
		w.int("CALIALL", 7)
		w.int("ADJ", 1)
		w.int("Nonce Mask", 25)
		w.b = append(w.b, '}')
		summary := string(w.b)

		w.b = w.b[:0]
		w.b = append(w.b, "'HB0':{"...)
		for i, b := range boards {
			w.ints("PVT_T"+strconv.Itoa(i), b.chips, 3)
			w.ints("PVT_V"+strconv.Itoa(i), b.volts, 3)
		}
		w.b = append(w.b, '}')
		return avalonBlobs{summary: summary, hbInfo: string(w.b)}
	}

	w.text("Ver", a.ver)
	w.text("DNA", avalonDNA(m))
	w.fixed("MEMFREE", 1201472-float64(m.index%113), 1)
	w.ints("NETFAIL", []int{0, 0, 0, 0, 0, 0, 0, 0}, 0)
	w.text("SYSTEMSTATU", "Work: "+work+", Hash Board: "+strconv.Itoa(len(inlet))+" ")
	w.int("Elapsed", elapsed)
	w.text("BOOTBY", "0x08.00000000")
	w.int("LW", elapsed*995)
	mh := make([]int, len(boards))
	for i := range mh {
		mh[i] = int(snap.boards[i].hw / 4)
	}
	w.ints("MH", mh, 0)
	w.int("HW", int64(snap.hw))
	w.percent("DH", dh, 3)
	w.int("Temp", int64(air))
	w.int("TMax", int64(tMax))
	w.int("TAvg", int64(tAvg))
	for f, rpm := range fans {
		w.int("Fan"+strconv.Itoa(f+1), int64(rpm))
	}
	w.percent("FanR", duty, 0)
	w.int("Vo", 329)
	w.ints("PS", ps, 0)
	for i := range boards {
		freqs(&w, "PLL"+strconv.Itoa(i))
	}
	w.fixed("GHSspd", snap.rate, 2)
	w.percent("DHspd", dh, 3)
	w.fixed("GHSmm", ideal, 2)
	w.fixed("GHSavg", snap.rateAvg, 2)
	w.fixed("WU", snap.rateAvg*14, 2)
	w.fixed("Freq", float64(snap.freq), 2)
	w.int("Led", led)
	w.open("MGHS")
	w.b = append(w.b, mghs...)
	w.b = append(w.b, ']')
	w.ints("MTmax", mtMax, 0)
	w.ints("MTavg", mtAvg, 0)
	w.int("TA", int64(m.model.Boards*m.model.ChipsPerBoard))
	w.text("Core", a.core)
	w.int("PING", 400+int64(m.index%80))
	w.int("POWS", 0)
	w.ints("HASHS", make([]int, len(boards)), 0)
	w.int("POOLS", 0)
	w.int("SoftOFF", softOff)
	w.ints("ECHU", echu, 0)
	w.int("ECMM", 0)
	for i := range boards {
		freqs(&w, "SF"+strconv.Itoa(i))
	}
	for i, b := range boards {
		if b.present {
			w.ints("PVT_T"+strconv.Itoa(i), b.chips, 3)
		}
	}
	for i, b := range boards {
		if b.present {
			w.ints("PVT_V"+strconv.Itoa(i), b.volts, 3)
		}
	}
	mw := make([]int, len(boards))
	for i, b := range boards {
		if b.present {
			mw[i] = 8192000 + int(b.rate/1000)
		}
	}
	w.ints("MW", mw, 0)
	chipWork := make([]int, m.model.ChipsPerBoard)
	for i, b := range boards {
		if !b.present {
			continue
		}
		for c := range chipWork {
			chipWork[c] = 560 + int(140*m.draw.unit(saltSensor+uint64(i)<<12+uint64(c+1)<<28))
		}
		w.ints("MW"+strconv.Itoa(i), chipWork, 0)
	}
	for i, b := range boards {
		if b.present {
			w.ints("ASICCRC"+strconv.Itoa(i), make([]int, m.model.ChipsPerBoard), 0)
		}
	}
	w.ints("CRC", make([]int, len(boards)), 0)
	w.text("POW_I2C", "OK")
	w.text("FACOPTS0", "")
	w.text("FACOPTS1", "")
	f := float64(m.model.frequency * share)
	w.text("ATAOPTS0", "--avalon10-freq "+pllText(f*0.75)+" --avalon10-voltage-level 46 ")
	w.text("ATAOPTS1", "--avalon10-freq "+pllText(f)+" --avalon10-voltage-level 55 ")
	w.int("ADJ", 1)
	w.ints("COP", make([]int, len(boards)), 0)
	w.int("MPO", mpo)
	w.int("MVL", 87)
	for i := range boards {
		freqs(&w, "ATABD"+strconv.Itoa(i))
	}
	w.int("WORKMODE", int64(st.WorkLevel))
	return avalonBlobs{summary: string(w.b)}
}

// pllText is a four-step clock list around f, "472:492:512:532".
func pllText(f float64) string {
	var b []byte
	for i, mul := range []float64{0.94, 0.98, 1.02, 1.06} {
		if i > 0 {
			b = append(b, ':')
		}
		b = strconv.AppendInt(b, int64(f*mul), 10)
	}
	return string(b)
}

package antminer

import "github.com/hearth-fleet/hearth"

// boards turns the chain slots of st into hearth boards.
//
// Without a known model the boards are the populated slots. With one, the
// boards are the model's expected slots: the first window of as many
// consecutive slots as the model has boards that holds every populated
// slot. A slot in that window without chips is a dead board, reported with
// Chips 0, so that a board that stopped answering is seen rather than
// silently missing. Slots outside it (bmminer lists a fourth, empty chain
// on three-board models) are absent.
func boards(st *stats, m model, known bool) []hearth.Board {
	var buf [maxChains]int
	slots := expectedSlots(buf[:0], st, m, known)
	if len(slots) == 0 {
		return nil
	}
	populated := 0
	for _, n := range slots {
		if st.chains[n].populated() {
			populated++
		}
	}
	// Per-board ideal rate: the chain's own where the firmware reports it
	// (older models), else the total shared by the expected boards, or by
	// the boards present when the model is unknown.
	sharers := max(populated, 1)
	if known {
		sharers = m.boards
	}
	share := st.idealTotal / float64(sharers)

	out := make([]hearth.Board, 0, len(slots))
	for i, n := range slots {
		c := &st.chains[n]
		b := hearth.Board{
			Index:        i,
			HashRate:     hashes(c.rate, st.unit),
			Chips:        c.chips,
			FailedChips:  c.failed,
			FrequencyMHz: c.freq,
			HardwareErrs: c.hwErrors,
		}
		if c.ideal > 0 {
			b.IdealHashRate = hashes(c.ideal, st.unit)
		} else {
			b.IdealHashRate = hashes(share, st.unit)
		}
		if known {
			b.ExpectedChips = m.chipsPerBoard
		}
		b.ChipTemp, b.BoardTemp, b.InletTemp, b.OutletTemp = c.temperatures()
		out = append(out, b)
	}
	return out
}

// expectedSlots appends the chain numbers to report as boards to dst,
// ascending.
func expectedSlots(dst []int, st *stats, m model, known bool) []int {
	var populated, listed [maxChains]int
	np, nl := 0, 0
	for n := 1; n <= maxChains; n++ {
		c := &st.chains[n]
		if c.populated() {
			populated[np] = n
			np++
		}
		if c.listed || c.populated() {
			listed[nl] = n
			nl++
		}
	}
	if known && m.boards > 0 {
		for _, start := range listed[:nl] {
			end := start + m.boards - 1 // inclusive
			if end > maxChains {
				break
			}
			if np > 0 && (populated[0] < start || populated[np-1] > end) {
				continue
			}
			for n := start; n <= end; n++ {
				dst = append(dst, n)
			}
			return dst
		}
	}
	return append(dst, populated[:np]...)
}

// temperatures derives a board's temperatures, °C: the hottest chip, the
// hottest PCB sensor, and the inlet and outlet edges of the PCB quad (see
// quad). Older firmware without quads reports the hottest chip as temp2_N
// and the PCB as tempN.
func (c *chain) temperatures() (chip, board, inlet, outlet float64) {
	chip = c.chipTemps.max()
	usedTemp := false
	if chip == 0 {
		chip = c.temp2
	}
	if chip == 0 {
		chip, usedTemp = c.temp, true
	}
	board, inlet, outlet = c.pcbTemps.max(), c.pcbTemps.inlet(), c.pcbTemps.outlet()
	if board == 0 && !usedTemp {
		board = c.temp
	}
	return chip, board, inlet, outlet
}

package sim

import (
	"strconv"
)

// VNish's miner log, served as text by GET /api/v1/logs/miner: what the
// miner program writes while it starts, finds its chains, applies the
// autotune preset and connects to its pools, and the warnings its state
// gives rise to (a chain that is not found, chips that do not answer, a
// hot chip, a stopped fan, mining paused). It is rendered from the
// snapshot, so a fault shows in the log as it shows in /summary.

// vnishLogTypes are the log_type values of GET /logs/{log_type} (the ones
// asic-rs reads); all but "miner" are served empty by the simulator.
var vnishLogTypes = map[string]bool{"status": true, "miner": true, "autotune": true, "system": true, "messages": true, "api": true}

// vnishHotChipLog is the chip temperature (°C) from which the miner logs
// a warning.
const vnishHotChipLog = 90

// appendVNishMinerLog writes the miner log of m at snapshot s.
func appendVNishMinerLog(b []byte, m *miner, s *snapshot, st MinerSettings) []byte {
	w := newLogWriter(b, s, "[2006/01/02 15:04:05]")
	w.line(0, "INFO: Starting miner ", m.model.minerVer, " (", m.model.compileTime, ") on ", m.model.Name)
	w.line(1, "INFO: Detected ", strconv.Itoa(m.model.Boards), " chain slots, psu ok, fans ", strconv.Itoa(m.model.Fans))
	for i := 0; i < m.model.Boards; i++ {
		board, chain := s.boards[i], strconv.Itoa(i)
		if !board.present {
			w.line(3+i, "ERROR: Chain ", chain, ": no chips found, chain disabled")
			continue
		}
		w.line(3+i, "INFO: Chain ", chain, ": found ", strconv.Itoa(board.chips), " chips of ", strconv.Itoa(m.model.ChipsPerBoard))
		if board.failed > 0 {
			w.line(4+i, "WARN: Chain ", chain, ": ", strconv.Itoa(board.failed), " chips not responding")
		}
	}
	w.line(8, "INFO: Autotune: chips at ", strconv.Itoa(s.freq), " MHz")
	for i, p := range st.Pools {
		w.line(10+i, "INFO: Pool ", strconv.Itoa(i), ": connected to ", p.URL, " as ", p.User)
	}
	w.line(12, "INFO: Mining started")
	now := int(s.uptime)
	for i := 0; i < m.model.Boards; i++ {
		if hot := s.boards[i].chip; s.boards[i].present && max(hot[0], hot[1], hot[2], hot[3]) >= vnishHotChipLog {
			w.line(now, "WARN: Chain ", strconv.Itoa(i), ": chip temperature ", strconv.Itoa(max(hot[0], hot[1], hot[2], hot[3])), " C is too high")
		}
	}
	if s.active.has(setFanFail) {
		w.line(now, "WARN: Fan failure: a fan reports 0 rpm")
	}
	if st.Paused {
		w.line(now, "INFO: Mining paused by user")
	}
	return w.b
}

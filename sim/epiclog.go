package sim

import (
	"strconv"
)

// UMC's runtime log, served as plain text by GET /log on the API port
// (and its failures alone by GET /log/error): what the firmware writes
// while it boots, detects its hash boards and their chips, starts
// perpetual tuning and connects to its pool, and the warnings its state
// gives rise to. It is rendered from the snapshot, so a dead board, a hot
// board or a stopped fan shows in the log as it shows in /summary.

// epicHotLog is the chip temperature (°C) from which UMC logs a warning.
const epicHotLog = 90

// appendEPICLog writes the runtime log of m at snapshot s; with errorsOnly
// it writes only the WARN and ERROR lines, as GET /log/error does.
func appendEPICLog(b []byte, m *miner, s *snapshot, st MinerSettings, errorsOnly bool) []byte {
	w := newLogWriter(b, s, "2006-01-02T15:04:05Z")
	info := func(offset int, text ...string) {
		if !errorsOnly {
			w.line(offset, append([]string{" INFO umc: "}, text...)...)
		}
	}
	warn := func(offset int, level string, text ...string) {
		w.line(offset, append([]string{level, " umc: "}, text...)...)
	}
	spec := m.model
	info(0, "Starting ", spec.minerVer, " on umcOS, model ", spec.Name)
	info(1, "Control board up, hostname ", m.name)
	for i := 0; i < spec.Boards; i++ {
		board, hb := s.boards[i], "HB"+strconv.Itoa(i)
		if !board.present {
			warn(3+i, "ERROR", hb, ": detected but not hashing, board disabled (Disable Board On Failure)")
			continue
		}
		info(3+i, hb, ": detected ", strconv.Itoa(board.chips), " of ", strconv.Itoa(spec.ChipsPerBoard), " chips")
		if board.failed > 0 {
			warn(4+i, " WARN", hb, ": ", strconv.Itoa(board.failed), " chips not responding")
		}
	}
	info(8, "PerpetualTune VoltageOptimizer: clock ", strconv.Itoa(s.freq), " MHz")
	if len(st.Pools) > 0 {
		info(10, "Stratum: connected to ", st.Pools[0].URL, " as ", st.Pools[0].User)
	}
	info(12, "Mining started")
	now := int(s.uptime)
	for i := 0; i < spec.Boards; i++ {
		if hot := s.boards[i].chip; s.boards[i].present && max(hot[0], hot[1], hot[2], hot[3]) >= epicHotLog {
			warn(now, " WARN", "HB", strconv.Itoa(i), ": temperature ", strconv.Itoa(max(hot[0], hot[1], hot[2], hot[3])), " C is above the target")
		}
	}
	if s.active.has(setFanFail) {
		warn(now, " WARN", "Fan failure: a fan reports 0 RPM")
	}
	if st.Paused {
		info(now, "Miner idle: stopped by user")
	}
	return w.b
}

package sim

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The bosminer log that MinerService/GetLog streams: what the mining
// process writes while it starts, detects its hash boards, connects to
// its pools and tunes to its power target, and the warnings its state
// gives rise to. It is rendered from the snapshot and the settings, so a
// dead board, failed chips, a hot chip or a stopped fan show in the log
// as they show in the readings.

// LogType values of miner.proto that the simulator serves.
const (
	bosLogUnspecified = 0 // LOG_TYPE_UNSPECIFIED: the firmware sends bosminer's
	bosLogErrors      = 1 // LOG_TYPE_ERRORS: bosminer's warnings and errors
	bosLogBosminer    = 2 // LOG_TYPE_BOSMINER
	bosLogDmesg       = 6 // LOG_TYPE_DMESG, the highest LogType
)

// bosLogChunk is the size of one GetLogResponse.chunk_data: the firmware
// streams a log file in blocks, so a client must join several.
const bosLogChunk = 4096

// bosminer logs a status line every bosStatusEvery seconds; the log
// keeps the last bosStatusLines of them, as its rotation would.
const (
	bosStatusEvery = 300
	bosStatusLines = 288
)

// bosHotChipLog is the chip temperature (°C) from which bosminer logs a
// warning: the default hot_temperature of BOS's cooling.
const bosHotChipLog = 90

// appendBosLog writes the bosminer log of miner m at snapshot s with
// settings st.
func appendBosLog(b []byte, m *miner, s *snapshot, st *MinerSettings) []byte {
	fw := m.model.bos
	boot := time.Unix(s.unix-int64(s.uptime), 0).UTC()
	line := func(offset float64, level, target string, text ...string) {
		at := boot.Add(time.Duration(math.Round(offset*1000)) * time.Millisecond)
		b = at.AppendFormat(b, "2006-01-02T15:04:05.000000Z ")
		b = append(b, level...)
		for n := len(level); n < 6; n++ {
			b = append(b, ' ')
		}
		b = append(b, target...)
		b = append(b, ": "...)
		for _, t := range text {
			b = append(b, t...)
		}
		b = append(b, '\n')
	}
	itoa := strconv.Itoa
	line(0, "INFO", "bosminer", "Starting bosminer ", fw.boser, " (Braiins OS ", fw.current, ")")
	line(0.02, "INFO", "bosminer::platform", "Platform: ", m.model.Name, ", kernel ", fw.kernel, ", serial ", m.serial)
	line(0.5, "INFO", "bosminer::hal::power", "PSU ", fw.psuModel, " detected, output enabled")
	for i := 0; i < m.model.Boards; i++ {
		board := &s.boards[i]
		id := itoa(i + 1)
		at := 2 + 0.7*float64(i)
		line(at, "INFO", "bosminer::hal::hashboard", "Hashboard ", id, ": model ", fw.boardName, ", chip type ", fw.chipType)
		if !board.present {
			line(at+0.3, "ERROR", "bosminer::hal::hashboard", "Hashboard ", id, ": chip enumeration failed: found 0 of ",
				itoa(m.model.ChipsPerBoard), " chips, disabling hashboard")
			continue
		}
		line(at+0.3, "INFO", "bosminer::hal::hashboard", "Hashboard ", id, ": found ", itoa(board.chips), " chips")
		if board.failed > 0 {
			line(at+0.4, "WARN", "bosminer::hal::hashboard", "Hashboard ", id, ": ", itoa(board.failed), " chips not responding")
		}
	}
	line(5, "INFO", "bosminer::hal::hashboard", "Hashboards running at ", itoa(s.freq), " MHz")
	for i, p := range st.Pools {
		line(6+0.1*float64(i), "INFO", "bosminer::stratum", "Pool ", itoa(i), " ", p.URL, " user ", p.User, ": connecting")
	}
	if len(st.Pools) > 0 {
		line(6.8, "INFO", "bosminer::stratum", "Connected to ", st.Pools[0].URL)
	} else {
		line(6.8, "WARN", "bosminer::stratum", "No pool configured, not mining")
	}
	target := st.PowerTargetW
	if target == 0 {
		target = int(math.Round(m.model.Power))
	}
	line(8, "INFO", "bosminer::tuner", "Autotuner: power target ", itoa(target), " W")
	line(8.1, "INFO", "bosminer::tuner", "Autotuner: tuning, estimated ", strconv.FormatFloat(math.Round(bosNominalGHs(m, s)/10)/100, 'f', 2, 64), " TH/s")
	now := s.uptime
	// bosminer's periodic status line, every bosStatusEvery of uptime
	// (the latest bosStatusLines of them).
	first := max(1, int(now/bosStatusEvery)-bosStatusLines+1)
	for k := first; float64(k)*bosStatusEvery < now; k++ {
		at := float64(k) * bosStatusEvery
		share := at / now // the share counters grew steadily to now
		line(at, "INFO", "bosminer::stats", "Hashrate 5m ",
			strconv.FormatFloat(s.rate30m/1000, 'f', 2, 64), " TH/s, power ", itoa(int(math.Round(s.power))),
			" W, accepted ", itoa(int(float64(s.acc)*share)), ", rejected ", itoa(int(float64(s.rej)*share)))
	}
	if st.Paused {
		line(now, "INFO", "bosminer", "Mining paused, hashboards powered down")
	}
	for i := 0; i < m.model.Boards; i++ {
		if hot := chipMaxOf(&s.boards[i]); s.boards[i].present && hot >= bosHotChipLog {
			line(now, "WARN", "bosminer::cooling", "Hashboard ", itoa(i+1), ": chip temperature ", itoa(hot),
				" °C above hot temperature ", itoa(bosHotChipLog), " °C")
		}
	}
	for f := 0; f < m.model.Fans; f++ {
		if s.fans[f] == 0 {
			line(now, "WARN", "bosminer::cooling", "Fan ", itoa(f), " not spinning (0 RPM)")
		}
	}
	return b
}

// bosGetLog streams the log the request's LogType names in chunks of
// bosLogChunk bytes: bosminer's log (also for LOG_TYPE_UNSPECIFIED) or
// its errors. The other known types (BOSer, monitor, syslog, dmesg) are
// there on a real miner but empty here; an unknown type is refused.
func (s *Sim) bosGetLog(call *bosCall) ([]pb, error) {
	logType, err := decodeGetLog(call.req)
	if err != nil {
		return nil, bosBadRequest(err)
	}
	if logType > bosLogDmesg {
		return nil, status.Errorf(codes.InvalidArgument, "unknown log type %d", logType)
	}
	if logType != bosLogBosminer && logType != bosLogUnspecified && logType != bosLogErrors {
		return nil, nil
	}
	st := call.m.settingsAt(call.t)
	text := appendBosLog(nil, call.m, call.snap, &st)
	if logType == bosLogErrors {
		text = bosErrorLines(text)
	}
	var chunks []pb
	for len(text) > 0 {
		n := min(len(text), bosLogChunk)
		chunks = append(chunks, pbLogChunk(text[:n]))
		text = text[n:]
	}
	return chunks, nil
}

// bosErrorLines keeps the WARN and ERROR lines of a bosminer log.
func bosErrorLines(log []byte) []byte {
	var out []byte
	for len(log) > 0 {
		line, rest, _ := bytes.Cut(log, []byte{'\n'})
		log = rest
		if bytes.Contains(line, []byte("Z WARN ")) || bytes.Contains(line, []byte("Z ERROR ")) {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

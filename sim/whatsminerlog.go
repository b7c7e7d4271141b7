package sim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strconv"
	"time"
)

// btminer's log download (API v3 get.log.download): the miner packs its
// logs into a gzipped tar, answers {"code":0,"msg":{"logsize":"<bytes>"}}
// in a frame, and streams the archive's bytes unframed on the same
// connection, which it then closes. The archive holds btminer's log,
// rendered from the snapshot (boot, boards with their chips, the power
// limit, pools, warnings for a dead board, failed chips, heat, a stopped
// fan, mining stopped), and the system log of the boot.

// wmHotChipLog is the chip temperature (°C) from which btminer logs a
// warning.
const wmHotChipLog = 90

// appendWMMinerLog writes btminer's log of m at snapshot s.
func appendWMMinerLog(b []byte, m *miner, s *snapshot, st MinerSettings) []byte {
	w := newLogWriter(b, s, "2006-01-02 15:04:05")
	spec := m.model
	w.line(0, "[INFO] btminer ", spec.minerVer, " start, miner type ", spec.wmCode)
	w.line(1, "[INFO] power on, power limit ", strconv.Itoa(spec.wmPowerLimit), " W")
	for i := 0; i < spec.Boards; i++ {
		board, slot := s.boards[i], strconv.Itoa(i)
		if !board.present {
			w.line(3+i, "[ERROR] SM", slot, ": find 0 chips, board disabled")
			continue
		}
		w.line(3+i, "[INFO] SM", slot, ": find ", strconv.Itoa(board.chips), " chips, expected ", strconv.Itoa(spec.ChipsPerBoard))
		if board.failed > 0 {
			w.line(4+i, "[WARN] SM", slot, ": ", strconv.Itoa(board.failed), " chips no response")
		}
	}
	w.line(8, "[INFO] target freq ", strconv.Itoa(s.freq), " MHz, up-freq finish")
	for i, p := range st.Pools {
		w.line(10+i, "[INFO] pool", strconv.Itoa(i+1), " ", p.URL, " worker ", p.User, " connected")
	}
	now := int(s.uptime)
	for i := 0; i < spec.Boards; i++ {
		if hot := s.boards[i].chip; s.boards[i].present && max(hot[0], hot[1], hot[2], hot[3]) >= wmHotChipLog {
			w.line(now, "[WARN] SM", strconv.Itoa(i), ": chip temp ", strconv.Itoa(max(hot[0], hot[1], hot[2], hot[3])), " too high")
		}
	}
	if s.active.has(setFanFail) {
		w.line(now, "[WARN] fan speed error: a fan reports 0 rpm")
	}
	if st.Paused {
		w.line(now, "[INFO] mining stopped by set.miner.service")
	}
	return w.b
}

// appendWMSystemLog writes the system log of the boot of m.
func appendWMSystemLog(b []byte, m *miner, s *snapshot) []byte {
	w := newLogWriter(b, s, "Jan _2 15:04:05")
	w.line(-20, m.name, " kernel: Booting Linux on physical CPU 0x0")
	w.line(-8, m.name, " netifd: Interface 'lan' is now up")
	w.line(-1, m.name, " procd: - init complete -")
	return w.b
}

// wmLogArchive returns the gzipped tar get.log.download streams: its
// files carry the modification time of the snapshot.
func wmLogArchive(m *miner, s *snapshot, st MinerSettings) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	mod := time.Unix(s.unix, 0).UTC()
	for _, f := range []struct {
		name string
		body []byte
	}{
		{"log/btminer.log", appendWMMinerLog(nil, m, s, st)},
		{"log/messages", appendWMSystemLog(nil, m, s)},
	} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: mod, Typeflag: tar.TypeReg})
		tw.Write(f.body)
	}
	tw.Close()
	zw.Close()
	return out.Bytes()
}

package sim

import (
	"strconv"
	"time"
)

// The Antminer's log, served as text by /cgi-bin/log.cgi: what bmminer
// writes while it boots, finds its hash boards and connects to its pools,
// and the warnings its state gives rise to. It is rendered from the
// snapshot, so a dead board or a hot chip shows in the log as it shows in
// the stats.

// appendAntLog writes the log of miner m at snapshot s.
func appendAntLog(b []byte, m *miner, s *snapshot, st *MinerSettings) []byte {
	boot := time.Unix(s.unix-int64(s.uptime), 0).UTC()
	line := func(offset int, text ...string) {
		b = boot.Add(time.Duration(offset)*time.Second).AppendFormat(b, "2006-01-02 15:04:05 ")
		for _, t := range text {
			b = append(b, t...)
		}
		b = append(b, '\n')
	}
	line(0, "driver-btm-api.c:1218:init_freq_mode: This is scan-user version")
	line(0, "driver-btm-api.c:2021:bitmain_soc_init: Miner compile time: ", m.model.compileTime, " type: ", m.model.Name)
	line(1, "driver-btm-api.c:2022:bitmain_soc_init: commit version: ", m.model.minerVer)
	for i := 0; i < m.model.Boards; i++ {
		board := s.boards[i]
		chain := strconv.Itoa(i)
		if !board.present {
			line(3+i, "driver-btm-api.c:1450:check_asic_number_with_power_on: Chain[", chain, "]: find 0 asic, times 0")
			line(3+i, "driver-btm-api.c:1468:check_asic_number_with_power_on: Chain[", chain, "] asic num = 0, disable it")
			continue
		}
		line(3+i, "driver-btm-api.c:1460:check_asic_number_with_power_on: Chain[", chain, "]: find ",
			strconv.Itoa(board.chips), " asic, times 0")
		if board.failed > 0 {
			line(4+i, "driver-btm-api.c:1734:check_chain_asic: Chain[", chain, "]: ", strconv.Itoa(board.failed), " asic(s) not responding")
		}
	}
	line(8, "driver-btm-api.c:1975:set_working_voltage: set working voltage, frequency ", strconv.Itoa(s.freq), "M")
	for i, p := range st.Pools {
		line(10+i, "driver-btm-api.c:333:stratum_connect: pool ", strconv.Itoa(i), " ", p.URL, " user ", p.User)
	}
	line(12, "driver-btm-api.c:2530:bitmain_soc_init: Init done!")
	if st.Mode == ModeSleep {
		line(int(s.uptime), "driver-btm-api.c:880:power_off: miner-mode sleep, hash boards powered off")
	}
	for i := 0; i < m.model.Boards; i++ {
		if hot := s.boards[i].chip; s.boards[i].present && max(hot[0], hot[1], hot[2], hot[3]) >= antHotChipLog {
			line(int(s.uptime), "temperature.c:412:check_temperature: Chain[", strconv.Itoa(i), "] chip temp ",
				strconv.Itoa(max(hot[0], hot[1], hot[2], hot[3])), " is too high")
		}
	}
	return b
}

// antHotChipLog is the chip temperature (°C) from which bmminer logs a
// warning.
const antHotChipLog = 90

package sim

import (
	"math"
	"net/http"
	"strings"
)

// This file holds what both of btminer's APIs share on simulated
// Whatsminers: the factory credentials, the write tokens of API v2, the
// salts, the effect of a power limit on the physics, and the per-board
// figures both APIs report. whatsminerv2.go plays API v2 (the CGMiner RPC
// on 4028, firmware before 2024-11) and whatsminerv3.go API v3 (the
// length-framed JSON of newer firmware), following the protocol
// reference (§5.1) and the captured replies in hearth's driver testdata.

// btminer's factory credentials: API v2 password "admin"; API v3 account
// and password "super"/"super".
const (
	wmV2Password = "admin"
	wmV3Account  = "super"
	wmV3Password = "super"
)

// wmTokenLife is how long, in sim seconds, an API v2 token from get_token
// signs writes: pyasic re-derives its token after 30 minutes, so the
// firmware honours one at least that long. A reboot forgets all tokens.
const wmTokenLife = 1800

// wmMaxTokens is how many tokens the miner remembers; asking for more
// forgets the oldest, so a client looping on get_token cannot grow it.
const wmMaxTokens = 32

// wmLimitMargin is how far under its power limit btminer holds the
// machine: the clock is set for this share of the limit, so that the
// measured power, with the spread of silicon, stays under it.
const wmLimitMargin = 0.96

// wmToken is one API v2 token: the miner's time and per-token salt it
// handed out, and the signature a write made with it must carry.
type wmToken struct {
	time, newSalt, sign string
	issued              float64 // sim time of get_token
}

// wmTokens are a miner's live API v2 tokens, oldest first.
type wmTokens struct {
	list []wmToken
	seq  uint64
}

// add remembers tok, dropping expired tokens and the oldest beyond
// wmMaxTokens.
func (w *wmTokens) add(tok wmToken) {
	live := w.list[:0]
	for _, t := range w.list {
		if tok.issued-t.issued < wmTokenLife {
			live = append(live, t)
		}
	}
	w.list = append(live, tok)
	if len(w.list) > wmMaxTokens {
		w.list = w.list[len(w.list)-wmMaxTokens:]
	}
}

// valid reports whether sign belongs to a token live at sim time t.
func (w *wmTokens) valid(sign string, t float64) bool {
	for _, tok := range w.list {
		if tok.sign == sign && t-tok.issued < wmTokenLife {
			return true
		}
	}
	return false
}

// wmSaltAlphabet is what btminer's salts are drawn from.
const wmSaltAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// wmSaltOf draws an 8-character salt from bits.
func wmSaltOf(bits uint64) string {
	var b strings.Builder
	for range 8 {
		b.WriteByte(wmSaltAlphabet[bits%uint64(len(wmSaltAlphabet))])
		bits /= uint64(len(wmSaltAlphabet))
	}
	return b.String()
}

// wmPasswordSalt is the salt of the miner's stored API v2 password hash,
// fixed per miner: get_token's "salt".
func (m *miner) wmPasswordSalt() string { return wmSaltOf(m.draw.bits(saltSerial + 3)) }

// wmV3Salt is the salt API v3 writes are signed with (get.device.info
// "salt"), fixed per miner.
func (m *miner) wmV3Salt() string { return wmSaltOf(m.draw.bits(saltSerial + 4)) }

// wmWorkOf returns the hash-rate and clock multipliers of settings st on
// a Whatsminer, and whether it is idle: power_off (set.miner.service
// stop) stops hashing; a power limit under the nameplate power lowers the
// clock, and with it hash rate and power, in proportion.
func wmWorkOf(model *Model, st *MinerSettings) (work, freq float64, idle bool) {
	if st.Paused {
		return 0, 1, true
	}
	work = 1
	if st.PowerLimitW > 0 {
		work = math.Min(1, wmLimitMargin*float64(st.PowerLimitW)/model.Power)
	}
	return work, work, false
}

// wmBoard is one hash board's figures as both APIs report them.
type wmBoard struct {
	alive                     bool
	rate, ideal               float64 // GH/s
	chips                     int     // effective (working) chips
	freq                      int
	chipMin, chipAvg, chipMax float64
	pcb                       float64 // hottest PCB sensor, °C
}

// wmBoards returns the model's boards at snapshot s; a dead board is
// listed with no chips and no hash rate, as btminer keeps its slot.
func wmBoards(m *miner, s *snapshot) []wmBoard {
	out := make([]wmBoard, m.model.Boards)
	for b := range out {
		bs := &s.boards[b]
		wb := &out[b]
		wb.ideal = s.ideal / float64(m.model.Boards)
		if !bs.present {
			continue
		}
		wb.alive = true
		wb.rate = bs.rate
		wb.chips = bs.chips - bs.failed
		wb.freq = bs.freq
		wb.chipMin, wb.chipMax = math.Inf(1), math.Inf(-1)
		var sum float64
		for k := 0; k < 4; k++ {
			c := float64(bs.chip[k])
			wb.chipMin = math.Min(wb.chipMin, c)
			wb.chipMax = math.Max(wb.chipMax, c)
			sum += c
			wb.pcb = math.Max(wb.pcb, float64(bs.pcb[k]))
		}
		wb.chipAvg = sum / 4
	}
	return out
}

// wmChipTemps returns the chip temperature range over the working boards.
func wmChipTemps(boards []wmBoard) (lo, avg, hi float64) {
	n := 0
	lo = math.Inf(1)
	for _, b := range boards {
		if !b.alive {
			continue
		}
		lo, hi = math.Min(lo, b.chipMin), math.Max(hi, b.chipMax)
		avg += b.chipAvg
		n++
	}
	if n == 0 {
		return 0, 0, 0
	}
	return lo, avg / float64(n), hi
}

// wmEnvTemp is the inlet air temperature btminer reports ("Env Temp",
// environment-temperature).
func (s *Sim) wmEnvTemp(m *miner) float64 {
	return math.Round((s.ambient+m.ambient)*10) / 10
}

// wmWebRoot stands in for btminer's LuCI web UI. Real firmware redirects
// "/" to HTTPS; the simulator serves plain HTTP only, so it answers with
// the LuCI page itself, whose "/cgi-bin/luci" link is the marker
// scanners (pyasic, asic-rs) recognise a Whatsminer by.
const wmWebRoot = `<!DOCTYPE html>
<html>
<head>
<meta http-equiv="refresh" content="0; URL=/cgi-bin/luci" />
</head>
<body style="background-color: white">
<a style="color: black; font-family: arial, helvetica, sans-serif;" href="/cgi-bin/luci">LuCI - Lua Configuration Interface</a>
</body>
</html>
`

// wmWebReply answers a request to a Whatsminer's web server.
func wmWebReply(r *http.Request) httpReply {
	if r.URL.Path == "/" {
		return httpReply{status: http.StatusOK, contentType: "text/html", body: []byte(wmWebRoot)}
	}
	return httpReply{status: http.StatusNotFound, contentType: "text/plain; charset=utf-8", body: []byte("404 page not found\n")}
}

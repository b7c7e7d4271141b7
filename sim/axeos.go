package sim

import (
	"math"
	"net/http"
	"strconv"
)

// This file renders what ESP-Miner (AxeOS) on a Bitaxe Gamma sends:
// GET /api/system/info with the field set and order of v2.9.0's
// GET_system_info (bestDiff still a string with an SI suffix: numbers came
// in v2.11.0) or, on the miners that run v2.14.0 (axeOSFirmwareOf), with
// numeric best difficulties and miningPaused; GET /api/system/asic, and
// the web root. Units are the
// firmware's: hashRate GH/s, power W, voltage and current mV and mA,
// temperatures °C, responseTime ms.

// AxeOS identity of the simulated Bitaxe Gamma.
const (
	axeOSIDF        = "v5.4.1"
	axeOSASIC       = "BM1370"
	axeOSDevice     = "Gamma"
	axeOSBoard      = "601"
	axeOSSmallCores = 2040
	axeOSVoltage    = 1150 // configured core voltage, mV
)

// axeOSRootPage is a stand-in for the AxeOS single-page app; like the real
// index.html it names AxeOS, which is how scanners recognise the firmware.
const axeOSRootPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AxeOS</title>
  <base href="/">
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <app-root></app-root>
</body>
</html>
`

// axeOSReply answers one request to a simulated Bitaxe, rendering into buf.
// Like ESP-IDF's httpd it answers a known path with the wrong method with
// 405 and an unknown path with 404.
func (sm *Sim) axeOSReply(r *http.Request, m *miner, s *snapshot, buf []byte) httpReply {
	if reply, ok := sm.axeOSControlReply(r, m, buf); ok {
		return reply
	}
	fw := axeOSFirmwareOf(m)
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch r.URL.Path {
	case "/api/system", "/api/system/restart":
		// Routes of every release, asked with the wrong method.
	case "/api/system/identify":
		if !fw.hasIdentify() {
			return axeOSNotFound(buf)
		}
	case "/api/system/pause", "/api/system/resume":
		if !fw.hasPause() {
			return axeOSNotFound(buf)
		}
	case "/", "/index.html":
		if get {
			return httpReply{status: http.StatusOK, contentType: "text/html", body: append(buf, axeOSRootPage...)}
		}
	case "/api/system/info":
		if get {
			w := cjsonWriter{b: buf}
			renderAxeOSInfo(&w, m, s, m.settingsAt(s.t))
			return httpReply{status: http.StatusOK, contentType: "application/json", cors: true, body: w.b}
		}
	case "/api/system/asic":
		if get {
			w := cjsonWriter{b: buf}
			renderAxeOSASIC(&w)
			return httpReply{status: http.StatusOK, contentType: "application/json", cors: true, body: w.b}
		}
	default:
		return axeOSNotFound(buf)
	}
	return httpReply{status: http.StatusMethodNotAllowed, contentType: "text/html", body: append(buf, "Request method for this URI is not handled by server"...)}
}

// axeOSNotFound is ESP-IDF httpd's reply to a path no route matches.
func axeOSNotFound(buf []byte) httpReply {
	return httpReply{status: http.StatusNotFound, contentType: "text/html", body: append(buf, "Nothing matches the given URI"...)}
}

// renderAxeOSInfo writes GET /api/system/info for m's release, with the
// pools, clock, voltage and fan as configured in st.
func renderAxeOSInfo(w *cjsonWriter, m *miner, s *snapshot, st MinerSettings) {
	spec := m.model
	fw := axeOSFirmwareOf(m)
	var pools [2]PoolSetting
	copy(pools[:], st.Pools)
	d := m.draw
	inputMV := 5100 + d.between(saltVolt, 0, 90) + 6*m.wobble(s.t, 7)
	inputMV = 1.25 * math.Round(inputMV/1.25) // the monitor's resolution
	currentMA := s.power / (inputMV / 1000) * 1000

	w.beginObject()
	w.f32("power", s.power)
	w.f32("voltage", inputMV)
	w.f32("current", currentMA)
	w.f32("temp", s.chipTemp)
	w.f32("vrTemp", s.vrTemp)
	w.num("maxPower", 40)
	w.num("nominalVoltage", 5)
	w.num("hashRate", s.rate)
	w.f32("expectedHashrate", st.FrequencyMHz*axeOSSmallCores/1000)
	if fw.numericBestDiff() {
		w.num("bestDiff", float64(m.allTimeBest(s)))
		w.num("bestSessionDiff", float64(s.best))
	} else {
		w.str("bestDiff", espDiffString(m.allTimeBest(s)))
		w.str("bestSessionDiff", espDiffString(s.best))
	}
	w.num("poolDifficulty", spec.poolDiff)
	w.num("isUsingFallbackStratum", 0)
	w.num("isPSRAMAvailable", 1)
	w.num("freeHeap", math.Floor(8300000+d.between(saltVolt+1, 0, 120000)+20000*m.wobble(s.t, 8)))
	w.num("coreVoltage", float64(st.CoreVoltageMV))
	w.num("coreVoltageActual", math.Round(float64(st.CoreVoltageMV)-4+2*m.wobble(s.t, 9)))
	w.num("frequency", st.FrequencyMHz)
	w.str("ssid", "hearth-sim")
	w.str("macAddr", m.macString())
	w.str("hostname", m.name)
	w.str("wifiStatus", "Connected!")
	w.num("wifiRSSI", math.Round(d.between(saltRSSI, -70, -45)))
	w.num("apEnabled", 0)
	w.num("sharesAccepted", float64(s.acc))
	w.num("sharesRejected", float64(s.rej))
	w.key("sharesRejectedReasons")
	w.beginArray()
	if s.rej > 0 {
		w.item()
		w.beginObject()
		w.str("message", "Above target")
		w.num("count", float64(s.rej))
		w.endObject()
	}
	w.endArray()
	w.num("uptimeSeconds", math.Floor(s.uptime))
	w.num("smallCoreCount", axeOSSmallCores)
	w.str("ASICModel", axeOSASIC)
	w.str("stratumURL", pools[0].URL)
	w.num("stratumPort", float64(pools[0].Port))
	w.str("stratumUser", pools[0].User)
	w.num("stratumSuggestedDifficulty", spec.poolDiff)
	w.num("stratumExtranonceSubscribe", 0)
	w.str("fallbackStratumURL", pools[1].URL)
	w.num("fallbackStratumPort", float64(pools[1].Port))
	w.str("fallbackStratumUser", pools[1].User)
	w.num("fallbackStratumSuggestedDifficulty", spec.poolDiff)
	w.num("fallbackStratumExtranonceSubscribe", 0)
	w.num("responseTime", math.Round(s.latency*1000)/1000)
	w.str("version", fw.version)
	w.str("axeOSVersion", fw.version)
	w.str("idfVersion", axeOSIDF)
	w.str("boardVersion", axeOSBoard)
	w.str("runningPartition", "ota_0")
	w.num("overheat_mode", 0)
	w.num("overclockEnabled", 0)
	w.str("display", "SSD1306 (128x32)")
	w.num("rotation", 0)
	w.num("invertscreen", 0)
	w.num("displayTimeout", -1)
	fanPct := s.fanPct
	if st.FanManual {
		fanPct = st.FanPercent
	}
	w.num("autofanspeed", boolNum(!st.FanManual))
	w.num("fanspeed", float64(fanPct))
	w.num("temptarget", 60)
	w.num("fanrpm", float64(s.fans[0]))
	w.num("statsFrequency", 0)
	if fw.hasPause() {
		w.key("miningPaused")
		w.b = strconv.AppendBool(w.b, st.Paused)
	}
	w.endObject()
}

// boolNum is AxeOS's 0/1 for a flag.
func boolNum(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// renderAxeOSASIC writes GET /api/system/asic (ESP-Miner asic_settings.c).
func renderAxeOSASIC(w *cjsonWriter) {
	w.beginObject()
	w.str("ASICModel", axeOSASIC)
	w.str("deviceModel", axeOSDevice)
	w.str("swarmColor", "green")
	w.num("asicCount", 1)
	w.num("defaultFrequency", 525)
	w.key("frequencyOptions")
	w.beginArray()
	for _, f := range []float64{400, 490, 525, 550, 600, 625} {
		w.item()
		w.b = appendCJSONNumber(w.b, f)
	}
	w.endArray()
	w.num("defaultVoltage", axeOSVoltage)
	w.key("voltageOptions")
	w.beginArray()
	for _, v := range []float64{1000, 1060, 1100, 1150, 1200, 1250} {
		w.item()
		w.b = appendCJSONNumber(w.b, v)
	}
	w.endArray()
	w.endObject()
}

// allTimeBest is the best difficulty the device has found since its
// settings were last reset: the session best, or an older record.
func (m *miner) allTimeBest(s *snapshot) uint64 {
	record := uint64(m.draw.between(saltBest+1, 2e6, 4e9))
	if s.best > record {
		return s.best
	}
	return record
}

// espDiffString formats a difficulty as ESP-Miner's _suffix_string(v, …, 0):
// plain below 1000, else "%.2f" of the value in k, M, G, T, P or E, where
// every unit above k first drops three digits by integer division
// ("483.12k", "1.23M").
func espDiffString(v uint64) string {
	const k = 1000
	var suffix string
	var d float64
	switch {
	case v >= 1e18:
		d, suffix = float64(v/1e15)/k, "E"
	case v >= 1e15:
		d, suffix = float64(v/1e12)/k, "P"
	case v >= 1e12:
		d, suffix = float64(v/1e9)/k, "T"
	case v >= 1e9:
		d, suffix = float64(v/1e6)/k, "G"
	case v >= 1e6:
		d, suffix = float64(v/1e3)/k, "M"
	case v >= 1e3:
		d, suffix = float64(v)/k, "k"
	default:
		return strconv.FormatUint(v, 10)
	}
	return strconv.FormatFloat(d, 'f', 2, 64) + suffix
}

package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
)

// VNish (AnthillOS): the aftermarket Antminer firmware whose web interface
// is a REST API under /api/v1 on port 80 ("xminer-api", OpenAPI spec
// v1.2.6–v1.3.4 as kept in asic-rs). Reads of /info, /status and /summary
// need no credential; the settings, the autotune presets and every write
// need a bearer token from POST /api/v1/unlock (vnishcontrol.go). Hash
// rates are in GH/s, as /info's hr_measure says.

// vnishAPI is the base path of every API call (the spec's server URL).
const vnishAPI = "/api/v1"

// vnishRootPage is the start of the web interface's page; asic-rs and
// pyasic recognise VNish by "AnthillOS" in it.
const vnishRootPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>AnthillOS</title>
</head>
<body><div id="app"></div><script src="/assets/index.js"></script></body>
</html>
`

// vnishReply answers one request to a simulated VNish miner, rendering
// into buf. An unknown path is 404 and a known path asked with the wrong
// method 405, with empty bodies as the firmware's router sends them.
func (s *Sim) vnishReply(r *http.Request, m *miner, snap *snapshot, buf []byte) httpReply {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	post := r.Method == http.MethodPost
	jsonReply := func(v any) httpReply {
		b, err := json.Marshal(v)
		if err != nil {
			return httpReply{status: http.StatusInternalServerError, contentType: "application/json", body: append(buf, `{"err":"internal error"}`...)}
		}
		return httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, b...)}
	}
	path := r.URL.Path
	switch path {
	case "/", "/index.html":
		if get {
			return httpReply{status: http.StatusOK, contentType: "text/html", body: append(buf, vnishRootPage...)}
		}
	case vnishAPI + "/info":
		if get {
			return jsonReply(vnishInfoOf(m))
		}
	case vnishAPI + "/status":
		if get {
			st := m.settingsAt(snap.t)
			return jsonReply(vnishStatusOf(m, snap, st, s.vnishAuthorized(r, m, snap.t)))
		}
	case vnishAPI + "/summary":
		if get {
			return jsonReply(vnishSummaryOf(m, snap, m.settingsAt(snap.t)))
		}
	case vnishAPI + "/unlock":
		if post {
			return s.vnishUnlock(r, m, snap.t, buf)
		}
	case vnishAPI + "/settings":
		if get {
			if !s.vnishAuthorized(r, m, snap.t) {
				return vnishUnauthorized(buf)
			}
			return jsonReply(vnishSettingsOf(m.settingsAt(snap.t)))
		}
		if post {
			return s.vnishSaveSettings(r, m, snap.t, buf)
		}
	case vnishAPI + "/autotune/presets":
		if get {
			if !s.vnishAuthorized(r, m, snap.t) {
				return vnishUnauthorized(buf)
			}
			return jsonReply(vnishPresetList(m.model))
		}
	case vnishAPI + "/find-miner":
		if post {
			return s.vnishFindMiner(m, snap.t, buf)
		}
	case vnishAPI + "/system/reboot",
		vnishAPI + "/mining/restart", vnishAPI + "/mining/start", vnishAPI + "/mining/stop",
		vnishAPI + "/mining/pause", vnishAPI + "/mining/resume":
		if post {
			return s.vnishControl(r, m, snap.t, strings.TrimPrefix(path, vnishAPI), buf)
		}
	default:
		if logType, ok := strings.CutPrefix(path, vnishAPI+"/logs/"); ok && vnishLogTypes[logType] {
			if !get {
				break
			}
			if logType == "miner" {
				buf = appendVNishMinerLog(buf, m, snap, m.settingsAt(snap.t))
			}
			return httpReply{status: http.StatusOK, contentType: "text/plain", body: buf}
		}
		return httpReply{status: http.StatusNotFound, contentType: "text/plain", body: buf}
	}
	return httpReply{status: http.StatusMethodNotAllowed, contentType: "text/plain", body: buf}
}

// vnishInfo is GET /api/v1/info (spec InfoJson).
type vnishInfo struct {
	FwName      string          `json:"fw_name"`
	FwVersion   string          `json:"fw_version"`
	BuildTime   string          `json:"build_time"`
	BuildUUID   string          `json:"build_uuid"`
	BuildName   string          `json:"build_name"`
	Platform    string          `json:"platform"`
	InstallType string          `json:"install_type"`
	Algorithm   string          `json:"algorithm"`
	HrMeasure   string          `json:"hr_measure"`
	Miner       string          `json:"miner"`
	Model       string          `json:"model"`
	Serial      string          `json:"serial"`
	System      vnishSystemInfo `json:"system"`
}

type vnishSystemInfo struct {
	OS                string             `json:"os"`
	MinerName         string             `json:"miner_name"`
	FileSystemVersion string             `json:"file_system_version"`
	MemTotal          int                `json:"mem_total"`
	MemFree           int                `json:"mem_free"`
	MemFreePercent    int                `json:"mem_free_percent"`
	NetworkStatus     vnishNetworkStatus `json:"network_status"`
	Uptime            string             `json:"uptime"`
}

type vnishNetworkStatus struct {
	MAC      string   `json:"mac"`
	DHCP     bool     `json:"dhcp"`
	IP       string   `json:"ip"`
	Netmask  string   `json:"netmask"`
	Gateway  string   `json:"gateway"`
	DNS      []string `json:"dns"`
	Hostname string   `json:"hostname"`
}

func vnishInfoOf(m *miner) vnishInfo {
	gw := m.addr.As4()
	return vnishInfo{
		FwName: "Vnish", FwVersion: m.model.minerVer, BuildTime: m.model.compileTime,
		BuildUUID: fmt.Sprintf("%s-%s", m.minerID[:8], m.minerID[8:]), BuildName: "release",
		Platform: "xil", InstallType: "nand", Algorithm: "sha256d", HrMeasure: "GH/s",
		Miner: m.model.Name, Model: strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(m.model.Name, "Antminer "), " ", "")),
		Serial: m.serial,
		System: vnishSystemInfo{
			OS: "GNU/Linux", MinerName: m.name, FileSystemVersion: m.model.minerVer,
			MemTotal: 245000, MemFree: 120000, MemFreePercent: 48,
			NetworkStatus: vnishNetworkStatus{
				MAC: m.macString(), DHCP: true, IP: m.addr.String(), Netmask: "255.255.255.0",
				Gateway: fmt.Sprintf("%d.%d.%d.254", gw[0], gw[1], gw[2]), DNS: []string{"1.1.1.1"}, Hostname: m.name,
			},
			Uptime: "up",
		},
	}
}

// vnishState is the miner_state of /summary and /status: "stopped" while
// paused, "mining" otherwise.
func vnishState(st MinerSettings) string {
	if st.Paused {
		return "stopped"
	}
	return "mining"
}

// vnishMinerStatus is the spec's MinerStatus.
type vnishMinerStatus struct {
	MinerState     string   `json:"miner_state"`
	MinerStateTime int64    `json:"miner_state_time"`
	Description    *string  `json:"description"`
	FailureCode    *float64 `json:"failure_code"`
	Throttled      int      `json:"throttled"`
}

// vnishStatus is GET /api/v1/status (spec StatusPane).
type vnishStatus struct {
	vnishMinerStatus
	RestartRequired bool   `json:"restart_required"`
	RebootRequired  bool   `json:"reboot_required"`
	FindMiner       bool   `json:"find_miner"`
	Unlocked        bool   `json:"unlocked"`
	UnlockTimeout   *int64 `json:"unlock_timeout"`
	Warranty        string `json:"warranty"`
}

func vnishStatusOf(m *miner, snap *snapshot, st MinerSettings, unlocked bool) vnishStatus {
	return vnishStatus{
		vnishMinerStatus: vnishMinerStatus{MinerState: vnishState(st), MinerStateTime: int64(snap.uptime), Throttled: 100},
		FindMiner:        st.Locate, Unlocked: unlocked, Warranty: "active",
	}
}

// vnishRange is the spec's TempRange.
type vnishRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type vnishFan struct {
	ID     int    `json:"id"`
	RPM    int    `json:"rpm"`
	MaxRPM int    `json:"max_rpm"`
	Status string `json:"status"`
}

type vnishChain struct {
	ID                 int        `json:"id"`
	Frequency          int        `json:"frequency"`
	Voltage            int        `json:"voltage"`
	PowerConsumption   int        `json:"power_consumption"`
	HashrateIdeal      float64    `json:"hashrate_ideal"`
	HashrateRt         float64    `json:"hashrate_rt"`
	HashratePercentage float64    `json:"hashrate_percentage"`
	HrError            float64    `json:"hr_error"`
	HwErrors           uint64     `json:"hw_errors"`
	PcbTemp            vnishRange `json:"pcb_temp"`
	ChipTemp           vnishRange `json:"chip_temp"`
	ChipStatuses       struct {
		Red    int `json:"red"`
		Orange int `json:"orange"`
		Grey   int `json:"grey"`
	} `json:"chip_statuses"`
	Status struct {
		State       string  `json:"state"`
		Description *string `json:"description"`
	} `json:"status"`
}

type vnishPool struct {
	ID        int     `json:"id"`
	URL       string  `json:"url"`
	PoolType  string  `json:"pool_type"`
	User      string  `json:"user"`
	Status    string  `json:"status"`
	AsicBoost bool    `json:"asic_boost"`
	Diff      string  `json:"diff"`
	Accepted  uint64  `json:"accepted"`
	Rejected  uint64  `json:"rejected"`
	Stale     uint64  `json:"stale"`
	LsDiff    float64 `json:"ls_diff"`
	LsTime    string  `json:"ls_time"`
	Diffa     float64 `json:"diffa"`
	Ping      int     `json:"ping"`
}

// vnishMinerStats is the spec's AntmMinerStats.
type vnishMinerStats struct {
	MinerType        string           `json:"miner_type"`
	MinerStatus      vnishMinerStatus `json:"miner_status"`
	AverageHashrate  float64          `json:"average_hashrate"`
	InstantHashrate  float64          `json:"instant_hashrate"`
	HrStock          float64          `json:"hr_stock"`
	HrRealtime       float64          `json:"hr_realtime"`
	HrNominal        float64          `json:"hr_nominal"`
	HrAverage        float64          `json:"hr_average"`
	HrError          float64          `json:"hr_error"`
	HwErrors         uint64           `json:"hw_errors"`
	HwErrorsPercent  float64          `json:"hw_errors_percent"`
	PcbTemp          vnishRange       `json:"pcb_temp"`
	ChipTemp         vnishRange       `json:"chip_temp"`
	PowerConsumption int              `json:"power_consumption"`
	PowerUsage       int              `json:"power_usage"`
	PowerEfficiency  float64          `json:"power_efficiency"`
	DevfeePercent    float64          `json:"devfee_percent"`
	Devfee           float64          `json:"devfee"`
	FoundBlocks      int              `json:"found_blocks"`
	BestShare        uint64           `json:"best_share"`
	RestartCount     int              `json:"restart_count"`
	Cooling          struct {
		FanNum   int        `json:"fan_num"`
		FanDuty  int        `json:"fan_duty"`
		Settings any        `json:"settings"`
		Fans     []vnishFan `json:"fans"`
	} `json:"cooling"`
	Chains []vnishChain `json:"chains"`
	Pools  []vnishPool  `json:"pools"`
}

// vnishSummary is GET /api/v1/summary (spec Summary).
type vnishSummary struct {
	Miner *vnishMinerStats `json:"miner"`
}

// round2 rounds to two decimals, as VNish prints its hash rates.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// vnishDevFeePercent is the share of hashing time VNish gives its own pool.
const vnishDevFeePercent = 2.8

func vnishSummaryOf(m *miner, snap *snapshot, st MinerSettings) vnishSummary {
	spec := m.model
	ms := &vnishMinerStats{
		MinerType: spec.Name,
		MinerStatus: vnishMinerStatus{
			MinerState: vnishState(st), MinerStateTime: int64(snap.uptime), Throttled: 100,
		},
		AverageHashrate: round2(snap.rateAvg), InstantHashrate: round2(snap.rate),
		HrStock: spec.HashRate / 1e9, HrRealtime: round2(snap.rate), HrNominal: spec.HashRate / 1e9,
		HrAverage: round2(snap.rateAvg), HwErrors: snap.hw,
		PowerConsumption: int(math.Round(snap.power)), DevfeePercent: vnishDevFeePercent,
		BestShare: snap.best, RestartCount: st.Reboots,
	}
	if snap.rate > 0 {
		ms.PowerUsage = int(math.Round(snap.power))
		ms.PowerEfficiency = round2(snap.power / (snap.rate / 1000))
		ms.HwErrorsPercent = round2(float64(snap.hw) / math.Max(1, snap.uptime*snap.rate/100) * 100)
	}
	ms.Cooling.FanNum = spec.Fans
	ms.Cooling.FanDuty = vnishFanDuty(snap)
	ms.Cooling.Settings = map[string]any{"mode": map[string]string{"name": "auto"}}
	ms.Cooling.Fans = []vnishFan{}
	for f := 0; f < spec.Fans; f++ {
		fan := vnishFan{ID: f, RPM: snap.fans[f], MaxRPM: 6000, Status: "ok"}
		if fan.RPM == 0 && !spec.Hydro {
			fan.Status = "lost"
		}
		ms.Cooling.Fans = append(ms.Cooling.Fans, fan)
	}

	pcbAll, chipAll := vnishRange{Min: math.MaxInt32}, vnishRange{Min: math.MaxInt32}
	boardIdeal := spec.HashRate / 1e9 / float64(spec.Boards)
	boardPower := snap.power / float64(spec.Boards)
	ms.Chains = []vnishChain{}
	for b := 0; b < spec.Boards; b++ {
		bs := &snap.boards[b]
		c := vnishChain{ID: b + 1, HashrateIdeal: round2(boardIdeal)}
		if !bs.present {
			c.Status.State = "failure"
			desc := "no chips found"
			c.Status.Description = &desc
			c.ChipStatuses.Grey = spec.ChipsPerBoard
			ms.Chains = append(ms.Chains, c)
			continue
		}
		c.Frequency = bs.freq
		c.Voltage = 13600
		c.PowerConsumption = int(math.Round(boardPower))
		c.HashrateRt = round2(bs.rate)
		c.HashratePercentage = round2(bs.rate / boardIdeal * 100)
		c.HwErrors = bs.hw
		c.PcbTemp = quadRange(bs.pcb)
		c.ChipTemp = quadRange(bs.chip)
		c.ChipStatuses.Red = bs.failed
		c.Status.State = vnishState(st)
		ms.Chains = append(ms.Chains, c)
		pcbAll.Min, pcbAll.Max = min(pcbAll.Min, c.PcbTemp.Min), max(pcbAll.Max, c.PcbTemp.Max)
		chipAll.Min, chipAll.Max = min(chipAll.Min, c.ChipTemp.Min), max(chipAll.Max, c.ChipTemp.Max)
	}
	if pcbAll.Min == math.MaxInt32 {
		pcbAll, chipAll = vnishRange{}, vnishRange{}
	}
	ms.PcbTemp, ms.ChipTemp = pcbAll, chipAll

	ms.Pools = []vnishPool{}
	for i, p := range st.Pools {
		pool := vnishPool{ID: i, URL: p.URL, PoolType: "UserPool", User: p.User, Status: "working", AsicBoost: true, Ping: 20 + i*7}
		if i == 0 && !st.Paused {
			pool.Status = "active"
			pool.Diff = vnishDiff(spec.poolDiff)
			pool.Accepted, pool.Rejected = snap.acc, snap.rej
			pool.LsDiff = spec.poolDiff
			pool.LsTime = hms(snap.lastShareAgo)
			pool.Diffa = float64(snap.acc) * spec.poolDiff
		}
		ms.Pools = append(ms.Pools, pool)
	}
	// The firmware's own fee pool is listed after the user's.
	ms.Pools = append(ms.Pools, vnishPool{
		ID: len(st.Pools), URL: "stratum+tcp://devfee.vnish.sim.invalid:3333", PoolType: "DevFee",
		User: "devfee", Status: "working", AsicBoost: true, Ping: 40,
	})
	return vnishSummary{Miner: ms}
}

// vnishFanDuty is the fan duty VNish shows: the RPM of the fastest fan as
// a share of its 6,000 RPM maximum.
func vnishFanDuty(snap *snapshot) int {
	fastest := 0
	for _, rpm := range snap.fans {
		fastest = max(fastest, rpm)
	}
	return int(math.Round(float64(fastest) / 60))
}

// quadRange is the coldest and hottest of a sensor quad.
func quadRange(q [4]int) vnishRange {
	r := vnishRange{Min: q[0], Max: q[0]}
	for _, v := range q[1:] {
		r.Min, r.Max = min(r.Min, v), max(r.Max, v)
	}
	return r
}

// vnishDiff prints a pool difficulty the way VNish's summary does: "8.19K".
func vnishDiff(d float64) string {
	switch {
	case d >= 1e6:
		return fmt.Sprintf("%.3gM", d/1e6)
	case d >= 1e3:
		return fmt.Sprintf("%.3gK", d/1e3)
	}
	return fmt.Sprintf("%g", d)
}

// hms formats seconds as "H:MM:SS".
func hms(seconds float64) string {
	sec := int64(math.Max(0, seconds))
	return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}

package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ePIC UMC (PowerPlay, "umcOS"): ePIC's firmware for Antminers serves a
// JSON REST API over plain HTTP on port 4028, where stock firmware has the
// CGMiner socket (UMC API spec 1.30.0 as kept in asic-rs). GETs need no
// credential; every write is a POST whose body carries the password next
// to the parameter (epiccontrol.go). The server is written in Rust and
// serialises with serde: compact JSON, struct fields in declaration order,
// floats always with a decimal point ("67.0"). Hash rates are in MH/s.
// Port 80 serves the web dashboard, which names itself "Miner Web
// Dashboard".

// epicModelName is the model as UMC's /capabilities spells it: Bitmain's
// old "AntMiner" capitalisation.
func epicModelName(model *Model) string {
	return strings.Replace(model.Name, "Antminer ", "AntMiner ", 1)
}

// epicDashboard is the start of the web dashboard on port 80.
const epicDashboard = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Miner Web Dashboard</title></head>
<body><div id="root"></div><script src="/static/js/main.js"></script></body>
</html>
`

// UMC's thermal limits and automatic fan defaults, as in the A.7 fixture.
const (
	epicCriticalTemp      = 100.0
	epicShutdownTemp      = 85.0
	epicDefaultTargetTemp = 60
	epicDefaultIdleSpeed  = 20
	epicChipType          = "BM1362"
)

// rustFloat is a float serialised as serde_json does: always with a
// decimal point, null when not finite.
type rustFloat float64

// MarshalJSON writes f as serde_json would.
func (f rustFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	b := strconv.AppendFloat(nil, v, 'f', -1, 64)
	if !bytes.ContainsAny(b, ".") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// round3 rounds to three decimals, as UMC's f32 sensor readings come out.
func round3(v float64) rustFloat { return rustFloat(math.Round(v*1000) / 1000) }

// epicReply answers one request to a simulated ePIC miner: the API on the
// RPC port, the dashboard on the web port. Like UMC's router it answers an
// unknown path with 404 and a known one asked with the wrong method with
// 405, both with empty bodies.
func (s *Sim) epicReply(r *http.Request, m *miner, snap *snapshot, buf []byte) httpReply {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	if !onEPICAPIPort(r) {
		if get && (r.URL.Path == "/" || r.URL.Path == "/index.html") {
			return httpReply{status: http.StatusOK, contentType: "text/html", body: append(buf, epicDashboard...)}
		}
		return httpReply{status: http.StatusNotFound, contentType: "text/plain", body: buf}
	}
	jsonReply := func(v any) httpReply {
		b, err := json.Marshal(v)
		if err != nil {
			return httpReply{status: http.StatusInternalServerError, contentType: "text/plain", body: buf}
		}
		return httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, b...)}
	}
	switch r.URL.Path {
	case "/summary":
		if get {
			return jsonReply(epicSummaryOf(m, snap, m.settingsAt(snap.t)))
		}
	case "/capabilities":
		if get {
			return jsonReply(epicCapabilitiesOf(m))
		}
	case "/temps":
		if get {
			return jsonReply(epicTempsOf(m, snap))
		}
	case "/hashrate":
		if get {
			return jsonReply(epicHashratesOf(m, snap))
		}
	case "/network":
		if get {
			return jsonReply(epicNetworkOf(m))
		}
	case "/log", "/log/error":
		if get {
			body := appendEPICLog(buf, m, snap, m.settingsAt(snap.t), r.URL.Path == "/log/error")
			return httpReply{status: http.StatusOK, contentType: "text/plain", body: body}
		}
	default:
		if _, ok := epicWritePaths[r.URL.Path]; !ok {
			return httpReply{status: http.StatusNotFound, contentType: "text/plain", body: buf}
		}
		if r.Method == http.MethodPost {
			return s.epicWrite(r, m, snap.t, buf)
		}
	}
	return httpReply{status: http.StatusMethodNotAllowed, contentType: "text/plain", body: buf}
}

// epicSummary is GET /summary (spec SummaryResponse), fields in the order
// of the A.7 fixture.
type epicSummary struct {
	DisableBoardOnFailure bool                 `json:"Disable Board On Failure"`
	EnableBoardsOnIdle    bool                 `json:"Enable Boards On Idle"`
	Fans                  epicFans             `json:"Fans"`
	FansRpm               map[string]*int      `json:"Fans Rpm"`
	HBStatus              []epicHBStatus       `json:"HBStatus"`
	HBs                   []epicHB             `json:"HBs"`
	Hostname              string               `json:"Hostname"`
	HwConfig              epicHwConfig         `json:"HwConfig"`
	IdleOnConnectionLost  bool                 `json:"IdleOnConnectionLost"`
	LastLicenseError      *string              `json:"Last License Error"`
	Mining                map[string]string    `json:"Mining"`
	Misc                  epicMisc             `json:"Misc"`
	OSType                string               `json:"OS Type"`
	Overdrive             bool                 `json:"Overdrive"`
	PerpetualTune         epicPerpetualTune    `json:"PerpetualTune"`
	PowerSupplyStats      map[string]rustFloat `json:"Power Supply Stats"`
	PresetInfo            map[string]int       `json:"PresetInfo"`
	Session               epicSession          `json:"Session"`
	Software              string               `json:"Software"`
	Status                epicStatus           `json:"Status"`
	Stratum               epicStratum          `json:"Stratum"`
	StratumConfigs        []epicStratumConfig  `json:"StratumConfigs"`
}

type epicFans struct {
	FanMode            any `json:"Fan Mode"`
	FansSpeed          int `json:"Fans Speed"`
	MinimumWorkingFans int `json:"Minimum Working Fans"`
}

type epicHBStatus struct {
	Detected bool `json:"Detected"`
	Enabled  bool `json:"Enabled"`
	Index    int  `json:"Index"`
}

type epicHB struct {
	CoreClock     []rustFloat `json:"Core Clock"`
	CoreClockAvg  rustFloat   `json:"Core Clock Avg"`
	Hashrate      []rustFloat `json:"Hashrate"`
	Index         int         `json:"Index"`
	InputCurrent  rustFloat   `json:"Input Current"`
	InputPower    rustFloat   `json:"Input Power"`
	InputVoltage  rustFloat   `json:"Input Voltage"`
	OutputCurrent rustFloat   `json:"Output Current"`
	OutputPower   rustFloat   `json:"Output Power"`
	OutputVoltage rustFloat   `json:"Output Voltage"`
	Temperature   rustFloat   `json:"Temperature"`
}

type epicIndexed struct {
	Data  rustFloat `json:"Data"`
	Index int       `json:"Index"`
}

type epicHwConfig struct {
	BoardsTargetClock []epicIndexed `json:"Boards Target Clock"`
}

type epicMisc struct {
	CriticalTemp     rustFloat `json:"Critical Temp"`
	LocateMinerState bool      `json:"Locate Miner State"`
	ShutdownTemp     rustFloat `json:"Shutdown Temp"`
}

type epicPerpetualTune struct {
	Algorithm map[string]epicTuneAlgo `json:"Algorithm"`
	Running   bool                    `json:"Running"`
}

type epicTuneAlgo struct {
	MinThrottleTarget int    `json:"Min Throttle Target"`
	Optimized         bool   `json:"Optimized"`
	Target            int    `json:"Target"`
	ThrottleStep      int    `json:"Throttle Step"`
	ThrottleTarget    *int   `json:"Throttle Target"`
	Unit              string `json:"Unit"`
}

type epicSession struct {
	Accepted                   uint64             `json:"Accepted"`
	ActiveHBs                  int                `json:"Active HBs"`
	AverageMHs                 rustFloat          `json:"Average MHs"`
	Difficulty                 rustFloat          `json:"Difficulty"`
	LastAcceptedShareTimer     int64              `json:"Last Accepted Share Timer"`
	LastAcceptedShareTimestamp int64              `json:"Last Accepted Share Timestamp"`
	LastWorkTimer              int64              `json:"Last Work Timer"`
	LastWorkTimestamp          int64              `json:"Last Work Timestamp"`
	LastAverageMHs             map[string]float64 `json:"LastAverageMHs"`
	Rejected                   uint64             `json:"Rejected"`
	StartupString              string             `json:"Startup String"`
	StartupTimestamp           int64              `json:"Startup Timestamp"`
	Submitted                  uint64             `json:"Submitted"`
	Uptime                     int64              `json:"Uptime"`
	WorkReceived               int64              `json:"WorkReceived"`
}

type epicStatus struct {
	LastCommand       *string `json:"Last Command"`
	LastCommandResult *string `json:"Last Command Result"`
	LastError         *string `json:"Last Error"`
	OperatingState    string  `json:"Operating State"`
}

type epicStratum struct {
	AverageLatency       rustFloat `json:"Average Latency"`
	ConfigID             int       `json:"Config Id"`
	CurrentPool          string    `json:"Current Pool"`
	CurrentUser          string    `json:"Current User"`
	IsPoolConnected      bool      `json:"IsPoolConnected"`
	WorkerUniqueID       bool      `json:"Worker Unique Id"`
	WorkerUniqueIDVarian string    `json:"Worker Unique Id Variant"`
}

type epicStratumConfig struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Pool     string `json:"pool"`
}

// epicFanRPMs returns the fan speeds UMC reports: the physics' own under
// automatic control, the commanded share of a 6,000 RPM fan under manual
// control (a failed fan stays at 0).
func epicFanRPMs(m *miner, snap *snapshot, st MinerSettings) [maxFans]int {
	fans := snap.fans
	if st.FanManual {
		for f := 0; f < m.model.Fans; f++ {
			if fans[f] > 0 {
				fans[f] = 60 * st.FanPercent
			}
		}
	}
	return fans
}

// epicFanSpeed is "Fans Speed": the commanded duty in percent.
func epicFanSpeed(snap *snapshot, st MinerSettings) int {
	if st.FanManual {
		return st.FanPercent
	}
	return vnishFanDuty(snap)
}

func epicSummaryOf(m *miner, snap *snapshot, st MinerSettings) epicSummary {
	spec := m.model
	idle := st.Paused
	sum := epicSummary{
		DisableBoardOnFailure: true,
		FansRpm:               map[string]*int{},
		Hostname:              m.name,
		IdleOnConnectionLost:  true,
		Mining:                map[string]string{"Algorithm": "SHA-256", "Coin": "BTC"},
		Misc:                  epicMisc{CriticalTemp: epicCriticalTemp, LocateMinerState: st.Locate, ShutdownTemp: epicShutdownTemp},
		OSType:                "umcOS",
		Software:              spec.minerVer,
		PresetInfo:            map[string]int{"Target Power": int(spec.Power)},
	}
	if st.FanManual {
		sum.Fans.FanMode = map[string]int{"Manual": st.FanPercent}
	} else {
		sum.Fans.FanMode = map[string]map[string]int{"Auto": {"Idle Speed": st.FanIdleSpeed, "Target Temperature": st.FanTargetTemp}}
	}
	sum.Fans.FansSpeed = epicFanSpeed(snap, st)
	rpms := epicFanRPMs(m, snap, st)
	for f := 0; f < 12; f++ {
		var v *int
		if f < spec.Fans {
			rpm := rpms[f]
			v = &rpm
		}
		sum.FansRpm["Fans Speed "+strconv.Itoa(f+1)] = v
	}

	boardIdeal := spec.HashRate / 1e6 / float64(spec.Boards) // MH/s
	active := 0
	sum.HBs = []epicHB{}
	for b := 0; b < spec.Boards; b++ {
		bs := &snap.boards[b]
		// A board that fails is detected but disabled ("Disable Board On
		// Failure"), and leaves HBs.
		sum.HBStatus = append(sum.HBStatus, epicHBStatus{Detected: true, Enabled: bs.present, Index: b})
		sum.HwConfig.BoardsTargetClock = append(sum.HwConfig.BoardsTargetClock, epicIndexed{Data: rustFloat(spec.frequency), Index: b})
		if !bs.present {
			continue
		}
		if !idle {
			active++
		}
		mhs := math.Round(bs.rate * 1000)
		sum.HBs = append(sum.HBs, epicHB{
			CoreClock:    []rustFloat{},
			CoreClockAvg: rustFloat(bs.freq),
			Hashrate:     []rustFloat{rustFloat(mhs), rustFloat(math.Round(mhs/boardIdeal*1000) / 10), rustFloat(math.Round(float64(bs.hw)/math.Max(1, snap.uptime)*10) / 10)},
			Index:        b,
			InputVoltage: 12.6,
			Temperature:  rustFloat(max4(bs.pcb)),
		})
	}

	sum.PerpetualTune = epicPerpetualTune{
		Algorithm: map[string]epicTuneAlgo{"VoltageOptimizer": {
			MinThrottleTarget: 50, Optimized: true, Target: int(spec.HashRate / 1e12), ThrottleStep: 5, Unit: "TH/s",
		}},
		Running: !idle,
	}
	sum.PowerSupplyStats = map[string]rustFloat{
		"Input Current": 0, "Input Power": round3(snap.power), "Input Voltage": 0,
		"Output Current": 0, "Output Power": 0, "Output Voltage": 12.595, "Target Voltage": 12600,
	}

	start := snap.unix - int64(snap.uptime)
	lastShare := int64(snap.lastShareAgo)
	sum.Session = epicSession{
		Accepted: snap.acc, ActiveHBs: active,
		AverageMHs:                 rustFloat(math.Round(snap.rateAvg * 1000)),
		Difficulty:                 rustFloat(spec.poolDiff),
		LastAcceptedShareTimer:     lastShare,
		LastAcceptedShareTimestamp: snap.unix - lastShare,
		LastWorkTimer:              int64(snap.t) % 30,
		LastWorkTimestamp:          snap.unix - int64(snap.t)%30,
		LastAverageMHs:             map[string]float64{"Hashrate": math.Round(snap.rate30m * 1000), "Timestamp": float64(snap.unix - snap.unix%3600)},
		Rejected:                   snap.rej,
		StartupString:              time.Unix(start, 0).UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"),
		StartupTimestamp:           start,
		Submitted:                  snap.acc + snap.rej,
		Uptime:                     int64(snap.uptime),
		WorkReceived:               int64(snap.uptime / 36),
	}
	sum.Status.OperatingState = "Mining"
	if idle {
		sum.Status.OperatingState = "Idling"
	}
	sum.StratumConfigs = []epicStratumConfig{}
	for _, p := range st.Pools {
		sum.StratumConfigs = append(sum.StratumConfigs, epicStratumConfig{Login: p.User, Password: p.Password, Pool: p.URL})
	}
	if len(st.Pools) > 0 {
		host := st.Pools[0].URL
		if _, rest, ok := strings.Cut(host, "://"); ok {
			host = rest
		}
		sum.Stratum = epicStratum{
			AverageLatency: round3(0.03 + 0.01*m.wobble(snap.t, 1)),
			CurrentPool:    host, CurrentUser: st.Pools[0].User,
			IsPoolConnected: !idle, WorkerUniqueIDVarian: "IpAddress",
		}
	}
	return sum
}

// epicTempsOf is GET /temps: each board's two PCB sensors, the inlet
// edge and the outlet edge.
func epicTempsOf(m *miner, snap *snapshot) []map[string]any {
	out := []map[string]any{}
	for b := 0; b < m.model.Boards; b++ {
		bs := &snap.boards[b]
		if !bs.present {
			continue
		}
		in := min(bs.pcb[0], bs.pcb[1])
		outlet := max(bs.pcb[2], bs.pcb[3])
		out = append(out, map[string]any{"Data": []rustFloat{rustFloat(in), rustFloat(outlet)}, "Index": b, "Total": rustFloat(0)})
	}
	return out
}

// epicHashratesOf is GET /hashrate: per board, the hash rate of each chip
// in MH/s (spec HbData).
func epicHashratesOf(m *miner, snap *snapshot) []map[string]any {
	out := []map[string]any{}
	for b := 0; b < m.model.Boards; b++ {
		bs := &snap.boards[b]
		if !bs.present {
			continue
		}
		chips := make([]rustFloat, m.model.ChipsPerBoard)
		per := bs.rate * 1000 / float64(max(1, bs.chips-bs.failed))
		for c := range chips {
			if !m.chipFailed(b, c, snap.active) {
				chips[c] = rustFloat(math.Round(per*(1+0.02*math.Sin(float64(c)+snap.t/60))*10) / 10)
			}
		}
		out = append(out, map[string]any{"Data": chips, "Index": b, "Total": rustFloat(math.Round(bs.rate * 1000))})
	}
	return out
}

// epicNetworkOf is GET /network: the DHCP lease.
func epicNetworkOf(m *miner) map[string]any {
	a := m.addr.As4()
	return map[string]any{"dhcp": map[string]string{
		"address": m.addr.String(), "dns": "1.1.1.1",
		"gateway":     fmt.Sprintf("%d.%d.%d.254", a[0], a[1], a[2]),
		"mac_address": m.macString(), "netmask": "255.255.255.0",
	}}
}

// epicCapabilitiesOf is GET /capabilities (spec CapabilitiesResponse),
// the part the simulator can fill from the model.
func epicCapabilitiesOf(m *miner) map[string]any {
	spec := m.model
	serials := make([]string, spec.Boards)
	for b := range serials {
		serials[b] = fmt.Sprintf("%sB%d%s", spec.serialCode, b, m.minerID[:10])
	}
	th := int(spec.HashRate / 1e12)
	algos := []map[string]any{}
	for _, a := range []string{"VoltageOptimizer", "ChipTune", "BoardTune"} {
		algos = append(algos, map[string]any{"algorithm": a, "max": th * 2, "min": th / 2, "name": a})
	}
	return map[string]any{
		"Board Serial Numbers":  serials,
		"Chip Type":             epicChipType,
		"Chips Per Bank":        spec.groupSize,
		"Coins":                 []string{"BTC"},
		"Default Clock":         int(spec.frequency),
		"Default Hashrate":      th,
		"Default Voltage":       13600,
		"Max HBs":               spec.Boards,
		"Model":                 epicModelName(spec),
		"Model Subtype":         "BHB42601",
		"Performance Estimator": map[string]any{"Chip Count": spec.ChipsPerBoard, "Hashes Per Second Per Chip": rustFloat(math.Round(spec.HashRate / 1e9 / float64(spec.Boards*spec.ChipsPerBoard)))},
		"PerpetualTune":         algos,
		"Temp Sensor Info":      map[string]any{"Count": 2, "Type": "Board"},
	}
}

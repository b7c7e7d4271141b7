package epic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// summary is the part of GET /summary that hearth reads. UMC is written in
// Rust and serialises with serde, so field types are stable across
// releases; a field that is missing or null is left at its zero value.
// Field names are UMC's own, spaces included (see the UMC API spec and
// asic-rs's epic/src/test/json/v1/summary.json).
type summary struct {
	Hostname string `json:"Hostname"`
	// Software is the firmware name and release: "PowerPlay-BMS v1.5.13".
	Software string `json:"Software"`
	Status   struct {
		// OperatingState is one of UMC's MinerState values: "Mining",
		// "Idling", "Initializing", "Stopping", "SoftRebooting" ...
		OperatingState string `json:"Operating State"`
		// LastError is null, a string, or an object naming the fault.
		LastError json.RawMessage `json:"Last Error"`
	} `json:"Status"`
	Session struct {
		Accepted float64 `json:"Accepted"`
		Rejected float64 `json:"Rejected"`
		// Uptime is the mining session's age in seconds.
		Uptime float64 `json:"Uptime"`
		// AverageMHs is the session's average hash rate in MH/s.
		AverageMHs float64 `json:"Average MHs"`
	} `json:"Session"`
	Stratum struct {
		CurrentPool     string `json:"Current Pool"`
		CurrentUser     string `json:"Current User"`
		IsPoolConnected bool   `json:"IsPoolConnected"`
		// ConfigID is the index in StratumConfigs of the pool in use.
		ConfigID *int `json:"Config Id"`
	} `json:"Stratum"`
	// StratumConfigs are the configured pools in priority order. Their
	// passwords are never read.
	StratumConfigs []struct {
		Pool  string `json:"pool"`
		Login string `json:"login"`
	} `json:"StratumConfigs"`
	HBs []struct {
		Index int `json:"Index"`
		// Hashrate is [current MH/s, percent of the ideal rate, ...].
		Hashrate     []float64 `json:"Hashrate"`
		Temperature  float64   `json:"Temperature"`
		CoreClockAvg float64   `json:"Core Clock Avg"`
	} `json:"HBs"`
	HBStatus []struct {
		Index    int  `json:"Index"`
		Detected bool `json:"Detected"`
		Enabled  bool `json:"Enabled"`
	} `json:"HBStatus"`
	Fans struct {
		// FansSpeed is the commanded duty in percent.
		FansSpeed float64         `json:"Fans Speed"`
		FanMode   json.RawMessage `json:"Fan Mode"`
	} `json:"Fans"`
	// FansRpm maps "Fans Speed 1" … "Fans Speed 12" to RPM, null where the
	// controller has no such fan.
	FansRpm          map[string]*float64 `json:"Fans Rpm"`
	PowerSupplyStats struct {
		// InputPower is the power supply's measured draw at the wall, W.
		InputPower float64 `json:"Input Power"`
	} `json:"Power Supply Stats"`
}

// errNotSummary marks JSON that decodes but is not a UMC summary.
var errNotSummary = errors.New("JSON is not a UMC summary")

// errNotTemps marks a /temps body that is not a JSON array.
var errNotTemps = errors.New("JSON is not a UMC temperature list")

// decodeSummary parses a /summary body. A body that is not a JSON object,
// or an object without any of the fields every UMC release sends
// (Software, Session, HBs), is an error.
func decodeSummary(b []byte) (*summary, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotSummary
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.Software == "" && s.HBs == nil && s.Session.Uptime == 0 {
		return nil, errNotSummary
	}
	return &s, nil
}

// megahash converts UMC's MH/s to hearth's H/s. pyasic and asic-rs both
// read HBs[].Hashrate[0] as MH/s; the fixture's 49 440 724 per board of an
// S19 XP is 49.4 TH/s, which confirms it.
const megahash = 1e6

// paused reports whether the operating state is one where hashing has
// been stopped: "Idling" (after /miner "Stop") or on its way there.
func (s *summary) paused() bool {
	switch s.Status.OperatingState {
	case "Idling", "Stopping":
		return true
	}
	return false
}

// reading maps s, the optional board temperatures of /temps and the
// optional chip count per board of /capabilities to a hearth reading in
// base units. Boards come from HBStatus (every detected slot, so that a
// detected but disabled board shows with zero chips), or from HBs on
// firmware without HBStatus.
func (s *summary) reading(temps boardTemps, chipsPerBoard int) *hearth.Reading {
	r := &hearth.Reading{
		Power:    nonNegative(s.PowerSupplyStats.InputPower),
		Uptime:   seconds(s.Session.Uptime),
		Accepted: count(s.Session.Accepted),
		Rejected: count(s.Session.Rejected),
		Paused:   s.paused(),
	}
	r.HashRateAvg = nonNegative(s.Session.AverageMHs * megahash)
	r.Boards = s.boards(temps, chipsPerBoard)
	for _, b := range r.Boards {
		r.HashRate += b.HashRate
		r.IdealHashRate += b.IdealHashRate
	}
	r.HashRate, r.IdealHashRate = nonNegative(r.HashRate), nonNegative(r.IdealHashRate)
	r.Fans = s.fans()
	r.Pools = s.pools()
	if msg := lastError(s.Status.LastError); msg != "" {
		r.Errors = append(r.Errors, msg)
	}
	for _, st := range s.HBStatus {
		if st.Detected && !st.Enabled {
			r.Errors = append(r.Errors, fmt.Sprintf("Hashboard %d is detected but disabled.", st.Index))
		}
	}
	return r
}

// boards returns one Board per detected slot.
func (s *summary) boards(temps boardTemps, chipsPerBoard int) []hearth.Board {
	type slot struct {
		index   int
		enabled bool
	}
	var slots []slot
	if len(s.HBStatus) > 0 {
		for _, st := range s.HBStatus {
			if st.Detected {
				slots = append(slots, slot{st.Index, st.Enabled})
			}
		}
	} else {
		for _, hb := range s.HBs {
			slots = append(slots, slot{hb.Index, true})
		}
	}
	boards := make([]hearth.Board, 0, len(slots))
	for _, sl := range slots {
		b := hearth.Board{Index: sl.index}
		if sl.enabled {
			b.Chips = max(chipsPerBoard, 0)
		}
		b.ExpectedChips = max(chipsPerBoard, 0)
		for _, hb := range s.HBs {
			if hb.Index != sl.index {
				continue
			}
			if len(hb.Hashrate) > 0 {
				b.HashRate = nonNegative(hb.Hashrate[0] * megahash)
			}
			if len(hb.Hashrate) > 1 && hb.Hashrate[1] > 0 && b.HashRate > 0 {
				b.IdealHashRate = nonNegative(b.HashRate * 100 / hb.Hashrate[1])
			}
			b.BoardTemp = nonNegative(hb.Temperature)
			b.FrequencyMHz = nonNegative(hb.CoreClockAvg)
			break
		}
		if lo, hi, ok := temps.span(sl.index); ok {
			b.InletTemp, b.OutletTemp = lo, hi
			if b.BoardTemp == 0 {
				b.BoardTemp = hi
			}
		}
		boards = append(boards, b)
	}
	return boards
}

// fans returns the fans "Fans Rpm" lists, in fan order; a null entry is a
// fan the controller does not have. Percent is the commanded duty, which
// UMC applies to every fan alike.
func (s *summary) fans() []hearth.Fan {
	const prefix = "Fans Speed "
	var fans []hearth.Fan
	for key, rpm := range s.FansRpm {
		if rpm == nil || !strings.HasPrefix(key, prefix) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(key, prefix))
		if err != nil || n < 1 || n > 64 {
			continue
		}
		fans = append(fans, hearth.Fan{Index: n - 1, RPM: nonNegative(*rpm), Percent: min(nonNegative(s.Fans.FansSpeed), 100)})
	}
	sort.Slice(fans, func(i, j int) bool { return fans[i].Index < fans[j].Index })
	return fans
}

// pools returns the configured pools in priority order. The one named by
// Stratum."Config Id" is the active one: its status follows
// IsPoolConnected and it carries the session's share counts, which UMC
// keeps only for the pool in use. Firmware without StratumConfigs yields
// the current pool alone.
func (s *summary) pools() []hearth.Pool {
	var pools []hearth.Pool
	for i, c := range s.StratumConfigs {
		if c.Pool == "" {
			continue
		}
		pools = append(pools, hearth.Pool{Index: i, URL: c.Pool, User: c.Login, Status: "unknown", Priority: i})
	}
	active := s.Stratum.ConfigID
	if len(pools) == 0 && s.Stratum.CurrentPool != "" {
		active = new(int)
		pools = append(pools, hearth.Pool{URL: s.Stratum.CurrentPool, User: s.Stratum.CurrentUser, Status: "unknown"})
	}
	for i := range pools {
		if active == nil || pools[i].Index != *active {
			continue
		}
		pools[i].Active = true
		pools[i].Status = "dead"
		if s.Stratum.IsPoolConnected {
			pools[i].Status = "alive"
		}
		pools[i].Accepted = count(s.Session.Accepted)
		pools[i].Rejected = count(s.Session.Rejected)
	}
	return pools
}

// lastError renders Status."Last Error": null gives "", a string itself,
// and any other JSON (UMC's error enum variants carry data as objects)
// its compact text.
func lastError(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return ""
	}
	const maxLen = 200
	if buf.Len() > maxLen {
		return buf.String()[:maxLen] + "..."
	}
	return buf.String()
}

// nonNegative returns v, or zero for a negative or non-finite v.
func nonNegative(v float64) float64 {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// count returns v as a share count, zero when negative, saturated when
// beyond uint64.
func count(v float64) uint64 {
	switch {
	case !(v > 0):
		return 0
	case v >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(v)
}

// seconds converts a count of seconds to a Duration, bounded to what a
// Duration can hold.
func seconds(v float64) time.Duration {
	v = nonNegative(v)
	if v >= float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(v * float64(time.Second))
}

package braiins

import (
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// The messages of the Braiins OS public API (braiins.bos.v1, the .proto
// files of github.com/braiins/bos-plus-api) that the driver reads, with
// only the fields it uses. Field numbers are given in the comments of
// each decoder; every decoder takes outside bytes and is fuzzed.

// Caps on repeated fields: far above any real miner, low enough that a
// hostile reply cannot make hearth allocate much.
const (
	maxBoards = 32
	maxFans   = 32
	maxGroups = 16
	maxPools  = 64
)

// MinerStatus values (miner.proto enum MinerStatus) the driver acts on.
const (
	minerStatusPaused = 3
)

// loginReply is AuthenticationService/Login's LoginResponse.
type loginReply struct {
	Token string
	// Timeout is how long the session lives without a request.
	Timeout time.Duration
}

// decodeLoginReply reads LoginResponse{token = 1, timeout_s = 2}.
func decodeLoginReply(b []byte) (loginReply, error) {
	var r loginReply
	err := walk(b, func(f field) {
		switch f.num {
		case 1:
			// A token is opaque; keep it whole but bounded.
			if m := f.message(); len(m) <= 4*maxText {
				r.Token = string(m)
			}
		case 2:
			r.Timeout = time.Duration(min(f.uint(), 1<<31)) * time.Second
		}
	})
	return r, err
}

// minerDetails is MinerService/GetMinerDetails's GetMinerDetailsResponse.
type minerDetails struct {
	// Name is miner_identity.name, Model miner_identity.miner_model
	// ("Antminer S19J Pro"); either may be empty.
	Name, Model string
	// Version is bos_version.current ("2025-08-06-0-3881c51d-25.07-plus").
	Version  string
	Hostname string
	MAC      string
	Serial   string
	// StickerHashRate is the nameplate rate, GH/s.
	StickerHashRate float64
	// Uptime is bosminer_uptime_s: zero when bosminer is not running.
	Uptime time.Duration
	Status uint64
}

// decodeMinerDetails reads GetMinerDetailsResponse: miner_identity = 2
// {name = 3, miner_model = 4}, bos_version = 5 {current = 1}, hostname =
// 6, mac_address = 7, sticker_hashrate = 9, bosminer_uptime_s = 10,
// status = 12, serial_number = 16.
func decodeMinerDetails(b []byte) (minerDetails, error) {
	var d minerDetails
	var errs []error
	err := walk(b, func(f field) {
		switch f.num {
		case 2:
			errs = append(errs, walk(f.message(), func(g field) {
				switch g.num {
				case 3:
					d.Name = g.text()
				case 4:
					d.Model = g.text()
				}
			}))
		case 5:
			errs = append(errs, walk(f.message(), func(g field) {
				if g.num == 1 {
					d.Version = g.text()
				}
			}))
		case 6:
			d.Hostname = f.text()
		case 7:
			d.MAC = f.text()
		case 9:
			v, err := scalar(f.message())
			d.StickerHashRate = v
			errs = append(errs, err)
		case 10:
			d.Uptime = seconds(f.uint())
		case 12:
			d.Status = f.uint()
		case 16:
			d.Serial = f.text()
		}
	})
	return d, firstError(err, errs)
}

// workStats is WorkSolverStats, rates in GH/s.
type workStats struct {
	// Real holds real_hashrate's windows by field number: 1 last_5s,
	// 4 last_1m, 5 last_5m, 10 since_restart (index = field number).
	Real [11]float64
	// Nominal is nominal_hashrate, what the tuner aims for.
	Nominal float64
}

// Real-hash-rate windows, by RealHashrate field number.
const (
	last5s       = 1
	last1m       = 4
	last5m       = 5
	sinceRestart = 10
)

// current returns the hash rate hearth reports as current, GH/s: the
// 5-minute average (the smoothest that still follows changes), then
// the 1-minute and 5-second ones for a miner that just started.
func (w workStats) current() float64 {
	for _, i := range []int{last5m, last1m, last5s} {
		if w.Real[i] > 0 {
			return w.Real[i]
		}
	}
	return 0
}

// decodeWorkStats reads WorkSolverStats{real_hashrate = 1 (RealHashrate:
// GigaHashrate windows 1-10), nominal_hashrate = 2}.
func decodeWorkStats(b []byte) (workStats, error) {
	var w workStats
	var errs []error
	err := walk(b, func(f field) {
		switch f.num {
		case 1:
			errs = append(errs, walk(f.message(), func(g field) {
				if g.num >= 1 && int(g.num) < len(w.Real) {
					v, err := scalar(g.message())
					w.Real[g.num] = v
					errs = append(errs, err)
				}
			}))
		case 2:
			v, err := scalar(f.message())
			w.Nominal = v
			errs = append(errs, err)
		}
	})
	return w, firstError(err, errs)
}

// minerStats is MinerService/GetMinerStats's GetMinerStatsResponse.
type minerStats struct {
	Accepted, Rejected uint64
	Work               workStats
	// Watts is power_stats.approximated_consumption; HasPower says the
	// miner sent it.
	Watts    float64
	HasPower bool
}

// decodeMinerStats reads GetMinerStatsResponse{pool_stats = 1
// (PoolStats{accepted_shares = 1, rejected_shares = 2}), miner_stats = 2
// (WorkSolverStats), power_stats = 3 {approximated_consumption = 1
// (Power{watt = 1})}}.
func decodeMinerStats(b []byte) (minerStats, error) {
	var s minerStats
	var errs []error
	err := walk(b, func(f field) {
		switch f.num {
		case 1:
			var err error
			s.Accepted, s.Rejected, err = decodeShares(f.message())
			errs = append(errs, err)
		case 2:
			w, err := decodeWorkStats(f.message())
			s.Work = w
			errs = append(errs, err)
		case 3:
			errs = append(errs, walk(f.message(), func(g field) {
				if g.num == 1 && g.typ == protowire.BytesType {
					v, err := scalar(g.message())
					s.Watts, s.HasPower = v, true
					errs = append(errs, err)
				}
			}))
		}
	})
	return s, firstError(err, errs)
}

// decodeShares reads PoolStats{accepted_shares = 1, rejected_shares = 2}.
func decodeShares(b []byte) (accepted, rejected uint64, err error) {
	err = walk(b, func(f field) {
		switch f.num {
		case 1:
			accepted = f.uint()
		case 2:
			rejected = f.uint()
		}
	})
	return accepted, rejected, err
}

// hashboard is one Hashboard of GetHashboardsResponse.
type hashboard struct {
	ID      string
	Enabled bool
	// Chips is chips_count; HasChips says the miner sent it.
	Chips    int
	HasChips bool
	// Temperatures, °C.
	ChipTemp, BoardTemp, InletTemp, OutletTemp float64
	// FrequencyHz is current_frequency.
	FrequencyHz float64
	Work        workStats
}

// decodeHashboards reads GetHashboardsResponse{hashboards = 1}, each
// Hashboard{id = 1, enabled = 2, chips_count = 3 (UInt32Value),
// current_frequency = 5, highest_chip_temp = 6 (TemperatureSensor
// {temperature = 3}), board_temp = 7, stats = 8 (WorkSolverStats),
// lowest_inlet_temp = 10, highest_outlet_temp = 11}.
func decodeHashboards(b []byte) ([]hashboard, error) {
	var boards []hashboard
	var errs []error
	err := walk(b, func(f field) {
		if f.num != 1 || f.typ != 2 || len(boards) >= maxBoards {
			return
		}
		var h hashboard
		errs = append(errs, walk(f.message(), func(g field) {
			var err error
			switch g.num {
			case 1:
				h.ID = cleanText(string(g.message()), 16)
			case 2:
				h.Enabled = g.bool()
			case 3:
				var n float64
				n, err = scalar(g.message())
				h.Chips, h.HasChips = int(max(0, min(n, 1<<16))), g.typ == protowire.BytesType
			case 5:
				h.FrequencyHz, err = scalar(g.message())
			case 6:
				err = walk(g.message(), func(s field) {
					if s.num == 3 {
						v, err := scalar(s.message())
						h.ChipTemp = v
						errs = append(errs, err)
					}
				})
			case 7:
				h.BoardTemp, err = scalar(g.message())
			case 8:
				h.Work, err = decodeWorkStats(g.message())
			case 10:
				h.InletTemp, err = scalar(g.message())
			case 11:
				h.OutletTemp, err = scalar(g.message())
			}
			errs = append(errs, err)
		}))
		boards = append(boards, h)
	})
	return boards, firstError(err, errs)
}

// fanState is one FanState of GetCoolingStateResponse.
type fanState struct {
	// Position is the fan's slot; HasPosition says the miner sent it.
	Position    int
	HasPosition bool
	RPM         float64
	// Ratio is target_speed_ratio, 0.0-1.0; HasRatio says it was sent.
	Ratio    float64
	HasRatio bool
}

// decodeCoolingState reads GetCoolingStateResponse{fans = 1}, each
// FanState{position = 1, rpm = 2, target_speed_ratio = 3}.
func decodeCoolingState(b []byte) ([]fanState, error) {
	var fans []fanState
	var errs []error
	err := walk(b, func(f field) {
		if f.num != 1 || f.typ != 2 || len(fans) >= maxFans {
			return
		}
		var s fanState
		errs = append(errs, walk(f.message(), func(g field) {
			switch g.num {
			case 1:
				s.Position, s.HasPosition = int(min(g.uint(), 1<<16)), g.typ == protowire.VarintType
			case 2:
				s.RPM = float64(g.uint())
			case 3:
				s.Ratio, s.HasRatio = g.double(), g.typ == protowire.Fixed64Type
			}
		}))
		fans = append(fans, s)
	})
	return fans, firstError(err, errs)
}

// pool is one Pool of a PoolGroup.
type pool struct {
	Group                  string
	URL, User              string
	Enabled, Alive, Active bool
	Accepted, Rejected     uint64
}

// decodePoolGroups reads GetPoolGroupsResponse{pool_groups = 1}, each
// PoolGroup{name = 1, pools = 4}, each Pool{url = 2, user = 3, enabled =
// 4, alive = 5, active = 6, stats = 7 (PoolStats)}, flattened in order.
func decodePoolGroups(b []byte) ([]pool, error) {
	var pools []pool
	var errs []error
	groups := 0
	err := walk(b, func(f field) {
		if f.num != 1 || f.typ != 2 || groups >= maxGroups {
			return
		}
		groups++
		var name string
		var members [][]byte
		errs = append(errs, walk(f.message(), func(g field) {
			switch g.num {
			case 1:
				name = g.text()
			case 4:
				if g.typ == protowire.BytesType && len(pools)+len(members) < maxPools {
					members = append(members, g.message())
				}
			}
		}))
		for _, m := range members {
			p := pool{Group: name}
			errs = append(errs, walk(m, func(g field) {
				var err error
				switch g.num {
				case 2:
					p.URL = g.text()
				case 3:
					p.User = g.text()
				case 4:
					p.Enabled = g.bool()
				case 5:
					p.Alive = g.bool()
				case 6:
					p.Active = g.bool()
				case 7:
					p.Accepted, p.Rejected, err = decodeShares(g.message())
				}
				errs = append(errs, err)
			}))
			pools = append(pools, p)
		}
	})
	return pools, firstError(err, errs)
}

// decodePowerTarget reads SetPowerTargetResponse{power_target = 1
// (Power{watt = 1})} and returns the watts; ok is false when absent.
func decodePowerTarget(b []byte) (watts float64, ok bool, err error) {
	var errs []error
	err = walk(b, func(f field) {
		if f.num == 1 && f.typ == protowire.BytesType {
			v, err := scalar(f.message())
			watts, ok = v, true
			errs = append(errs, err)
		}
	})
	return watts, ok, firstError(err, errs)
}

// decodeTunerState reads GetTunerStateResponse{power_target_mode_state
// = 2 (PowerTargetModeState{current_target = 2 (Power{watt = 1})})} and
// returns the power target the autotuner works to; ok is false when the
// tuner is in another mode (a hash-rate target) or says nothing.
func decodeTunerState(b []byte) (watts float64, ok bool, err error) {
	var errs []error
	err = walk(b, func(f field) {
		if f.num != 2 || f.typ != protowire.BytesType {
			return
		}
		errs = append(errs, walk(f.message(), func(g field) {
			if g.num == 2 && g.typ == protowire.BytesType {
				v, err := scalar(g.message())
				watts, ok = v, true
				errs = append(errs, err)
			}
		}))
	})
	return watts, ok, firstError(err, errs)
}

// decodeFlag reads a reply whose only field is a bool numbered 1:
// LocateDeviceStatusResponse{enabled}, PauseMiningResponse
// {already_paused}, ResumeMiningResponse{already_mining},
// RestartResponse{already_running}.
func decodeFlag(b []byte) (bool, error) {
	var v bool
	err := walk(b, func(f field) {
		if f.num == 1 {
			v = f.bool()
		}
	})
	return v, err
}

// seconds converts a count of seconds from a miner to a Duration,
// clamped so that a hostile value cannot overflow.
func seconds(s uint64) time.Duration {
	const most = uint64(100 * 365 * 24 * 3600)
	return time.Duration(min(s, most)) * time.Second
}

// firstError returns err or the first non-nil error of errs.
func firstError(err error, errs []error) error {
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

package braiins

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// pollCalls are the reads of one poll, all unary calls with an empty
// request, made concurrently over the miner's one HTTP/2 connection.
var pollCalls = []string{methodMinerStats, methodMinerDetails, methodHashboards, methodCoolingState, methodPoolGroups, methodTunerState}

// optionalCall reports whether a poll call's absence from a miner is
// normal rather than a failure worth listing: GetTunerState, which a
// BOS without the autotuner (or a simulator) may not implement.
func optionalCall(method string, err error) bool {
	return method == methodTunerState && hearth.ErrorCode(err) == hearth.EUNSUPPORTED
}

// Poll reads t over gRPC: GetMinerStats (hash rate, shares, power),
// GetMinerDetails (uptime, paused), GetHashboards (boards),
// GetCoolingState (fans), GetPoolGroups (pools) and
// PerformanceService/GetTunerState (the power target, as PowerLimit). A
// call that fails is listed in PollErrors and the rest of the reading
// stands; Poll fails only when every call does.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	type result struct {
		raw []byte
		rtt time.Duration
		err error
	}
	results := make([]result, len(pollCalls))
	var wg sync.WaitGroup
	for i, method := range pollCalls {
		wg.Go(func() {
			raw, rtt, err := d.call(ctx, t, method, nil)
			results[i] = result{raw, rtt, err}
		})
	}
	wg.Wait()

	r := &hearth.Reading{Time: time.Now()}
	addr := apiAddr(t)
	var firstErr error
	ok := 0
	for i, method := range pollCalls {
		res := results[i]
		err := res.err
		if err == nil {
			err = d.apply(r, method, res.raw)
			if err != nil {
				err = decodeError(addr, method, err)
			}
		}
		if err != nil && optionalCall(method, err) {
			continue
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			r.PollErrors = append(r.PollErrors, fmt.Sprintf("%s: %s", shortMethod(method), hearth.ErrorMessage(err)))
			continue
		}
		ok++
		if r.Latency == 0 || res.rtt < r.Latency {
			r.Latency = res.rtt
		}
	}
	if ok == 0 {
		return nil, fmt.Errorf("poll %s: %w", t.Address, firstErr)
	}
	return r, nil
}

// apply decodes the reply of method into r.
func (d *Driver) apply(r *hearth.Reading, method string, raw []byte) error {
	switch method {
	case methodMinerStats:
		s, err := decodeMinerStats(raw)
		if err != nil {
			return err
		}
		r.HashRate = s.Work.current() * 1e9
		r.HashRateAvg = s.Work.Real[sinceRestart] * 1e9
		if s.Work.Nominal > 0 {
			r.IdealHashRate = s.Work.Nominal * 1e9
		}
		r.Accepted, r.Rejected = s.Accepted, s.Rejected
		if s.HasPower {
			r.Power = s.Watts
		}
	case methodMinerDetails:
		det, err := decodeMinerDetails(raw)
		if err != nil {
			return err
		}
		r.Uptime = det.Uptime
		r.Paused = det.Status == minerStatusPaused
		if msg := statusFault(det.Status); msg != "" {
			r.Errors = append(r.Errors, msg)
		}
		if r.IdealHashRate == 0 && det.StickerHashRate > 0 {
			// Filled only when GetMinerStats had no nominal rate; the
			// stats are applied first.
			r.IdealHashRate = det.StickerHashRate * 1e9
		}
	case methodHashboards:
		boards, err := decodeHashboards(raw)
		if err != nil {
			return err
		}
		r.Boards = readBoards(boards)
	case methodCoolingState:
		fans, err := decodeCoolingState(raw)
		if err != nil {
			return err
		}
		r.Fans = readFans(fans)
	case methodTunerState:
		watts, ok, err := decodeTunerState(raw)
		if err != nil {
			return err
		}
		if ok {
			r.PowerLimit = watts
		}
	case methodPoolGroups:
		pools, err := decodePoolGroups(raw)
		if err != nil {
			return err
		}
		r.Pools = readPools(pools)
	}
	return nil
}

// statusFault words the MinerStatus values that mean the miner will not
// hash by itself: SUSPENDED (4) and RESTRICTED (5).
func statusFault(status uint64) string {
	switch status {
	case 4:
		return "Braiins OS reports mining suspended"
	case 5:
		return "Braiins OS reports mining restricted"
	}
	return ""
}

// readBoards maps hashboards in the order BOS lists them; Index counts
// from 0 in that order (BOS's ids are "1", "2", "3").
func readBoards(boards []hashboard) []hearth.Board {
	out := make([]hearth.Board, 0, len(boards))
	for i, h := range boards {
		out = append(out, hearth.Board{
			Index:         i,
			HashRate:      h.Work.current() * 1e9,
			IdealHashRate: h.Work.Nominal * 1e9,
			ChipTemp:      h.ChipTemp,
			BoardTemp:     h.BoardTemp,
			InletTemp:     h.InletTemp,
			OutletTemp:    h.OutletTemp,
			Chips:         h.Chips,
			FrequencyMHz:  h.FrequencyHz / 1e6,
		})
	}
	return out
}

// readFans maps fans; Index is the fan's position where BOS gives it.
func readFans(fans []fanState) []hearth.Fan {
	out := make([]hearth.Fan, 0, len(fans))
	for i, f := range fans {
		fan := hearth.Fan{Index: i, RPM: f.RPM}
		if f.HasPosition {
			fan.Index = f.Position
		}
		if f.HasRatio {
			fan.Percent = f.Ratio * 100
		}
		out = append(out, fan)
	}
	return out
}

// readPools maps the pools of every group in order; that order is the
// priority (BOS fails over within a group in list order).
func readPools(pools []pool) []hearth.Pool {
	out := make([]hearth.Pool, 0, len(pools))
	for i, p := range pools {
		status := "dead"
		switch {
		case !p.Enabled:
			status = "disabled"
		case p.Alive:
			status = "alive"
		}
		out = append(out, hearth.Pool{
			Index: i, URL: p.URL, User: p.User, Status: status, Active: p.Active,
			Priority: i, Accepted: p.Accepted, Rejected: p.Rejected,
		})
	}
	return out
}

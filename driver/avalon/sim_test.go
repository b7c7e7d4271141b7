package avalon_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/avalon"
	"github.com/hearth-fleet/hearth/sim"
	"github.com/hearth-fleet/hearth/sim/simtest"
)

// simAvalon starts a simulator of one Avalon model on a fake clock and
// returns it with the miner's description and a driver on the same clock.
func simAvalon(t *testing.T, model string, faults ...sim.Fault) (*sim.Sim, sim.MinerInfo, *avalon.Driver, *simtest.Clock) {
	t.Helper()
	clock := simtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := simtest.Start(t, sim.Config{
		Miners: 1, Seed: 11, Models: []string{model},
		RebootTime: 2 * time.Second, Now: clock.Now, Faults: faults,
	})
	d := avalon.New()
	d.Clock = clock.Now
	return s, s.Miners()[0], d, clock
}

// rawReply sends one request to the simulated miner and decodes the JSON
// reply: the ground truth the driver's reading is checked against.
func rawReply(t *testing.T, mi sim.MinerInfo, command string) map[string]any {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort(mi.Address.String(), strconv.Itoa(mi.Port)), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte(`{"command":"` + command + `"}`)); err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(c)
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.TrimRight(string(raw), "\x00")), &out); err != nil {
		t.Fatalf("%s reply %q: %v", command, raw, err)
	}
	return out
}

// first returns the first record of a reply section.
func first(t *testing.T, reply map[string]any, section string) map[string]any {
	t.Helper()
	list, _ := reply[section].([]any)
	if len(list) == 0 {
		t.Fatalf("no %s in %v", section, reply)
	}
	rec, _ := list[0].(map[string]any)
	return rec
}

// token returns the fields of Key[...] in an Avalon blob, read with a
// plain string search rather than the driver's parser.
func token(t *testing.T, blob, key string) []float64 {
	t.Helper()
	i := strings.Index(blob, " "+key+"[")
	if i < 0 {
		i = strings.Index(blob, "{"+key+"[")
	}
	if i < 0 {
		t.Fatalf("no %s[ in %q", key, blob)
	}
	rest := blob[i+len(key)+2:]
	rest = rest[:strings.IndexByte(rest, ']')]
	var out []float64
	for _, f := range strings.Fields(rest) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(f, "%"), 64)
		if err != nil {
			t.Fatalf("%s field %q: %v", key, f, err)
		}
		out = append(out, v)
	}
	return out
}

// truth is what the simulated miner reports on the wire at one instant,
// converted to base units by the test itself.
type truth struct {
	hashRate, hashRateAvg, ideal float64 // H/s
	power, powerLimit            float64 // W
	uptime                       time.Duration
	accepted                     uint64
	boardRates                   []float64 // H/s
	chipTemps                    []float64 // °C, hottest chip per board
	fans                         int
	fanRPM                       float64
	paused                       bool
}

// groundTruth reads summary and estats directly from the simulator.
func groundTruth(t *testing.T, mi sim.MinerInfo) truth {
	t.Helper()
	sum := first(t, rawReply(t, mi, "summary"), "SUMMARY")
	dev := first(t, rawReply(t, mi, "estats"), "STATS")
	blob, _ := dev["MM ID0"].(string)
	if blob == "" {
		blob, _ = dev["MM ID0:Summary"].(string)
		hb, _ := dev["HBinfo"].(string)
		blob += " " + hb
	}
	var tr truth
	tr.hashRate = sum["MHS 1m"].(float64) * 1e6
	tr.hashRateAvg = sum["MHS av"].(float64) * 1e6
	tr.uptime = time.Duration(sum["Elapsed"].(float64)) * time.Second
	tr.accepted = uint64(sum["Accepted"].(float64))
	tr.ideal = token(t, blob, "GHSmm")[0] * 1e9
	if strings.Contains(blob, "WALLPOWER[") {
		tr.power = token(t, blob, "WALLPOWER")[0]
	} else {
		tr.power = token(t, blob, "PS")[4]
	}
	tr.powerLimit = token(t, blob, "MPO")[0]
	var mtMax []float64 // the older layout's hottest chip per board
	if strings.Contains(blob, " MTmax[") {
		mtMax = token(t, blob, "MTmax")
	}
	for b, g := range token(t, blob, "MGHS") {
		tr.boardRates = append(tr.boardRates, g*1e9)
		hottest := 0.0
		if mtMax != nil {
			hottest = mtMax[b]
		} else if strings.Contains(blob, "PVT_T"+strconv.Itoa(b)+"[") {
			for _, c := range token(t, blob, "PVT_T"+strconv.Itoa(b)) {
				hottest = math.Max(hottest, c)
			}
		}
		tr.chipTemps = append(tr.chipTemps, hottest)
	}
	for k := 1; strings.Contains(blob, " Fan"+strconv.Itoa(k)+"["); k++ {
		tr.fans++
		tr.fanRPM = token(t, blob, "Fan"+strconv.Itoa(k))[0]
	}
	tr.paused = token(t, blob, "SoftOFF")[0] > 0
	return tr
}

// checkReading compares a reading with the ground truth taken at the same
// (fake) instant.
func checkReading(t *testing.T, r *hearth.Reading, tr truth) {
	t.Helper()
	if r.HashRate != tr.hashRate || r.HashRateAvg != tr.hashRateAvg || r.IdealHashRate != tr.ideal {
		t.Errorf("rates %v / %v / %v H/s, want %v / %v / %v", r.HashRate, r.HashRateAvg, r.IdealHashRate, tr.hashRate, tr.hashRateAvg, tr.ideal)
	}
	if r.Power != tr.power || r.PowerLimit != tr.powerLimit || r.PowerEstimated {
		t.Errorf("power %v W (estimated %v), limit %v W; want %v W, limit %v W", r.Power, r.PowerEstimated, r.PowerLimit, tr.power, tr.powerLimit)
	}
	if r.Uptime != tr.uptime || r.Accepted != tr.accepted || r.Paused != tr.paused {
		t.Errorf("uptime %v accepted %d paused %v, want %v %d %v", r.Uptime, r.Accepted, r.Paused, tr.uptime, tr.accepted, tr.paused)
	}
	if len(r.Boards) != len(tr.boardRates) {
		t.Fatalf("%d boards, want %d", len(r.Boards), len(tr.boardRates))
	}
	for i, b := range r.Boards {
		if math.Abs(b.HashRate-tr.boardRates[i]) > 1 || b.ChipTemp != tr.chipTemps[i] {
			t.Errorf("board %d: %v H/s, chip %v °C; want %v H/s, %v °C", i, b.HashRate, b.ChipTemp, tr.boardRates[i], tr.chipTemps[i])
		}
	}
	if len(r.Fans) != tr.fans || (tr.fans > 0 && r.Fans[tr.fans-1].RPM != tr.fanRPM) {
		t.Errorf("fans %+v, want %d ending at %v RPM", r.Fans, tr.fans, tr.fanRPM)
	}
}

func TestAgainstSimulator(t *testing.T) {
	for _, tc := range []struct {
		short, firmware string
		chips           int
		// powerTarget is a target the model's levels can meet and the
		// level it picks; 0 when hearth knows no levels for the model.
		powerTarget float64
		level       int
	}{
		{short: sim.ModelAvalonA1466, firmware: "Avalon 23080401_8dcd0b1", chips: 120},
		{short: sim.ModelAvalonNano3, firmware: "Avalon 24111401_c7a3f62", chips: 10, powerTarget: 90, level: 1},
	} {
		t.Run(tc.short, func(t *testing.T) {
			s, mi, d, clock := simAvalon(t, tc.short)
			spec := simtest.Model(t, tc.short)
			ctx := context.Background()
			target := mi.Target()

			id, err := d.Identify(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if id.Family != hearth.FamilyAvalon || id.Firmware != tc.firmware || id.Model != mi.Model || id.MAC != mi.MAC || id.Serial == "" {
				t.Errorf("identity %+v, want model %q firmware %q MAC %s", id, mi.Model, tc.firmware, mi.MAC)
			}

			r, err := d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.PollErrors) != 0 {
				t.Fatalf("poll errors %v", r.PollErrors)
			}
			checkReading(t, r, groundTruth(t, mi))
			if r.HashRate < spec.HashRate*0.95 || r.HashRate > spec.HashRate*1.05 ||
				r.Power < spec.Power*0.93 || r.Power > spec.Power*1.07 || r.IdealHashRate != spec.HashRate {
				t.Errorf("reading %v H/s at %v W, nameplate %v H/s at %v W", r.HashRate, r.Power, spec.HashRate, spec.Power)
			}
			if len(r.Boards) != spec.Boards || r.Boards[0].Chips != tc.chips || len(r.Fans) != spec.Fans {
				t.Errorf("%d boards of %d chips, %d fans", len(r.Boards), r.Boards[0].Chips, len(r.Fans))
			}
			for _, b := range r.Boards {
				if b.ChipTemp < 40 || b.ChipTemp > 95 || (spec.Boards == 1 && !(b.InletTemp < b.OutletTemp && b.OutletTemp < b.ChipTemp)) {
					t.Errorf("board temperatures %+v", b)
				}
			}
			if len(r.Pools) != 3 || !r.Pools[0].Active || !strings.HasPrefix(r.Pools[0].URL, "stratum+tcp://") ||
				r.Pools[0].User != s.Settings(0).Pools[0].User {
				t.Errorf("pools %+v", r.Pools)
			}
			nominal := r.HashRate

			// Pause: softoff is scheduled 5 s ahead and takes effect then.
			if err := d.Pause(ctx, target); err != nil {
				t.Fatal(err)
			}
			if s.Settings(0).Paused {
				t.Error("paused before the scheduled softoff time")
			}
			clock.Advance(6 * time.Second)
			if !s.Settings(0).Paused {
				t.Fatal("not paused 6 s after softoff")
			}
			r, err = d.Poll(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			checkReading(t, r, groundTruth(t, mi))
			if !r.Paused || r.HashRate != 0 || r.Power != 0 {
				t.Errorf("paused reading: paused %v, %v H/s, %v W", r.Paused, r.HashRate, r.Power)
			}
			if err := d.Resume(ctx, target); err != nil {
				t.Fatal(err)
			}
			clock.Advance(6 * time.Second)
			if r, _ = d.Poll(ctx, target); r.Paused || r.HashRate < nominal*0.9 || s.Settings(0).Paused {
				t.Errorf("resumed reading: paused %v, %v H/s", r.Paused, r.HashRate)
			}

			if err := d.SetLocate(ctx, target, true, time.Minute); err != nil || !s.Settings(0).Locate {
				t.Errorf("locate on: %v, LED %v", err, s.Settings(0).Locate)
			}
			if err := d.SetLocate(ctx, target, false, 0); err != nil || s.Settings(0).Locate {
				t.Errorf("locate off: %v, LED %v", err, s.Settings(0).Locate)
			}

			before := s.Settings(0).WorkLevel
			ps, err := d.SetPowerTarget(ctx, target, tc.powerTarget+1)
			if tc.powerTarget == 0 {
				if hearth.ErrorCode(err) != hearth.EUNSUPPORTED || s.Settings(0).WorkLevel != before {
					t.Errorf("power target on a model without known levels: %v, level %d", err, s.Settings(0).WorkLevel)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if ps.Mechanism != "work_level" || ps.Value != strconv.Itoa(tc.level) || s.Settings(0).WorkLevel != tc.level {
					t.Errorf("power setting %+v, sim level %d", ps, s.Settings(0).WorkLevel)
				}
				r, _ = d.Poll(ctx, target)
				checkReading(t, r, groundTruth(t, mi))
				if r.Power > tc.powerTarget+5 || r.HashRate > nominal*0.8 || r.PowerLimit > tc.powerTarget+5 {
					t.Errorf("at level %d: %v W (limit %v), %v H/s", tc.level, r.Power, r.PowerLimit, r.HashRate)
				}
			}

			// Restart and reboot: down for the reboot time, then up with
			// the uptime counted from the restart.
			for i, run := range []func() error{
				func() error { return d.RestartMining(ctx, target) },
				func() error { return d.Reboot(ctx, target) },
			} {
				if err := run(); err != nil {
					t.Fatal(err)
				}
				if got := s.Settings(0).Reboots; got != i+1 {
					t.Fatalf("reboots %d, want %d", got, i+1)
				}
				if _, err := d.Poll(ctx, target); err == nil {
					t.Error("miner answered while rebooting")
				}
				clock.Advance(3 * time.Second)
				r, err = d.Poll(ctx, target)
				if err != nil {
					t.Fatal(err)
				}
				if r.Uptime < 0 || r.Uptime > 2*time.Second {
					t.Errorf("uptime %v after restart", r.Uptime)
				}
			}

			// Fan mode: a fixed duty shows in the fans' speed and duty.
			if err := d.SetFanMode(ctx, target, hearth.FanMode{Percent: 50}); err != nil {
				t.Fatal(err)
			}
			if st := s.Settings(0); !st.FanManual || st.FanPercent != 50 {
				t.Errorf("fan setting %v %d %%", st.FanManual, st.FanPercent)
			}
			r, _ = d.Poll(ctx, target)
			checkReading(t, r, groundTruth(t, mi))
			for _, f := range r.Fans {
				if f.Percent != 50 || f.RPM < 3000 || f.RPM > 4500 {
					t.Errorf("fan at 50 %%: %+v", f)
				}
			}
			if err := d.SetFanMode(ctx, target, hearth.FanMode{Auto: true}); err != nil || s.Settings(0).FanManual {
				t.Errorf("fan auto: %v, manual %v", err, s.Settings(0).FanManual)
			}

			// The verb the driver does not declare.
			if slices.Contains(d.Capabilities(), hearth.CapSetPools) {
				t.Errorf("declares %s", hearth.CapSetPools)
			}
			pools := s.Settings(0).Pools
			if err := d.SetPools(ctx, target, []hearth.PoolConfig{{URL: "stratum+tcp://a.example:3333", User: "u"}}); hearth.ErrorCode(err) != hearth.EUNSUPPORTED {
				t.Errorf("SetPools: %v", err)
			}
			if st := s.Settings(0); len(st.Pools) != len(pools) || st.Pools[0] != pools[0] {
				t.Errorf("SetPools changed the miner: %+v", st.Pools)
			}
		})
	}
}

// TestAgainstSimulatorFaults checks that the simulator's faults reach
// hearth's reading: a dead board on the A1466, a failed fan on the Nano 3.
func TestAgainstSimulatorFaults(t *testing.T) {
	ctx := context.Background()

	_, mi, d, _ := simAvalon(t, sim.ModelAvalonA1466, sim.Fault{Index: 0, Kind: sim.FaultDeadBoard})
	r, err := d.Poll(ctx, mi.Target())
	if err != nil {
		t.Fatal(err)
	}
	checkReading(t, r, groundTruth(t, mi))
	if len(r.Boards) != 3 || r.Boards[1].HashRate != 0 || r.Boards[1].Chips != 0 || r.Boards[0].Chips != 120 {
		t.Errorf("dead board: %+v", r.Boards)
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "Hashboard 1") {
		t.Errorf("errors %q", r.Errors)
	}

	_, mi, d, _ = simAvalon(t, sim.ModelAvalonNano3, sim.Fault{Index: 0, Kind: sim.FaultHot})
	r, err = d.Poll(ctx, mi.Target())
	if err != nil {
		t.Fatal(err)
	}
	checkReading(t, r, groundTruth(t, mi))
	if r.Boards[0].ChipTemp < 95 {
		t.Errorf("hot chip reads %v °C", r.Boards[0].ChipTemp)
	}
}

// TestAgainstSimulatorConcurrentCallers polls one simulated Avalon from
// many goroutines: the driver queues them and every poll succeeds.
func TestAgainstSimulatorConcurrentCallers(t *testing.T) {
	_, mi, d, _ := simAvalon(t, sim.ModelAvalonNano3)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := d.Poll(context.Background(), mi.Target())
			if err == nil && len(r.PollErrors) > 0 {
				err = &pollError{r.PollErrors}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

type pollError struct{ errs []string }

func (e *pollError) Error() string { return strings.Join(e.errs, "; ") }

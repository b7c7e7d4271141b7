package antminer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/antminer"
)

// TestPollS19Pro replays the captured S19 Pro replies (Appendix A.1 stats,
// A.2 pools, and the summary of the same capture).
func TestPollS19Pro(t *testing.T) {
	target, srv := miner(t, map[string][]byte{
		"summary": fixture(t, "summary.json"),
		"pools":   fixture(t, "pools.json"),
		"stats":   fixture(t, "stats.json"),
	})
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(srv.Commands(), ","); got != "summary,pools,stats" {
		t.Errorf("commands sent: %s, want one connection each for summary, pools, stats", got)
	}
	if len(r.PollErrors) != 0 {
		t.Errorf("PollErrors = %q", r.PollErrors)
	}

	checks := []struct {
		name      string
		got, want float64
	}{
		{"HashRate", r.HashRate, 110566.89e9},
		{"HashRateAvg", r.HashRateAvg, 111834.85e9},
		{"IdealHashRate", r.IdealHashRate, 110000e9},
		{"Uptime", r.Uptime.Seconds(), 50474},
		{"Accepted", float64(r.Accepted), 4057},
		{"Rejected", float64(r.Rejected), 11},
		{"HardwareErrors", float64(r.HardwareErrors), 562},
		{"Power (S19 Pro is not in the model table)", r.Power, 0},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.PowerEstimated {
		t.Error("PowerEstimated for a model without nameplate figures")
	}
	if r.Latency <= 0 || r.Latency > time.Second {
		t.Errorf("Latency = %v", r.Latency)
	}
	if r.Time.IsZero() {
		t.Error("Time not set")
	}

	if len(r.Boards) != 3 {
		t.Fatalf("%d boards, want 3 (chain 4 is an empty slot)", len(r.Boards))
	}
	wantRates := []float64{37603.30e9, 35536.22e9, 37427.38e9}
	wantChip := []float64{78, 71, 69}
	wantPCB := [][3]float64{{73, 45, 65}, {66, 47, 66}, {64, 44, 64}} // board, inlet, outlet
	wantHW := []uint64{183, 195, 184}
	for i, b := range r.Boards {
		if b.Index != i || b.Chips != 114 || b.FailedChips != 0 || b.ExpectedChips != 0 {
			t.Errorf("board %d: index %d chips %d failed %d expected %d", i, b.Index, b.Chips, b.FailedChips, b.ExpectedChips)
		}
		if !near(b.HashRate, wantRates[i]) || !near(b.IdealHashRate, 110000e9/3) {
			t.Errorf("board %d: rate %v ideal %v", i, b.HashRate, b.IdealHashRate)
		}
		if b.ChipTemp != wantChip[i] || b.BoardTemp != wantPCB[i][0] || b.InletTemp != wantPCB[i][1] || b.OutletTemp != wantPCB[i][2] {
			t.Errorf("board %d temps: chip %v board %v inlet %v outlet %v", i, b.ChipTemp, b.BoardTemp, b.InletTemp, b.OutletTemp)
		}
		if b.FrequencyMHz != 525 || b.HardwareErrs != wantHW[i] {
			t.Errorf("board %d: freq %v hw %d", i, b.FrequencyMHz, b.HardwareErrs)
		}
	}
	if r.HottestChip() != 78 {
		t.Errorf("HottestChip = %v", r.HottestChip())
	}

	wantFans := []float64{6000, 5880, 5040, 5040}
	if len(r.Fans) != len(wantFans) {
		t.Fatalf("fans = %+v", r.Fans)
	}
	for i, f := range r.Fans {
		if f.Index != i || f.RPM != wantFans[i] {
			t.Errorf("fan %d = %+v, want %v RPM", i, f, wantFans[i])
		}
	}

	if len(r.Pools) != 3 {
		t.Fatalf("%d pools", len(r.Pools))
	}
	p := r.Pools[0]
	want := hearth.Pool{Index: 0, URL: "stratum+tcp://btc.global.luxor.tech:700", User: "satokierepair.H04YK",
		Status: "alive", Active: true, Priority: 0, Accepted: 4057, Rejected: 11}
	if p != want {
		t.Errorf("pool 0 = %+v\nwant %+v", p, want)
	}
	if r.Pools[1].Active || r.Pools[1].Priority != 1 || r.Pools[2].Index != 2 || r.Pools[2].Status != "alive" {
		t.Errorf("pools 1, 2 = %+v %+v", r.Pools[1], r.Pools[2])
	}
}

// TestPollS21XPHydro replays a captured S21 XP Hyd. stats reply, with
// summary refused: the hash rate then comes from stats, the failure is
// listed, fans (placeholders on a hydro) are absent and power is
// estimated from the nameplate efficiency.
func TestPollS21XPHydro(t *testing.T) {
	target, _ := miner(t, map[string][]byte{
		"pools": fixture(t, "pools.json"),
		"stats": fixture(t, "s21_xp_hydro_rpc_stats_captured.json"),
	})
	target.Model = "Antminer S21 XP Hyd."
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 1 || !strings.HasPrefix(r.PollErrors[0], "summary: ") {
		t.Errorf("PollErrors = %q, want the refused summary", r.PollErrors)
	}
	if !near(r.HashRate, 483979.25e9) || !near(r.HashRateAvg, 487129.33e9) {
		t.Errorf("hash rate %v avg %v", r.HashRate, r.HashRateAvg)
	}
	if !near(r.IdealHashRate, 473000e9) || r.Uptime != 602534*time.Second {
		t.Errorf("ideal %v uptime %v", r.IdealHashRate, r.Uptime)
	}
	if !r.PowerEstimated || !near(r.Power, 483.97925*12.0) {
		t.Errorf("power %v estimated %v, want %v", r.Power, r.PowerEstimated, 483.97925*12.0)
	}
	if len(r.Fans) != 0 {
		t.Errorf("a hydro reported fans %+v", r.Fans)
	}
	if len(r.Boards) != 3 {
		t.Fatalf("%d boards", len(r.Boards))
	}
	rates := []float64{161794.68e9, 159226.52e9, 162958.05e9}
	for i, b := range r.Boards {
		if b.Chips != 160 || b.ExpectedChips != 160 || !near(b.HashRate, rates[i]) || !near(b.IdealHashRate, 473000e9/3) {
			t.Errorf("board %d = %+v", i, b)
		}
		if b.ChipTemp != 63 || b.FrequencyMHz != 495 {
			t.Errorf("board %d chip %v freq %v", i, b.ChipTemp, b.FrequencyMHz)
		}
	}
	b := r.Boards[0]
	if b.InletTemp != 38 || b.OutletTemp != 52 || b.BoardTemp != 52 || b.HardwareErrs != 21981 {
		t.Errorf("board 0 = %+v", b)
	}
	if len(r.Pools) != 3 {
		t.Errorf("pools lost: %d", len(r.Pools))
	}
}

// TestPollStockCGMinerSummary replays the §1.9 summary of stock cgminer,
// which reports MH/s.
func TestPollStockCGMinerSummary(t *testing.T) {
	summary := `{"STATUS":[{"STATUS":"S","When":1765004063,"Code":11,"Msg":"Summary","Description":"cgminer 4.11.1"}],` +
		`"SUMMARY":[{"Elapsed":133923,"MHS av":6564727.78,"MHS 5s":5443351.11,"MHS 1m":6649033.64,"MHS 5m":6306581.20,` +
		`"MHS 15m":6380441.60,"Found Blocks":0,"Accepted":2612,"Rejected":2,"Hardware Errors":0,"Device Hardware%":0.0000}],"id":1}`
	target, _ := miner(t, map[string][]byte{"summary": []byte(summary)})
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.HashRate, 5443351.11e6) || !near(r.HashRateAvg, 6564727.78e6) {
		t.Errorf("hash rate %v avg %v", r.HashRate, r.HashRateAvg)
	}
	if r.Accepted != 2612 || r.Rejected != 2 || r.Uptime != 133923*time.Second {
		t.Errorf("accepted %d rejected %d uptime %v", r.Accepted, r.Rejected, r.Uptime)
	}
	if len(r.PollErrors) != 2 || !hasPrefixIn(r.PollErrors, "pools: ") || !hasPrefixIn(r.PollErrors, "stats: ") {
		t.Errorf("PollErrors = %q", r.PollErrors)
	}
}

func TestPollPaddedStringHashRate(t *testing.T) {
	// S9-class bmminer prints GHS 5s into a padded string.
	summary := `{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"Elapsed":100,"GHS 5s":"  13512.3","GHS av":13498.21,"Accepted":5}],"id":1}`
	target, _ := miner(t, map[string][]byte{"summary": []byte(summary)})
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.HashRate, 13512.3e9) {
		t.Errorf("HashRate = %v", r.HashRate)
	}
}

func TestPollDeadBoardFailedChipsAndFan(t *testing.T) {
	acs := " ooo ooo oxo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo ooo xxo"
	stats := editStats(t, "stats.json", map[string]any{
		"chain_acn1": 108, "chain_acn2": 0, "chain_acn3": 108,
		"chain_rate2": "", "chain_acs2": "", "temp_chip2": "0-0-0-0", "temp_pcb2": "0-0-0-0",
		"temp2_2": 0, "temp2": 0, "chain_hw2": 0, "freq2": 0,
		"chain_acs3": acs,
		"fan3":       0,
	})
	target, _ := miner(t, map[string][]byte{"stats": stats})
	target.Model = "Antminer S21"
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 3 {
		t.Fatalf("%d boards, want 3 with the dead one", len(r.Boards))
	}
	dead := r.Boards[1]
	if dead.Index != 1 || dead.Chips != 0 || dead.ExpectedChips != 108 || dead.HashRate != 0 || dead.ChipTemp != 0 {
		t.Errorf("dead board = %+v", dead)
	}
	if r.Boards[2].FailedChips != 3 || r.Boards[0].FailedChips != 0 {
		t.Errorf("failed chips %d, %d", r.Boards[0].FailedChips, r.Boards[2].FailedChips)
	}
	if len(r.Fans) != 4 || r.Fans[2].RPM != 0 || r.Fans[3].RPM != 5040 {
		t.Errorf("a stopped fan must be reported: %+v", r.Fans)
	}
	if !r.PowerEstimated || !near(r.Power, 110566.89e9/1e12*17.5) {
		t.Errorf("power %v (hash rate %v)", r.Power, r.HashRate)
	}

	// Unknown model: no way to tell a dead board from an empty slot.
	target.Model = ""
	r, err = antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 2 || r.Boards[1].Chips != 108 || r.Boards[1].Index != 1 {
		t.Errorf("boards of an unknown model = %+v", r.Boards)
	}
}

func TestPollChainsStartingLate(t *testing.T) {
	// Some models number their chains from 6 (or 11); slots 1..5 are listed
	// empty.
	edit := map[string]any{}
	for n := 1; n <= 8; n++ {
		k := func(s string) string { return s + string(rune('0'+n)) }
		edit[k("chain_acn")], edit[k("chain_rate")], edit[k("temp_chip")] = 0, "", "0-0-0-0"
		edit[k("chain_acs")], edit[k("chain_hw")], edit[k("freq")], edit[k("temp_pcb")] = "", 0, 0, "0-0-0-0"
	}
	for _, n := range []string{"6", "7", "8"} {
		edit["chain_acn"+n], edit["chain_rate"+n] = 126, "30000.00"
		edit["temp_chip"+n], edit["temp_pcb"+n] = "70-60-65-66", "50-45-60-62"
	}
	edit["chain_acn7"], edit["chain_rate7"] = 0, "" // dead middle board
	target, _ := miner(t, map[string][]byte{"stats": editStats(t, "stats.json", edit)})
	target.Model = "Antminer S19j Pro"
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Boards) != 3 || r.Boards[0].Chips != 126 || r.Boards[1].Chips != 0 || r.Boards[2].Chips != 126 {
		t.Fatalf("boards = %+v", r.Boards)
	}
	if r.Boards[0].ChipTemp != 70 || r.Boards[0].InletTemp != 45 || r.Boards[0].OutletTemp != 62 {
		t.Errorf("board 0 = %+v", r.Boards[0])
	}
}

func TestPollUnreachable(t *testing.T) {
	target := hearth.Target{Address: "127.0.0.1", Port: closedPort(t)}
	start := time.Now()
	_, err := antminer.New().Poll(context.Background(), target)
	if hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestPollFanWindow(t *testing.T) {
	// Some firmwares list a field for every fan header; fan_num says how
	// many fans there are, from the first that turns.
	for _, tc := range []struct {
		name string
		edit map[string]any
		want []float64
	}{
		{"fans on headers 3 to 6", map[string]any{"fan1": 0, "fan2": 0, "fan3": 4000, "fan4": 4100, "fan5": 0, "fan6": 4300, "fan7": 0, "fan8": 0},
			[]float64{4000, 4100, 0, 4300}},
		{"fans on headers 1 to 4", map[string]any{"fan1": 6000, "fan2": 5880, "fan3": 0, "fan4": 5040, "fan5": 0, "fan6": 0},
			[]float64{6000, 5880, 0, 5040}},
		{"all stopped", map[string]any{"fan1": 0, "fan2": 0, "fan3": 0, "fan4": 0, "fan5": 0, "fan6": 0},
			[]float64{0, 0, 0, 0}},
		{"late window clamped to the last headers", map[string]any{"fan1": 0, "fan2": 0, "fan3": 0, "fan4": 0, "fan5": 0, "fan6": 3000},
			[]float64{0, 0, 0, 3000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := miner(t, map[string][]byte{"stats": editStats(t, "stats.json", tc.edit)})
			r, err := antminer.New().Poll(context.Background(), target)
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for _, f := range r.Fans {
				got = append(got, f.RPM)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("fans = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("fans = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// A reply cut short parses after the quirk repair, but everything after
// the cut would read as zero; such a command counts as failed, so that no
// counter seems reset and no board seems dead.
func TestPollCutShortReplyIsAFailedCommand(t *testing.T) {
	// On the wire bmminer sends STATUS first, then STATS; cut the STATS
	// section in the middle of the second chain.
	stats := fixture(t, "stats.json")
	i := bytes.Index(stats, []byte(`"STATUS":[`))
	status := stats[i : i+bytes.IndexByte(stats[i:], ']')+1]
	j := bytes.Index(stats, []byte(`"STATS":[`))
	cut := append([]byte("{"), status...)
	cut = append(append(cut, ','), stats[j:bytes.Index(stats, []byte(`"chain_acn2"`))]...)
	cut = append(cut, 0)
	target, _ := miner(t, map[string][]byte{
		"summary": fixture(t, "summary.json"),
		"pools":   fixture(t, "pools.json"),
		"stats":   cut,
	})
	target.Model = "Antminer S19j Pro"
	r, err := antminer.New().Poll(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.PollErrors) != 1 || !strings.HasPrefix(r.PollErrors[0], "stats: ") || !strings.Contains(r.PollErrors[0], "cut short") {
		t.Errorf("PollErrors = %q", r.PollErrors)
	}
	for _, b := range r.Boards {
		if b.Chips == 0 {
			t.Errorf("board %d reported dead from a cut-short reply", b.Index)
		}
	}
	if r.Accepted != 4057 || r.HashRate == 0 {
		t.Errorf("summary values lost: accepted %d, hash rate %v", r.Accepted, r.HashRate)
	}
}

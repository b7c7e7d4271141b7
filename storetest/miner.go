package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// SimMiner returns the i-th simulated miner as the simulator places it:
// 127.A.B.C, named sim-%05d.
func SimMiner(i int) *hearth.Miner {
	subnet := i / 254
	return &hearth.Miner{
		Address:  fmt.Sprintf("127.%d.%d.%d", 1+subnet/256, subnet%256, i%254+1),
		Family:   hearth.FamilyAntminer,
		Model:    "Antminer S21",
		Firmware: "bmminer 49.0.1.3",
		Hostname: fmt.Sprintf("sim-%05d", i),
	}
}

// MustCreateMiner adds m and fails the test when that fails.
func MustCreateMiner(tb testing.TB, s hearth.MinerService, m *hearth.Miner) *hearth.Miner {
	tb.Helper()
	if err := s.CreateMiner(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func testMinerService_CreateMiner(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s := open(t).Miners
		m := &hearth.Miner{
			ID:       "rack1-slot4",
			Address:  "10.0.1.4",
			Port:     4029,
			WebPort:  8080,
			APIPort:  50052,
			Family:   hearth.FamilyAntminer,
			Firmware: "bmminer 49.0.1.3",
			Model:    "Antminer S19j Pro",
			Serial:   "JYZZB3KBCJABC0123",
			MAC:      "02:11:22:a1:b2:c3",
			Hostname: "Antminer",
			Site:     "north-barn",
			Position: hearth.Position{Row: "B", Rack: "07", Shelf: "2", Slot: "4"},
			Tags:     []string{"immersion", "héat \"reuse\"", "[x]"},
		}
		if err := s.CreateMiner(ctx, m); err != nil {
			t.Fatal(err)
		} else if got, want := m.ID, "rack1-slot4"; got != want {
			t.Fatalf("ID=%q, want %q", got, want)
		} else if !m.CreatedAt.Equal(Now) || !m.UpdatedAt.Equal(Now) {
			t.Fatalf("CreatedAt=%v UpdatedAt=%v, want %v", m.CreatedAt, m.UpdatedAt, Now)
		}

		if got, err := s.FindMinerByID(ctx, m.ID); err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, m) {
			t.Fatalf("round trip:\n got  %#v\n want %#v", got, m)
		}
	})

	t.Run("NoTags", func(t *testing.T) {
		s := open(t).Miners
		m := MustCreateMiner(t, s, &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAxeOS, Tags: []string{}})
		if got, err := s.FindMinerByID(ctx, m.ID); err != nil {
			t.Fatal(err)
		} else if got.Tags != nil {
			t.Fatalf("Tags=%#v, want nil", got.Tags)
		}
	})

	t.Run("ErrConflictID", func(t *testing.T) {
		s := open(t).Miners
		MustCreateMiner(t, s, &hearth.Miner{ID: "a", Address: "10.0.0.1", Family: hearth.FamilyAxeOS})
		err := s.CreateMiner(ctx, &hearth.Miner{ID: "a", Address: "10.0.0.2", Family: hearth.FamilyAxeOS})
		if hearth.ErrorCode(err) != hearth.ECONFLICT {
			t.Fatalf("err=%v, want ECONFLICT", err)
		} else if msg := hearth.ErrorMessage(err); !strings.Contains(msg, `"a"`) {
			t.Fatalf("message %q does not name the ID", msg)
		}
	})

	t.Run("ErrConflictAddressPort", func(t *testing.T) {
		s := open(t).Miners
		MustCreateMiner(t, s, &hearth.Miner{Address: "miner.example", Port: 4028, Family: hearth.FamilyAntminer})
		// Host names ignore case.
		err := s.CreateMiner(ctx, &hearth.Miner{Address: "MINER.example", Port: 4028, Family: hearth.FamilyAntminer})
		if hearth.ErrorCode(err) != hearth.ECONFLICT {
			t.Fatalf("err=%v, want ECONFLICT", err)
		} else if msg := hearth.ErrorMessage(err); !strings.Contains(msg, "MINER.example:4028") {
			t.Fatalf("message %q does not name the address", msg)
		}
		// Another port on the same host is another machine.
		MustCreateMiner(t, s, &hearth.Miner{Address: "miner.example", Port: 4029, Family: hearth.FamilyAntminer})
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		s := open(t).Miners
		for name, m := range map[string]*hearth.Miner{
			"Nil":             nil,
			"NoAddress":       {Family: hearth.FamilyAxeOS},
			"NoFamily":        {Address: "10.0.0.1"},
			"PortTooLarge":    {Address: "10.0.0.1", Family: hearth.FamilyAxeOS, Port: 65536},
			"NegativePort":    {Address: "10.0.0.1", Family: hearth.FamilyAxeOS, WebPort: -1},
			"NegativeAPIPort": {Address: "10.0.0.1", Family: hearth.FamilyWhatsminer, APIPort: -1},
			"IDWithSlash":     {ID: "a/b", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			"IDWithSpace":     {ID: "a b", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			"IDDotDot":        {ID: "..", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			"IDTooLong":       {ID: strings.Repeat("a", 64), Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			"IDNonASCII":      {ID: "mïner", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			"IDPercentSign":   {ID: "a%2F", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
		} {
			t.Run(name, func(t *testing.T) {
				if err := s.CreateMiner(ctx, m); hearth.ErrorCode(err) != hearth.EINVALID {
					t.Fatalf("err=%v, want EINVALID", err)
				}
			})
		}
		if _, n, err := s.FindMiners(ctx, hearth.MinerFilter{}); err != nil {
			t.Fatal(err)
		} else if n != 0 {
			t.Fatalf("%d invalid miners stored", n)
		}
	})
}

func testMinerService_CreateMiner_DerivedID(t *testing.T, open Opener) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		existing []*hearth.Miner
		miner    *hearth.Miner
		want     string
	}{
		{
			name:  "Hostname",
			miner: &hearth.Miner{Address: "127.1.0.43", Family: hearth.FamilyAntminer, Hostname: "sim-00042"},
			want:  "sim-00042",
		},
		{
			name:  "HostnameSanitized",
			miner: &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAxeOS, Hostname: "  Bitaxe_Gamma..Kitchen (2) "},
			want:  "bitaxe-gamma-kitchen-2",
		},
		{
			name:  "HostnameTruncated",
			miner: &hearth.Miner{Address: "10.0.0.1", Family: hearth.FamilyAxeOS, Hostname: strings.Repeat("ab", 31) + "-cd"},
			want:  strings.Repeat("ab", 31),
		},
		{
			name:     "HostnameTakenUsesMAC",
			existing: []*hearth.Miner{{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "Antminer"}},
			miner:    &hearth.Miner{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Hostname: "Antminer", MAC: "02:11:22:A1:B2:C3"},
			want:     "antminer-a1b2c3",
		},
		{
			name:     "HostnameTakenNoMACUsesAddress",
			existing: []*hearth.Miner{{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "antminer"}},
			miner:    &hearth.Miner{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Hostname: "antminer"},
			want:     "m-10-0-0-2",
		},
		{
			name: "HostnameAndMACTakenUsesAddress",
			existing: []*hearth.Miner{
				{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "antminer"},
				{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Hostname: "antminer", MAC: "a1b2c3"},
			},
			miner: &hearth.Miner{Address: "10.0.0.3", Family: hearth.FamilyAntminer, Hostname: "antminer", MAC: "ff:a1:b2:c3"},
			want:  "m-10-0-0-3",
		},
		{
			name:  "NoHostname",
			miner: &hearth.Miner{Address: "192.168.7.20", Family: hearth.FamilyAxeOS},
			want:  "m-192-168-7-20",
		},
		{
			name:  "HostnameWithoutUsableCharacters",
			miner: &hearth.Miner{Address: "192.168.7.20", Family: hearth.FamilyAxeOS, Hostname: "___"},
			want:  "m-192-168-7-20",
		},
		{
			name:  "NonDefaultPort",
			miner: &hearth.Miner{Address: "127.0.0.1", Port: 40001, Family: hearth.FamilyAntminer},
			want:  "m-127-0-0-1-40001",
		},
		{
			name:  "IPv6",
			miner: &hearth.Miner{Address: "fe80::1:AB", Family: hearth.FamilyAxeOS},
			want:  "m-fe80-1-ab",
		},
		{
			name: "AllTakenNumericSuffix",
			existing: []*hearth.Miner{
				{ID: "m-10-0-0-9", Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
				{ID: "m-10-0-0-9-2", Address: "10.0.0.2", Family: hearth.FamilyAxeOS},
			},
			miner: &hearth.Miner{Address: "10.0.0.9", Family: hearth.FamilyAxeOS},
			want:  "m-10-0-0-9-3",
		},
		{
			name: "SuffixKeepsLengthLimit",
			existing: []*hearth.Miner{
				{ID: "m-" + strings.Repeat("a", 61), Address: "10.0.0.1", Family: hearth.FamilyAxeOS},
			},
			miner: &hearth.Miner{Address: strings.Repeat("a", 70), Family: hearth.FamilyAxeOS},
			want:  "m-" + strings.Repeat("a", 59) + "-2",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t).Miners
			for _, m := range tt.existing {
				MustCreateMiner(t, s, m)
			}
			if err := s.CreateMiner(ctx, tt.miner); err != nil {
				t.Fatal(err)
			} else if tt.miner.ID != tt.want {
				t.Fatalf("ID=%q, want %q", tt.miner.ID, tt.want)
			}
			if _, err := s.FindMinerByID(ctx, tt.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func testMinerService_FindMiners(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t).Miners
	// Twelve miners: even ones at site "a", odd at "b"; every third is a
	// Bitaxe. Created out of order to check the ordering by ID.
	for _, i := range []int{7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 4, 6} {
		m := SimMiner(i)
		m.Site = map[bool]string{true: "a", false: "b"}[i%2 == 0]
		if i%3 == 0 {
			m.Family = hearth.FamilyAxeOS
		}
		MustCreateMiner(t, s, m)
	}

	ids := func(ms []*hearth.Miner) string {
		var out []string
		for _, m := range ms {
			out = append(out, strings.TrimPrefix(m.ID, "sim-000"))
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		name   string
		filter hearth.MinerFilter
		want   string
		total  int
	}{
		{"All", hearth.MinerFilter{}, "00,01,02,03,04,05,06,07,08,09,10,11", 12},
		{"Site", hearth.MinerFilter{Site: "a"}, "00,02,04,06,08,10", 6},
		{"Family", hearth.MinerFilter{Family: hearth.FamilyAxeOS}, "00,03,06,09", 4},
		{"SiteAndFamily", hearth.MinerFilter{Site: "b", Family: hearth.FamilyAxeOS}, "03,09", 2},
		{"IDs", hearth.MinerFilter{IDs: []string{"sim-00005", "sim-00001", "nope"}}, "01,05", 2},
		{"IDsAndSite", hearth.MinerFilter{IDs: []string{"sim-00005", "sim-00004"}, Site: "a"}, "04", 1},
		{"Limit", hearth.MinerFilter{Limit: 3}, "00,01,02", 12},
		{"LimitOffset", hearth.MinerFilter{Limit: 3, Offset: 9}, "09,10,11", 12},
		{"OffsetOnly", hearth.MinerFilter{Offset: 10}, "10,11", 12},
		{"OffsetBeyond", hearth.MinerFilter{Offset: 50}, "", 12},
		{"SiteLimitOffset", hearth.MinerFilter{Site: "a", Limit: 2, Offset: 2}, "04,06", 6},
		{"NoMatch", hearth.MinerFilter{Site: "nowhere"}, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms, n, err := s.FindMiners(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			} else if got := ids(ms); got != tt.want {
				t.Fatalf("miners=%s, want %s", got, tt.want)
			} else if n != tt.total {
				t.Fatalf("total=%d, want %d", n, tt.total)
			} else if ms == nil {
				t.Fatal("miners=nil, want an empty slice")
			}
		})
	}

	t.Run("ManyIDs", func(t *testing.T) {
		// More IDs than SQLite allows variables in one statement.
		var want []string
		for i := range 40000 {
			want = append(want, fmt.Sprintf("x-%d", i))
		}
		want = append(want, "sim-00003")
		if ms, n, err := s.FindMiners(ctx, hearth.MinerFilter{IDs: want}); err != nil {
			t.Fatal(err)
		} else if n != 1 || len(ms) != 1 || ms[0].ID != "sim-00003" {
			t.Fatalf("got %d miners (total %d), want sim-00003", len(ms), n)
		}
	})

	t.Run("ErrNegative", func(t *testing.T) {
		for _, f := range []hearth.MinerFilter{{Limit: -1}, {Offset: -1}} {
			if _, _, err := s.FindMiners(ctx, f); hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("%+v: err=%v, want EINVALID", f, err)
			}
		}
	})
}

func testMinerService_FindMinerByID(t *testing.T, open Opener) {
	s := open(t).Miners
	if _, err := s.FindMinerByID(context.Background(), "missing"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("err=%v, want ENOTFOUND", err)
	}
}

func testMinerService_UpdateMiner(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		st := open(t)
		s := st.Miners
		m := MustCreateMiner(t, s, SimMiner(0))

		later := Now.Add(90 * time.Second)
		st.SetNow(func() time.Time { return later })
		upd := &hearth.Miner{
			ID: m.ID, Address: "127.9.9.9", Port: 4030, WebPort: 8080, APIPort: 4434,
			Family: hearth.FamilyAntminer, Firmware: "bmminer 49.0.2.0", Model: "Antminer S21 XP",
			Serial: "S1", MAC: "aa:bb:cc:dd:ee:ff", Hostname: "renamed", Site: "east", Tags: []string{"hydro"},
			CreatedAt: time.Unix(0, 0), // ignored
		}
		if err := s.UpdateMiner(ctx, upd); err != nil {
			t.Fatal(err)
		} else if !upd.CreatedAt.Equal(Now) || !upd.UpdatedAt.Equal(later) {
			t.Fatalf("CreatedAt=%v UpdatedAt=%v, want %v and %v", upd.CreatedAt, upd.UpdatedAt, Now, later)
		}
		if got, err := s.FindMinerByID(ctx, m.ID); err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, upd) {
			t.Fatalf("after update:\n got  %#v\n want %#v", got, upd)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		s := open(t).Miners
		err := s.UpdateMiner(ctx, &hearth.Miner{ID: "ghost", Address: "10.0.0.1", Family: hearth.FamilyAxeOS})
		if hearth.ErrorCode(err) != hearth.ENOTFOUND {
			t.Fatalf("err=%v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		s := open(t).Miners
		a := MustCreateMiner(t, s, SimMiner(0))
		b := MustCreateMiner(t, s, SimMiner(1))
		b.Address = a.Address
		if err := s.UpdateMiner(ctx, b); hearth.ErrorCode(err) != hearth.ECONFLICT {
			t.Fatalf("err=%v, want ECONFLICT", err)
		}
		if got, err := s.FindMinerByID(ctx, b.ID); err != nil {
			t.Fatal(err)
		} else if got.Address != SimMiner(1).Address {
			t.Fatalf("Address=%s after a refused update, want %s", got.Address, SimMiner(1).Address)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		s := open(t).Miners
		m := MustCreateMiner(t, s, SimMiner(0))
		m.Family = ""
		if err := s.UpdateMiner(ctx, m); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		}
	})
}

func testMinerService_DeleteMiner(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t).Miners
	m := MustCreateMiner(t, s, SimMiner(0))
	keep := MustCreateMiner(t, s, SimMiner(1))

	if err := s.DeleteMiner(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindMinerByID(ctx, m.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("find after delete: err=%v, want ENOTFOUND", err)
	}
	if err := s.DeleteMiner(ctx, m.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("second delete: err=%v, want ENOTFOUND", err)
	}
	if _, err := s.FindMinerByID(ctx, keep.ID); err != nil {
		t.Fatalf("other miner: %v", err)
	}
	// The address is free again.
	MustCreateMiner(t, s, SimMiner(0))
}

func testMinerService_CreateMiners(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("TwentyThousand", func(t *testing.T) {
		s := open(t).Miners
		ms := make([]*hearth.Miner, 20000)
		for i := range ms {
			ms[i] = SimMiner(i)
		}
		if err := s.CreateMiners(ctx, ms); err != nil {
			t.Fatal(err)
		}
		for _, i := range []int{0, 253, 254, 19999} {
			if got, want := ms[i].ID, fmt.Sprintf("sim-%05d", i); got != want {
				t.Fatalf("miner %d: ID=%q, want %q", i, got, want)
			}
		}
		if ms, n, err := s.FindMiners(ctx, hearth.MinerFilter{Limit: 10, Offset: 19995}); err != nil {
			t.Fatal(err)
		} else if n != 20000 || len(ms) != 5 || ms[4].ID != "sim-19999" || ms[4].Address != "127.1.78.188" {
			t.Fatalf("total=%d, page=%d, last=%+v", n, len(ms), ms[len(ms)-1])
		}
	})

	t.Run("SameHostnameInBatch", func(t *testing.T) {
		// Stock Antminers all call themselves "Antminer": IDs chosen
		// within one batch must see each other.
		s := open(t).Miners
		ms := []*hearth.Miner{
			{Address: "10.0.0.1", Family: hearth.FamilyAntminer, Hostname: "Antminer", MAC: "00:00:00:00:00:01"},
			{Address: "10.0.0.2", Family: hearth.FamilyAntminer, Hostname: "Antminer", MAC: "00:00:00:00:00:02"},
			{Address: "10.0.0.3", Family: hearth.FamilyAntminer, Hostname: "Antminer"},
		}
		if err := s.CreateMiners(ctx, ms); err != nil {
			t.Fatal(err)
		}
		got := []string{ms[0].ID, ms[1].ID, ms[2].ID}
		if want := []string{"antminer", "antminer-000002", "m-10-0-0-3"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("IDs=%v, want %v", got, want)
		}
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		s := open(t).Miners
		ms := []*hearth.Miner{SimMiner(0), SimMiner(1), SimMiner(2), SimMiner(1)}
		ms[3].Hostname = "dup"
		err := s.CreateMiners(ctx, ms)
		if hearth.ErrorCode(err) != hearth.ECONFLICT {
			t.Fatalf("err=%v, want ECONFLICT", err)
		} else if msg := hearth.ErrorMessage(err); !strings.HasPrefix(msg, "Miner 4: ") {
			t.Fatalf("message %q does not name miner 4", msg)
		}
		if _, n, err := s.FindMiners(ctx, hearth.MinerFilter{}); err != nil {
			t.Fatal(err)
		} else if n != 0 {
			t.Fatalf("%d miners stored from a failed batch", n)
		}
		for i, m := range ms {
			if m.ID != "" || !m.CreatedAt.IsZero() {
				t.Fatalf("miner %d changed by a failed batch: %+v", i, m)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		s := open(t).Miners
		err := s.CreateMiners(ctx, []*hearth.Miner{SimMiner(0), {Address: "10.0.0.1"}})
		if hearth.ErrorCode(err) != hearth.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		} else if msg := hearth.ErrorMessage(err); !strings.HasPrefix(msg, "Miner 2: ") {
			t.Fatalf("message %q does not name miner 2", msg)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := open(t).Miners
		if err := s.CreateMiners(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// testMinerService_Concurrent checks that concurrent writers and readers
// all succeed: no SQLITE_BUSY, no clash of IDs chosen at once.
func testMinerService_Concurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t).Miners
	const writers, each = 8, 40
	errs := make(chan error, 2*writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := s.CreateMiner(ctx, SimMiner(w*each+i)); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range each {
				if _, _, err := s.FindMiners(ctx, hearth.MinerFilter{Limit: 10}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, n, err := s.FindMiners(ctx, hearth.MinerFilter{}); err != nil {
		t.Fatal(err)
	} else if n != writers*each {
		t.Fatalf("total=%d, want %d", n, writers*each)
	}
}

package csvpos_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/csvpos"
)

func ptr(s string) *string { return &s }

func TestParse(t *testing.T) {
	t.Run("AnyOrderAndCase", func(t *testing.T) {
		in := "\xef\xbb\xbfSlot, Rack ,#notes,MAC,row\r\n4,07,under the fan,02:11:22:a1:b2:c3,B\r\n\r\n,,,sim-00001,\r\n"
		got, err := csvpos.Parse(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		want := []*hearth.PositionAssignment{
			{Line: 2, Miner: "02:11:22:a1:b2:c3", Row: ptr("B"), Rack: ptr("07"), Slot: ptr("4")},
			{Line: 4, Miner: "sim-00001", Row: ptr(""), Rack: ptr(""), Slot: ptr("")},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %s, want %s", dump(got), dump(want))
		}
	})

	t.Run("Semicolons", func(t *testing.T) {
		got, err := csvpos.Parse(strings.NewReader("miner;site;shelf\nsim-00000;north barn;2\n"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || *got[0].Site != "north barn" || *got[0].Shelf != "2" || got[0].Row != nil {
			t.Fatalf("got %s", dump(got))
		}
	})

	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct{ name, in, want string }{
			{"Empty", "", "The positions file is empty"},
			{"NoMinerColumn", "site,row\nx,1\n", "Line 1: no column names the miner"},
			{"UnknownColumn", "miner,rak\nx,1\n", `Line 1, column 2: unknown column "rak"`},
			{"TwoMinerColumns", "id,mac\nx,y\n", `Line 1, column 2: column "mac" repeats column 1`},
			{"FieldCount", "miner,row\na,1\nb\n", "Line 3 has 1 fields, but the header has 2."},
			{"EmptyMiner", "row,miner\n1,\n", "Line 2, column 2 (miner): no miner named."},
			{"LongSlot", "miner,slot\na," + strings.Repeat("9", 33) + "\n", "Line 2, column 2 (slot): "},
			{"BadSite", "miner,site\na,x/y\n", "Line 2, column 2 (site): Site name"},
			{"BadQuote", "miner,row\na,\"1\n", "Line 2, column "},
			{"StrayQuote", "miner,row\na,1\"x\n", "Line 2, column 4: bare \" in non-quoted-field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := csvpos.Parse(strings.NewReader(tc.in))
				if hearth.ErrorCode(err) != hearth.EINVALID || !strings.HasPrefix(hearth.ErrorMessage(err), tc.want) {
					t.Fatalf("err=%v, want invalid starting %q", err, tc.want)
				}
			})
		}
	})
}

// An export parses back to the same placements, quoting and all.
func TestWriteParseRoundTrip(t *testing.T) {
	ms := []*hearth.Miner{
		{ID: "sim-00000", Site: "north, \"old\" barn", Position: hearth.Position{Row: "A", Rack: "07", Shelf: "2", Slot: "4"}},
		{ID: "sim-00001"},
		{ID: "sim-00002", Site: "shed", Position: hearth.Position{Slot: "héat"}},
	}
	var buf bytes.Buffer
	if err := csvpos.Write(&buf, ms); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(buf.String(), "\n"); first != "miner,site,row,rack,shelf,slot" {
		t.Fatalf("header %q", first)
	}
	got, err := csvpos.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Fatalf("%d lines back", len(got))
	}
	for i, a := range got {
		site, pos := a.Apply("unchanged", hearth.Position{Row: "unchanged"})
		if a.Miner != ms[i].ID || site != ms[i].Site || pos != ms[i].Position || a.Line != i+2 {
			t.Errorf("line %d: %s → %q %+v", a.Line, a.Miner, site, pos)
		}
	}
}

func dump(as []*hearth.PositionAssignment) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString("\n  {" + a.Miner)
		for _, f := range []struct {
			n string
			v *string
		}{{"site", a.Site}, {"row", a.Row}, {"rack", a.Rack}, {"shelf", a.Shelf}, {"slot", a.Slot}} {
			if f.v != nil {
				b.WriteString(" " + f.n + "=" + *f.v)
			}
		}
		b.WriteString("}")
	}
	return b.String()
}

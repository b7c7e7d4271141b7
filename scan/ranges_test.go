package scan_test

import (
	"slices"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/scan"
)

func addrs(t *testing.T, s string) []string {
	t.Helper()
	r, err := scan.ParseRange(s)
	if err != nil {
		t.Fatalf("ParseRange(%q): %v", s, err)
	}
	var out []string
	for a := range r.All() {
		out = append(out, a.String())
	}
	return out
}

func TestParseRange(t *testing.T) {
	t.Run("CIDRSkipsNetworkAndBroadcast", func(t *testing.T) {
		got := addrs(t, "127.1.0.0/24")
		if len(got) != 254 || got[0] != "127.1.0.1" || got[253] != "127.1.0.254" {
			t.Fatalf("got %d addresses from %v to %v", len(got), got[0], got[len(got)-1])
		}
	})
	t.Run("SlashThirtyTwo", func(t *testing.T) {
		if got := addrs(t, "10.0.0.7/32"); !slices.Equal(got, []string{"10.0.0.7"}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("DashRange", func(t *testing.T) {
		got := addrs(t, "10.0.0.250-10.0.1.2")
		want := []string{"10.0.0.250", "10.0.0.251", "10.0.0.252", "10.0.0.253", "10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1", "10.0.1.2"}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("ShortDashRange", func(t *testing.T) {
		if got := addrs(t, "10.0.0.1-3"); !slices.Equal(got, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("Single", func(t *testing.T) {
		if got := addrs(t, "192.168.1.20"); !slices.Equal(got, []string{"192.168.1.20"}) {
			t.Fatalf("got %v", got)
		}
	})
	for _, bad := range []string{"", "10.0.0.0/33", "10.0.0.300", "10.0.0.9-10.0.0.1", "10.0.0.1-::1", "banana", "10.0.0.0/"} {
		t.Run("Invalid/"+bad, func(t *testing.T) {
			_, err := scan.ParseRange(bad)
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("ParseRange(%q) = %v, want an EINVALID error", bad, err)
			}
			if hearth.ErrorMessage(err) == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestParseRangesTooLarge(t *testing.T) {
	if _, err := scan.ParseRanges([]string{"10.0.0.0/8"}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Fatalf("a /8 was accepted: %v", err)
	}
	rs, err := scan.ParseRanges([]string{"10.0.0.0/24,10.0.1.5", "10.0.2.1-10.0.2.3"})
	if err != nil || len(rs) != 3 {
		t.Fatalf("got %v, %v", rs, err)
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"127.1.0.0/24", "10.0.0.1-10.0.0.254", "10.0.0.1-254", "::1", "fe80::/120", "1.2.3.4", "0.0.0.0/0", "a-b", "1.2.3.4-1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := scan.ParseRange(s)
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("error without EINVALID code: %v", err)
			}
			return
		}
		if r.Last.Less(r.First) {
			t.Fatalf("range %v ends before it starts", r)
		}
		if r.Size() == 0 {
			t.Fatalf("range %v is empty", r)
		}
	})
}

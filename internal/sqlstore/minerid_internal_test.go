package sqlstore

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// derivedIDShape is the form of every ID hearth chooses itself.
var derivedIDShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// FuzzDeriveMinerID feeds identities as a miner might report them (any
// hostname, any MAC, any address) and checks that every ID derived is well
// formed, at most 63 bytes, and new, however many earlier choices are taken.
// It runs the derivation against a set instead of a database, so that the
// fuzzer can try many inputs a second.
func FuzzDeriveMinerID(f *testing.F) {
	f.Add("sim-00042", "02:11:22:a1:b2:c3", "127.1.0.43", uint16(0))
	f.Add("Antminer", "", "10.0.0.1", uint16(4028))
	f.Add("bitaxe", "AA-BB-CC-DD-EE-FF", "fe80::1", uint16(80))
	f.Add("  Ünïcödé_host.local ", "zz", "miner.example", uint16(65535))
	f.Add(strings.Repeat("x", 100), strings.Repeat("f", 40), strings.Repeat("1.", 50), uint16(1))
	f.Add("---", "-", "...", uint16(0))

	f.Fuzz(func(t *testing.T, hostname, mac, address string, port uint16) {
		m := &hearth.Miner{Address: address, Port: int(port), Family: hearth.FamilyAxeOS, Hostname: hostname, MAC: mac}
		if m.Validate() != nil {
			return
		}
		used := map[string]bool{}
		taken := func(_ context.Context, id string) (bool, error) { return used[id], nil }
		// Each round takes the previous answer, walking through the
		// hostname, hostname-MAC, address and suffixed forms.
		for round := range 6 {
			id, err := DeriveMinerID(context.Background(), m, taken)
			if err != nil {
				t.Fatal(err)
			}
			if len(id) > MaxIDLen || !derivedIDShape.MatchString(id) || !ValidID(id) {
				t.Fatalf("round %d: derived ID %q is malformed", round, id)
			}
			if used[id] {
				t.Fatalf("round %d: derived ID %q is taken", round, id)
			}
			used[id] = true
		}
	})
}

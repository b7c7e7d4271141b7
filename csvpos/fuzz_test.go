package csvpos_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/csvpos"
)

// FuzzParse feeds the parser arbitrary bytes: it must never panic, every
// error must be EINVALID with a message, and whatever it accepts must
// survive an export and a second parse unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"miner,site,row,rack,shelf,slot\nsim-00000,north-barn,A,07,2,4\nsim-00001,,,,,\n",
		"\xef\xbb\xbfMAC;Slot\n02:11:22:a1:b2:c3;4\n",
		"serial,#note,rack\nJYZZB3KBCJABC0123,\"quoted, note\",12\n",
		"address,site\n127.1.0.1,\"north \"\"old\"\" barn\"\n",
		"miner,row\na,\"1\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := csvpos.Parse(bytes.NewReader(data))
		if err != nil {
			if hearth.ErrorCode(err) != hearth.EINVALID || hearth.ErrorMessage(err) == "" {
				t.Fatalf("error %v is not a user-facing invalid error", err)
			}
			return
		}
		ms := make([]*hearth.Miner, len(as))
		for i, a := range as {
			if a.Miner == "" || a.Line < 2 {
				t.Fatalf("accepted assignment %+v", a)
			}
			m := &hearth.Miner{ID: a.Miner}
			m.Site, m.Position = a.Apply("", hearth.Position{})
			ms[i] = m
		}
		var buf bytes.Buffer
		if err := csvpos.Write(&buf, ms); err != nil {
			t.Fatal(err)
		}
		back, err := csvpos.Parse(&buf)
		if err != nil {
			t.Fatalf("export of accepted input does not parse: %v\n%s", err, buf.String())
		}
		if len(back) != len(ms) {
			t.Fatalf("%d lines back, want %d", len(back), len(ms))
		}
		for i, b := range back {
			site, pos := b.Apply("", hearth.Position{})
			if b.Miner != ms[i].ID || site != ms[i].Site || pos != ms[i].Position {
				t.Fatalf("line %d: %q %q %+v, want %+v", i, b.Miner, site, pos, ms[i])
			}
			if strings.TrimSpace(b.Miner) != b.Miner {
				t.Fatalf("untrimmed miner %q", b.Miner)
			}
		}
	})
}

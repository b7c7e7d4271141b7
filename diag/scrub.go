package diag

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Redacted replaces a secret found in a part.
const Redacted = "[redacted]"

// minSecretLen is the shortest secret struck out of free text. Shorter
// "passwords" are the pool conventions "x" or "1", which are no secret,
// and striking every "x" would make a log unreadable.
const minSecretLen = 4

// scrubber strikes known secrets out of the parts. The parts hearth
// writes itself leave secrets out by construction; the scrubber is the
// second line, for what the miner wrote (its log could echo a password)
// and for error messages that quote a request.
type scrubber struct {
	secrets [][]byte
}

func newScrubber() *scrubber { return &scrubber{} }

// add records secret, in its raw form and as it appears inside a JSON
// string, when it is long enough to be one.
func (s *scrubber) add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	forms := [][]byte{[]byte(secret)}
	if q, err := json.Marshal(secret); err == nil {
		forms = append(forms, q[1:len(q)-1])
	}
	for _, f := range forms {
		if !slices.ContainsFunc(s.secrets, func(o []byte) bool { return bytes.Equal(o, f) }) {
			s.secrets = append(s.secrets, f)
		}
	}
}

// apply returns b with every known secret replaced by Redacted.
func (s *scrubber) apply(b []byte) []byte {
	if s == nil {
		return b
	}
	for _, secret := range s.secrets {
		if bytes.Contains(b, secret) {
			b = bytes.ReplaceAll(b, secret, []byte(Redacted))
		}
	}
	return b
}

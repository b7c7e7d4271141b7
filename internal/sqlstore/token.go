package sqlstore

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
)

const (
	// tokenSecretPrefix marks a hearth secret, so that a user, a log
	// scrubber or a secret scanner can recognise one.
	tokenSecretPrefix = "hth_"
	// tokenSecretBytes is the randomness in a secret: 256 bits, beyond any
	// guessing, which is why one unsalted SHA-256 suffices to store it.
	tokenSecretBytes = 32
	// tokenPrefixLen is how much of a secret is kept in the clear for
	// display (hearth.Token.Prefix).
	tokenPrefixLen = 8
	// maxTokenNameLen bounds a token's name, in characters.
	maxTokenNameLen = 100
	// TokenTouchInterval is how stale last_used_at may be. Updating it on
	// every request would turn each API read into a disk write.
	TokenTouchInterval = time.Minute
	// AdminTokenName names the token EnsureAdminToken makes.
	AdminTokenName = "admin"
)

// secretEncoding writes a secret's random bytes in lower-case base32: no
// characters that a terminal's double-click selection or a shell would
// split on, and none that look alike in case.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// secretLen is the length of every secret hearth makes.
var secretLen = len(tokenSecretPrefix) + secretEncoding.EncodedLen(tokenSecretBytes)

// TokenName trims name and returns it, or EINVALID when it is empty or
// longer than 100 characters.
func TokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", hearth.Errorf(hearth.EINVALID, "Token name required.")
	}
	if utf8.RuneCountInString(name) > maxTokenNameLen {
		return "", hearth.Errorf(hearth.EINVALID, "Token name must be at most %d characters.", maxTokenNameLen)
	}
	return name, nil
}

// NewTokenSecret makes a fresh secret and returns it with the part shown
// in the clear and the SHA-256 that is all a store keeps.
func NewTokenSecret() (secret, prefix string, hash [sha256.Size]byte, err error) {
	raw := make([]byte, tokenSecretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", hash, fmt.Errorf("generate token secret: %w", err)
	}
	secret = tokenSecretPrefix + secretEncoding.EncodeToString(raw)
	return secret, secret[:tokenPrefixLen], sha256.Sum256([]byte(secret)), nil
}

// TokenHash returns the SHA-256 under which secret's token is stored, and
// false when secret cannot be one hearth made, so that a store refuses it
// without a query.
func TokenHash(secret string) ([sha256.Size]byte, bool) {
	if len(secret) != secretLen || !strings.HasPrefix(secret, tokenSecretPrefix) {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(secret)), true
}

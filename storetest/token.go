package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// secretShape is the form of every secret: a marker and 256 bits in base32.
var secretShape = regexp.MustCompile(`^hth_[a-z2-7]{52}$`)

func testTokenService_CreateToken(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		st := open(t)
		s := st.Tokens
		tok, secret, err := s.CreateToken(ctx, " grafana ")
		if err != nil {
			t.Fatal(err)
		}
		if !secretShape.MatchString(secret) {
			t.Fatalf("secret %q is not of the form hth_<52 base32>", secret)
		}
		want := &hearth.Token{ID: 1, Name: "grafana", Prefix: secret[:8], CreatedAt: Now}
		if !reflect.DeepEqual(tok, want) {
			t.Fatalf("token=%+v, want %+v", tok, want)
		}

		// What is on disk is the SHA-256 of the secret, and nothing
		// of the secret beyond the prefix.
		var hash []byte
		st.QueryRow(t, `SELECT hash FROM tokens WHERE id = 1`, &hash)
		if sum := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, sum[:]) {
			t.Fatalf("stored hash %x, want SHA-256 of the secret", hash)
		}
		var clear string
		st.QueryRow(t, `SELECT name || prefix FROM tokens WHERE id = 1`, &clear)
		if strings.Contains(clear, secret[8:16]) {
			t.Fatal("the secret is stored in the clear")
		}

		_, other, err := s.CreateToken(ctx, "grafana")
		if err != nil {
			t.Fatal(err)
		} else if other == secret {
			t.Fatal("two tokens got the same secret")
		}
	})

	t.Run("ErrInvalidName", func(t *testing.T) {
		s := open(t).Tokens
		for _, name := range []string{"", "   ", strings.Repeat("é", 101)} {
			if _, _, err := s.CreateToken(ctx, name); hearth.ErrorCode(err) != hearth.EINVALID {
				t.Fatalf("name %q: err=%v, want EINVALID", name, err)
			}
		}
		if _, _, err := s.CreateToken(ctx, strings.Repeat("é", 100)); err != nil {
			t.Fatalf("100-character name: %v", err)
		}
	})
}

func testTokenService_Authenticate(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s := open(t).Tokens
		tok, secret, err := s.CreateToken(ctx, "ci")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		} else if got.ID != tok.ID || got.Name != "ci" || got.Prefix != tok.Prefix {
			t.Fatalf("Authenticate=%+v, want %+v", got, tok)
		}
	})

	t.Run("ErrUnauthorized", func(t *testing.T) {
		s := open(t).Tokens
		_, secret, err := s.CreateToken(ctx, "ci")
		if err != nil {
			t.Fatal(err)
		}
		last := secret[len(secret)-1]
		flipped := secret[:len(secret)-1] + map[bool]string{true: "b", false: "a"}[last == 'a']
		for name, guess := range map[string]string{
			"Empty":       "",
			"PrefixOnly":  secret[:8],
			"LastChanged": flipped,
			"Longer":      secret + "a",
			"UpperCase":   strings.ToUpper(secret),
			"Garbage":     strings.Repeat("\x00", len(secret)),
		} {
			t.Run(name, func(t *testing.T) {
				if tok, err := s.Authenticate(ctx, guess); hearth.ErrorCode(err) != hearth.EUNAUTHORIZED {
					t.Fatalf("token=%v err=%v, want EUNAUTHORIZED", tok, err)
				}
			})
		}
	})

	t.Run("LastUsedAtOncePerMinute", func(t *testing.T) {
		st := open(t)
		now := Now
		st.SetNow(func() time.Time { return now })
		s := st.Tokens
		_, secret, err := s.CreateToken(ctx, "ci")
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			toks, err := s.FindTokens(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return toks[0].LastUsedAt
		}
		if got := lastUsed(); !got.IsZero() {
			t.Fatalf("LastUsedAt=%v before any use, want zero", got)
		}

		for _, step := range []struct {
			advance time.Duration
			want    time.Time
		}{
			{0, Now},                                      // first use is recorded
			{30 * time.Second, Now},                       // within the minute: no write
			{29 * time.Second, Now},                       // still within it
			{1 * time.Second, Now.Add(time.Minute)},       // a minute on: recorded
			{10 * time.Minute, Now.Add(11 * time.Minute)}, // after a quiet spell
		} {
			now = now.Add(step.advance)
			tok, err := s.Authenticate(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.LastUsedAt.Equal(step.want) {
				t.Fatalf("at %v: returned LastUsedAt=%v, want %v", now, tok.LastUsedAt, step.want)
			}
			if got := lastUsed(); !got.Equal(step.want) {
				t.Fatalf("at %v: stored LastUsedAt=%v, want %v", now, got, step.want)
			}
		}
	})
}

func testTokenService_FindTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t).Tokens
	if toks, err := s.FindTokens(ctx); err != nil {
		t.Fatal(err)
	} else if toks == nil || len(toks) != 0 {
		t.Fatalf("tokens=%v, want an empty slice", toks)
	}
	var want []*hearth.Token
	for _, name := range []string{"b", "a", "c"} {
		tok, _, err := s.CreateToken(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, tok)
	}
	if got, err := s.FindTokens(ctx); err != nil {
		t.Fatal(err)
	} else if !reflect.DeepEqual(got, want) {
		t.Fatalf("tokens=%+v, want %+v (oldest first)", got, want)
	}
}

func testTokenService_DeleteToken(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t).Tokens
	_, keep, err := s.CreateToken(ctx, "keep")
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := s.CreateToken(ctx, "old") // the newest, so its ID is the highest
	if err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); hearth.ErrorCode(err) != hearth.EUNAUTHORIZED {
		t.Fatalf("revoked token: err=%v, want EUNAUTHORIZED", err)
	}
	if _, err := s.Authenticate(ctx, keep); err != nil {
		t.Fatalf("other token: %v", err)
	}
	if err := s.DeleteToken(ctx, tok.ID); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("second delete: err=%v, want ENOTFOUND", err)
	}

	// A new token never takes a revoked token's ID.
	if again, _, err := s.CreateToken(ctx, "new"); err != nil {
		t.Fatal(err)
	} else if again.ID <= tok.ID {
		t.Fatalf("new token ID=%d reuses an old one", again.ID)
	}
}

func testTokenService_EnsureAdminToken(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	s := st.Tokens

	secret, created, err := s.EnsureAdminToken(ctx)
	if err != nil {
		t.Fatal(err)
	} else if !created || !secretShape.MatchString(secret) {
		t.Fatalf("first start: secret=%q created=%v, want a new secret", secret, created)
	}
	if tok, err := s.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	} else if tok.Name != "admin" {
		t.Fatalf("Name=%q, want admin", tok.Name)
	}

	if again, created, err := s.EnsureAdminToken(ctx); err != nil {
		t.Fatal(err)
	} else if created || again != "" {
		t.Fatalf("second call: secret=%q created=%v, want nothing", again, created)
	}

	// Across restarts, and even after the admin token is revoked, it is
	// never made again.
	st = st.Reopen(t)
	s = st.Tokens
	if _, created, err := s.EnsureAdminToken(ctx); err != nil {
		t.Fatal(err)
	} else if created {
		t.Fatal("admin token made again after a restart")
	}
	if tok, err := s.Authenticate(ctx, secret); err != nil {
		t.Fatalf("admin secret after restart: %v", err)
	} else if err := s.DeleteToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	st = st.Reopen(t)
	s = st.Tokens
	if _, created, err := s.EnsureAdminToken(ctx); err != nil {
		t.Fatal(err)
	} else if created {
		t.Fatal("revoked admin token made again")
	}
	if toks, err := s.FindTokens(ctx); err != nil {
		t.Fatal(err)
	} else if len(toks) != 0 {
		t.Fatalf("tokens=%+v, want none", toks)
	}
}

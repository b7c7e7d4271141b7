package poller_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// credentialStore resolves one password per miner and counts lookups.
type credentialStore struct {
	hearth.CredentialService
	mu        sync.Mutex
	passwords map[string]string
	lookups   int
}

func (c *credentialStore) Resolve(_ context.Context, m *hearth.Miner) (hearth.Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lookups++
	pw, ok := c.passwords[m.ID]
	if !ok {
		return hearth.Credentials{}, nil
	}
	return hearth.Credentials{User: "root", Password: pw}, nil
}

// Polls carry the miner's stored credentials, as control verbs do: a
// firmware whose reads need a login (Braiins OS, VNish) is polled with the
// password the operator set, not the factory one. The store is asked once
// per miner for many polls.
func TestPollerUsesStoredCredentials(t *testing.T) {
	seen := map[string]hearth.Credentials{}
	var mu sync.Mutex
	d := &fakeDriver{poll: func(_ context.Context, tg hearth.Target) (*hearth.Reading, error) {
		mu.Lock()
		seen[tg.Address] = tg.Credentials
		mu.Unlock()
		return &hearth.Reading{HashRate: 1}, nil
	}}
	store := &credentialStore{passwords: map[string]string{"m1": "s3cret"}}
	p := newPoller(d, &sink{})
	p.Credentials = store
	ctx := context.Background()
	for range 5 {
		for _, m := range []*hearth.Miner{miner(1), miner(2)} {
			if _, err := p.PollOnce(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := seen[miner(1).Address]; got.Password != "s3cret" || got.User != "root" {
		t.Errorf("miner with a stored password polled with %+v", got)
	}
	if got := seen[miner(2).Address]; got != (hearth.Credentials{}) {
		t.Errorf("miner without one polled with %+v, want the family defaults", got)
	}
	if store.lookups != 2 {
		t.Errorf("%d credential lookups for 10 polls of 2 miners, want 2 (cached)", store.lookups)
	}
}

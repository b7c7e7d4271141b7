package poller

import (
	"context"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// credentialTTL is how long the poller reuses a miner's resolved
// credentials before asking the store again: a changed password reaches
// the polls within it, and a fleet of 20,000 miners polled every 15 s costs
// the store a lookup per miner a minute rather than 1,300 a second.
const credentialTTL = time.Minute

// credentialCache remembers each miner's resolved credentials for
// credentialTTL.
type credentialCache struct {
	mu      sync.Mutex
	entries map[string]cachedCredentials
	// generation counts changes of the store, so that a lookup begun
	// before a change does not cache what the change replaced.
	generation uint64
}

type cachedCredentials struct {
	creds   hearth.Credentials
	fetched time.Time
}

// credentials returns the credentials to poll m with: zero (the family's
// defaults) without a CredentialService, else what the service resolves
// for m, cached for credentialTTL. Reads of some firmwares (Braiins OS's
// gRPC API, VNish) need a login, so a changed password must reach polls as
// it reaches control verbs.
func (p *Poller) credentials(ctx context.Context, m *hearth.Miner, now time.Time) (hearth.Credentials, error) {
	if p.Credentials == nil {
		return hearth.Credentials{}, nil
	}
	c := &p.creds
	c.mu.Lock()
	e, ok := c.entries[m.ID]
	gen := c.generation
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < credentialTTL && now.Sub(e.fetched) >= 0 {
		return e.creds, nil
	}
	creds, err := p.Credentials.Resolve(ctx, m)
	if err != nil {
		return hearth.Credentials{}, err
	}
	c.mu.Lock()
	if c.generation == gen {
		if c.entries == nil {
			c.entries = map[string]cachedCredentials{}
		}
		c.entries[m.ID] = cachedCredentials{creds: creds, fetched: now}
	}
	c.mu.Unlock()
	return creds, nil
}

// forgetCredentials drops m's cached credentials, when it leaves the
// poller.
func (p *Poller) forgetCredentials(id string) {
	p.creds.mu.Lock()
	delete(p.creds.entries, id)
	p.creds.mu.Unlock()
}

// CredentialService wraps the credential store so that the poller follows
// it: a password set or removed through it applies from the next poll on,
// without waiting for the cache to expire.
type CredentialService struct {
	hearth.CredentialService
	Poller *Poller
}

// SetCredential stores c and makes the poller resolve credentials afresh.
func (s *CredentialService) SetCredential(ctx context.Context, c *hearth.MinerCredential) error {
	err := s.CredentialService.SetCredential(ctx, c)
	s.Poller.forgetAllCredentials()
	return err
}

// DeleteCredential removes one and makes the poller resolve afresh.
func (s *CredentialService) DeleteCredential(ctx context.Context, family hearth.Family, site, minerID string) error {
	err := s.CredentialService.DeleteCredential(ctx, family, site, minerID)
	s.Poller.forgetAllCredentials()
	return err
}

// forgetAllCredentials empties the cache: one change can apply to a whole
// family or site, so every miner resolves again.
func (p *Poller) forgetAllCredentials() {
	p.creds.mu.Lock()
	p.creds.entries = nil
	p.creds.generation++
	p.creds.mu.Unlock()
}

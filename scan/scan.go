package scan

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
)

// Defaults for a LAN: a miner answers its API in well under a second, so
// three seconds per host leaves room for a busy controller without making a
// /16 of empty addresses take forever.
const (
	DefaultConcurrency = 256
	DefaultTimeout     = 3 * time.Second
)

// Scanner walks ranges and identifies the miners in them.
type Scanner struct {
	// Concurrency is the number of hosts probed at once.
	Concurrency int
	// Timeout bounds the identification of one host.
	Timeout time.Duration
	// Ports are the ports probed on each host.
	Ports driver.Ports
	// Identify identifies one host; nil means driver.Identify.
	Identify func(ctx context.Context, address string, ports driver.Ports) (*hearth.Identity, error)
	// Progress, when set, is called after each host with the number of
	// hosts done, the total and the number of miners found so far.
	Progress func(done, total, found int)
}

// Scan probes every address of ranges and returns the miners found, in
// address order. Hosts that do not answer or are not miners are left out.
func (s *Scanner) Scan(ctx context.Context, ranges []Range) ([]*hearth.Identity, error) {
	var total int
	for _, r := range ranges {
		total += int(r.Size())
	}
	conc := s.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	identify := s.Identify
	if identify == nil {
		identify = driver.Identify
	}

	type found struct {
		addr netip.Addr
		id   *hearth.Identity
	}
	var (
		mu      sync.Mutex
		results []found
		done    atomic.Int64
		nfound  atomic.Int64
		wg      sync.WaitGroup
		sem     = make(chan struct{}, conc)
	)
walk:
	for _, r := range ranges {
		for a := range r.All() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				break walk
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				hctx, cancel := context.WithTimeout(ctx, timeout)
				id, err := identify(hctx, a.String(), s.Ports)
				cancel()
				if err == nil && id != nil {
					mu.Lock()
					results = append(results, found{a, id})
					mu.Unlock()
					nfound.Add(1)
				}
				d := done.Add(1)
				if s.Progress != nil {
					s.Progress(int(d), total, int(nfound.Load()))
				}
			}()
		}
	}
	wg.Wait()
	slices.SortFunc(results, func(a, b found) int { return a.addr.Compare(b.addr) })
	out := make([]*hearth.Identity, len(results))
	for i, f := range results {
		out[i] = f.id
	}
	return out, ctx.Err()
}

package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// fleet is the store's cache of every miner's series: their TSDB references,
// label sets and latest values. It lets a steady-state write skip building
// and hashing labels (the TSDB looks a series up by reference), lets the
// store write staleness markers for series a reading no longer carries, and
// is what /metrics exposes as the fleet's current values.
type fleet struct {
	job string

	mu     sync.RWMutex
	miners map[string]*minerSeries
}

func newFleet(job string) *fleet {
	return &fleet{job: job, miners: make(map[string]*minerSeries)}
}

// get returns the miner's cache entry, creating an empty one on first sight.
func (f *fleet) get(id string) *minerSeries {
	f.mu.RLock()
	e := f.miners[id]
	f.mu.RUnlock()
	if e != nil {
		return e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e = f.miners[id]; e == nil {
		e = &minerSeries{}
		f.miners[id] = e
	}
	return e
}

// remove drops the miner's entry and returns it, or nil when there is none.
func (f *fleet) remove(id string) *minerSeries {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.miners[id]
	delete(f.miners, id)
	return e
}

// snapshot returns the entries present now, for a walk that must not hold
// the fleet lock while it locks each miner.
func (f *fleet) snapshot() []*minerSeries {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]*minerSeries, 0, len(f.miners))
	for _, e := range f.miners {
		out = append(out, e)
	}
	return out
}

func (f *fleet) len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.miners)
}

// identity is the label values shared by every series of one miner. A change
// (a firmware upgrade, a move to another site) starts new series.
type identity struct {
	miner, site, model, firmware string
}

// slot is one series of one miner.
type slot struct {
	// ref is the TSDB's reference for the series; 0 before the first
	// write. The TSDB may drop the series from its head (after a
	// compaction, when idle), in which case the reference is unknown to it
	// and it falls back to lset.
	ref  storage.SeriesRef
	lset labels.Labels
	// value is the latest value written.
	value float64
	// gen is the miner's write generation that last wrote the series; the
	// series is live (its value current) when gen equals the miner's gen.
	gen uint32
}

// boardSeries, fanSeries and poolSeries are the series of one component,
// found by the component's index (a fan by its name). Miners have a
// handful of each, so a slice searched in order beats a map.
type boardSeries struct {
	componentKey
	slots [numBoardMetrics]slot
}

type fanSeries struct {
	componentKey
	slot slot
}

type poolSeries struct {
	componentKey
	slots [numPoolMetrics]slot
}

// componentKey is a component's index and its label value, formatted once.
type componentKey struct {
	index int
	label string
}

func (k *componentKey) key() *componentKey { return k }

// component returns the entry for index in list, adding one when the
// miner reports that component for the first time.
func component[T any, PT interface {
	*T
	key() *componentKey
}](list *[]PT, index int) PT {
	for _, c := range *list {
		if c.key().index == index {
			return c
		}
	}
	c := PT(new(T))
	*c.key() = componentKey{index: index, label: strconv.Itoa(index)}
	*list = append(*list, c)
	return c
}

// minerSeries is one miner's entry. Its mutex serialises writes for the
// miner (and the /metrics walk) without blocking other miners.
type minerSeries struct {
	mu sync.Mutex
	id identity
	// gen counts writes; 0 means never written.
	gen uint32
	// lastT is the timestamp (ms) of the last write, valid when gen > 0.
	lastT  int64
	slots  [numMinerMetrics]slot
	boards []*boardSeries
	fans   []*fanSeries
	pools  []*poolSeries
}

// live reports whether s holds a current value.
func (e *minerSeries) live(s *slot) bool { return e.gen != 0 && s.gen == e.gen }

// reset forgets every series, for a miner whose identity changed.
func (e *minerSeries) reset(id identity) {
	e.id = id
	e.slots = [numMinerMetrics]slot{}
	e.boards, e.fans, e.pools = nil, nil, nil
}

func (e *minerSeries) board(index int) *boardSeries { return component(&e.boards, index) }

// fan returns the entry of the fan named name (hearth.Fan.Name, the fan
// label's value), adding one when the miner reports that fan for the first
// time. Fans are found by name rather than index, because the name is the
// series' identity.
func (e *minerSeries) fan(name string) *fanSeries {
	for _, f := range e.fans {
		if f.label == name {
			return f
		}
	}
	f := &fanSeries{componentKey: componentKey{label: name}}
	e.fans = append(e.fans, f)
	return f
}

func (e *minerSeries) pool(index int) *poolSeries { return component(&e.pools, index) }

// eachSlot calls fn for every series of the miner.
func (e *minerSeries) eachSlot(fn func(*slot)) {
	for i := range e.slots {
		fn(&e.slots[i])
	}
	for _, b := range e.boards {
		for i := range b.slots {
			fn(&b.slots[i])
		}
	}
	for _, f := range e.fans {
		fn(&f.slot)
	}
	for _, p := range e.pools {
		for i := range p.slots {
			fn(&p.slots[i])
		}
	}
}

// prune drops components none of whose series is live, so that a board or
// pool that went away for good does not stay in the cache.
func (e *minerSeries) prune() {
	e.boards = pruneComponents(e.boards, func(b *boardSeries) bool { return e.anyLive(b.slots[:]) })
	e.fans = pruneComponents(e.fans, func(f *fanSeries) bool { return e.live(&f.slot) })
	e.pools = pruneComponents(e.pools, func(p *poolSeries) bool { return e.anyLive(p.slots[:]) })
}

func (e *minerSeries) anyLive(slots []slot) bool {
	for i := range slots {
		if e.live(&slots[i]) {
			return true
		}
	}
	return false
}

// pruneComponents keeps the components for which keep is true, in order.
func pruneComponents[T any](list []T, keep func(T) bool) []T {
	kept := list[:0]
	for _, c := range list {
		if keep(c) {
			kept = append(kept, c)
		}
	}
	clear(list[len(kept):])
	return kept
}

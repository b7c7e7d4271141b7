package cgminer

import (
	"strings"

	"github.com/hearth-fleet/hearth"
)

// MaxPools bounds the pools read from one reply; firmwares have three slots,
// and a reply listing thousands is hostile, not a configuration.
const MaxPools = 16

// Pools maps a standard POOLS section (cgminer, bmminer, Avalon) to
// hearth's pools: index from "POOL", status lower-cased ("alive", "dead",
// ...), the active pool from "Stratum Active", priority and share counts.
// bmminer's quirks ("Last Share Time" as a string, "Pool Stale%%") concern
// fields hearth does not read. A nil document gives no pools.
func Pools(doc *Document) []hearth.Pool {
	if doc == nil {
		return nil
	}
	section := doc.Section("POOLS")
	out := make([]hearth.Pool, 0, min(section.Len(), MaxPools))
	for i, v := range section.All() {
		if i == MaxPools {
			break
		}
		p := v.Object()
		if !p.Exists() {
			continue
		}
		index := i
		if n, ok := p.Get("POOL"); ok {
			if k, ok := n.Int(); ok && k >= 0 && k < 1<<16 {
				index = int(k)
			}
		}
		status := strings.ToLower(strings.TrimSpace(p.String("Status")))
		if status == "" {
			status = "unknown"
		}
		out = append(out, hearth.Pool{
			Index:    index,
			URL:      p.String("URL"),
			User:     p.String("User"),
			Status:   status,
			Active:   p.Bool("Stratum Active"),
			Priority: int(min(max(p.Int("Priority"), 0), 1<<16)),
			Accepted: p.Uint("Accepted"),
			Rejected: p.Uint("Rejected"),
		})
	}
	return out
}

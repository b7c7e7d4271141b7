package avalon

import (
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// maxPools bounds the pools read from one reply; Avalons have three slots.
const maxPools = 16

// readPools fills r.Pools from a standard cgminer pools reply.
func readPools(r *hearth.Reading, doc *cgminer.Document) {
	section := doc.Section("POOLS")
	r.Pools = make([]hearth.Pool, 0, min(section.Len(), maxPools))
	for i, v := range section.All() {
		if i == maxPools {
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
		r.Pools = append(r.Pools, hearth.Pool{
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
}

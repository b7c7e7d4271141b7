// Package action applies a control verb to a selection of miners: it finds
// the miners, runs the verb through each one's driver with bounded
// concurrency and a deadline per miner, and writes what happened to the
// audit log.
package action

import (
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// Selector chooses miners, as users write it: "all", a comma-separated
// list of IDs ("sim-00001,sim-00007"), or comma-separated conditions that
// must all hold ("family=antminer,site=barn-a,group=curtail-first,tag=row3").
type Selector struct {
	All    bool
	IDs    []string
	Family hearth.Family
	Site   string
	// Group selects the members of a group.
	Group string
	Tags  []string
}

// ParseSelector reads a selector; a malformed one is an EINVALID error
// that says what is accepted.
func ParseSelector(s string) (Selector, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Selector{}, hearth.Errorf(hearth.EINVALID, `Empty selector: give "all", miner IDs, or conditions such as family=antminer,site=barn-a,tag=row3.`)
	}
	if s == "all" {
		return Selector{All: true}, nil
	}
	var sel Selector
	parts := strings.Split(s, ",")
	if !strings.Contains(s, "=") {
		for _, id := range parts {
			if id = strings.TrimSpace(id); id != "" {
				sel.IDs = append(sel.IDs, id)
			}
		}
		if len(sel.IDs) == 0 {
			return Selector{}, hearth.Errorf(hearth.EINVALID, "Selector %q names no miner.", s)
		}
		return sel, nil
	}
	for _, part := range parts {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || value == "" {
			return Selector{}, hearth.Errorf(hearth.EINVALID, "Selector condition %q must be key=value.", part)
		}
		switch key {
		case "family":
			sel.Family = hearth.Family(value)
		case "site":
			sel.Site = value
		case "group":
			sel.Group = value
		case "tag":
			sel.Tags = append(sel.Tags, value)
		case "id":
			sel.IDs = append(sel.IDs, value)
		default:
			return Selector{}, hearth.Errorf(hearth.EINVALID, "Unknown selector key %q: use family, site, group, tag or id.", key)
		}
	}
	return sel, nil
}

// String writes the selector back in the form ParseSelector reads.
func (sel Selector) String() string {
	if sel.All {
		return "all"
	}
	var parts []string
	if sel.Family != "" {
		parts = append(parts, "family="+string(sel.Family))
	}
	if sel.Site != "" {
		parts = append(parts, "site="+sel.Site)
	}
	if sel.Group != "" {
		parts = append(parts, "group="+sel.Group)
	}
	for _, t := range sel.Tags {
		parts = append(parts, "tag="+t)
	}
	if len(parts) == 0 {
		return strings.Join(sel.IDs, ",")
	}
	for _, id := range sel.IDs {
		parts = append(parts, "id="+id)
	}
	return strings.Join(parts, ",")
}

// filter is the part of the selector the inventory can apply itself.
func (sel Selector) filter() hearth.MinerFilter {
	return hearth.MinerFilter{Site: sel.Site, Group: sel.Group, Family: sel.Family, IDs: sel.IDs}
}

// matches applies what the inventory filter cannot: every tag must be on
// the miner.
func (sel Selector) matches(m *hearth.Miner) bool {
	for _, t := range sel.Tags {
		if !slices.Contains(m.Tags, t) {
			return false
		}
	}
	return true
}

package http

import (
	"cmp"
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// minerSortKeys are the values the list's sort parameter accepts, each a
// column of the fleet table. A leading "-" reverses the order.
var minerSortKeys = []string{
	"id", "address", "model", "family", "site", "state",
	"hashrate", "power", "efficiency", "hottest_chip", "last_seen",
}

// minerQuery is a parsed GET /api/v1/miners request.
//
// Site, family, limit and offset go to MinerService as they are. The status
// filter, the free-text filter and sorting on anything but the ID need the
// poller's view of every matching miner, so such a query loads all miners
// matching site and family and pages in memory; that stays quick for tens
// of thousands of miners, and the web UI relies on it to page a large fleet
// 200 rows at a time while sorting and filtering the whole of it.
type minerQuery struct {
	filter hearth.MinerFilter
	states []hearth.MinerState
	text   string // lower-cased substring to find; "" matches everything
	sort   string // one of minerSortKeys
	desc   bool
}

// parseMinerQuery reads the query string of a list request. Unknown
// parameters are ignored, as is usual for GET; malformed known ones are
// EINVALID.
func parseMinerQuery(v url.Values) (minerQuery, error) {
	q := minerQuery{sort: "id"}
	q.filter.Site = strings.TrimSpace(v.Get("site"))
	q.filter.Group = strings.TrimSpace(v.Get("group"))
	q.filter.Family = hearth.Family(strings.ToLower(strings.TrimSpace(v.Get("family"))))
	q.text = strings.ToLower(strings.TrimSpace(v.Get("q")))

	var err error
	if q.filter.Limit, err = nonNegativeInt(v, "limit"); err != nil {
		return q, err
	}
	if q.filter.Offset, err = nonNegativeInt(v, "offset"); err != nil {
		return q, err
	}

	if s := strings.TrimSpace(v.Get("status")); s != "" {
		for _, part := range strings.Split(s, ",") {
			state := hearth.MinerState(strings.ToLower(strings.TrimSpace(part)))
			switch state {
			case hearth.StateOnline, hearth.StateOffline, hearth.StateUnknown:
				q.states = append(q.states, state)
			default:
				return q, hearth.Errorf(hearth.EINVALID, "Parameter status must be online, offline or unknown (or several, comma-separated), not %q.", part)
			}
		}
	}

	if s := strings.TrimSpace(v.Get("sort")); s != "" {
		key, desc := strings.CutPrefix(s, "-")
		if !slices.Contains(minerSortKeys, key) {
			return q, hearth.Errorf(hearth.EINVALID, "Parameter sort must be one of %s (with a leading - for descending order), not %q.", strings.Join(minerSortKeys, ", "), s)
		}
		q.sort, q.desc = key, desc
	}
	return q, nil
}

// nonNegativeInt reads an optional integer parameter; absent means 0.
func nonNegativeInt(v url.Values, name string) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, hearth.Errorf(hearth.EINVALID, "Parameter %s must be a whole number of 0 or more, not %q.", name, s)
	}
	return n, nil
}

// inMemory reports whether the query needs every matching miner's status,
// rather than one page from MinerService.
func (q minerQuery) inMemory() bool {
	return len(q.states) > 0 || q.text != "" || q.sort != "id" || q.desc
}

// findMiners runs q and returns the page of miners with their status and the
// number of miners matching q in all.
func (s *Server) findMiners(ctx context.Context, q minerQuery) ([]MinerView, int, error) {
	if !q.inMemory() {
		miners, total, err := s.MinerService.FindMiners(ctx, q.filter)
		if err != nil {
			return nil, 0, err
		}
		items := make([]MinerView, len(miners))
		for i, m := range miners {
			items[i] = MinerView{Miner: m, Status: summarize(s.minerStatus(m.ID))}
		}
		return items, total, nil
	}

	all := q.filter
	all.Limit, all.Offset = 0, 0
	miners, _, err := s.MinerService.FindMiners(ctx, all)
	if err != nil {
		return nil, 0, err
	}
	// Sort pointers: moving whole responses around costs more than the
	// comparisons for a large fleet.
	matched := make([]*MinerView, 0, len(miners))
	for _, m := range miners {
		item := &MinerView{Miner: m, Status: summarize(s.minerStatus(m.ID))}
		if q.matches(item) {
			matched = append(matched, item)
		}
	}
	slices.SortFunc(matched, q.compare)

	total := len(matched)
	start := min(q.filter.Offset, total)
	end := total
	if q.filter.Limit > 0 && q.filter.Limit < total-start { // no start+Limit: it may overflow
		end = start + q.filter.Limit
	}
	items := make([]MinerView, 0, end-start)
	for _, item := range matched[start:end] {
		items = append(items, *item)
	}
	return items, total, nil
}

// matches applies the status and text filters.
func (q minerQuery) matches(item *MinerView) bool {
	if len(q.states) > 0 && !slices.Contains(q.states, item.Status.State) {
		return false
	}
	if q.text == "" {
		return true
	}
	m := item.Miner
	fields := append([]string{m.ID, m.Address, m.Hostname, m.Model, m.Firmware, string(m.Family), m.Site, m.Serial, m.MAC}, m.Tags...)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q.text) {
			return true
		}
	}
	return false
}

// compare orders two items by the query's sort key, then by ascending ID so
// that the order is total (an unstable sort gives one answer) and pages
// never overlap. Missing figures (an efficiency,
// chip temperature or last-seen time that is not known) sort last in both
// directions: a column sorted for the best efficiency should start with the
// best known one, not with the miners that report nothing.
func (q minerQuery) compare(a, b *MinerView) int {
	c := 0
	switch q.sort {
	case "id":
		c = strings.Compare(a.ID, b.ID)
	case "address":
		c = compareAddresses(a.Address, b.Address)
	case "model":
		c = strings.Compare(a.Model, b.Model)
	case "family":
		c = strings.Compare(string(a.Family), string(b.Family))
	case "site":
		c = strings.Compare(a.Site, b.Site)
	case "state":
		c = cmp.Compare(stateRank(a.Status.State), stateRank(b.Status.State))
	case "hashrate":
		c = cmp.Compare(a.Status.HashRate, b.Status.HashRate)
	case "power":
		c = cmp.Compare(a.Status.Power, b.Status.Power)
	case "efficiency":
		if m := missingLast(a.Status.Efficiency == 0, b.Status.Efficiency == 0); m != 0 {
			return m
		}
		c = cmp.Compare(a.Status.Efficiency, b.Status.Efficiency)
	case "hottest_chip":
		if m := missingLast(a.Status.HottestChip == 0, b.Status.HottestChip == 0); m != 0 {
			return m
		}
		c = cmp.Compare(a.Status.HottestChip, b.Status.HottestChip)
	case "last_seen":
		if m := missingLast(a.Status.LastSeen.IsZero(), b.Status.LastSeen.IsZero()); m != 0 {
			return m
		}
		c = a.Status.LastSeen.Compare(b.Status.LastSeen)
	}
	if q.desc {
		c = -c
	}
	if c == 0 {
		c = strings.Compare(a.ID, b.ID)
	}
	return c
}

// missingLast orders a missing value after a present one, whatever the
// direction; it returns 0 when both or neither are missing.
func missingLast(aMissing, bMissing bool) int {
	switch {
	case aMissing && !bMissing:
		return 1
	case !aMissing && bMissing:
		return -1
	}
	return 0
}

// stateRank orders states so that an ascending sort shows the miners that
// need attention first.
func stateRank(s hearth.MinerState) int {
	switch s {
	case hearth.StateOffline:
		return 0
	case hearth.StateUnknown:
		return 1
	default:
		return 2
	}
}

// compareAddresses orders IP addresses numerically (10.0.0.9 before
// 10.0.0.10) and anything else as text, after the IPs.
func compareAddresses(a, b string) int {
	ipA, errA := netip.ParseAddr(a)
	ipB, errB := netip.ParseAddr(b)
	switch {
	case errA == nil && errB == nil:
		return ipA.Compare(ipB)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

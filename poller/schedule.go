package poller

// schedule is a min-heap of entries ordered by their next poll time. It
// lets one goroutine wait for exactly the next due miner, however large
// the fleet, with no timer per miner.
type schedule []*entry

func (s schedule) Len() int           { return len(s) }
func (s schedule) Less(i, j int) bool { return s[i].next.Before(s[j].next) }
func (s schedule) Swap(i, j int) {
	s[i], s[j] = s[j], s[i]
	s[i].index = i
	s[j].index = j
}

func (s *schedule) Push(x any) {
	e := x.(*entry)
	e.index = len(*s)
	*s = append(*s, e)
}

func (s *schedule) Pop() any {
	old := *s
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*s = old[:n-1]
	return e
}

package diag

import (
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// desiredView is config/desired.json: the stored desired states that
// apply to the miner, the state they resolve to and which scope each
// setting came from. Pool passwords are left out entirely.
type desiredView struct {
	// Scopes are the scopes that apply to the miner: its site, its groups
	// and itself.
	Scopes []hearth.Scope `json:"scopes"`
	// Records are the stored states of those scopes.
	Records []*hearth.DesiredRecord `json:"records"`
	// Effective is what hearth holds the miner to, before the temporary
	// changes of open schedule windows and power requests (which show in
	// config/drift.json as differences).
	Effective hearth.DesiredState `json:"effective"`
	// Sources names the scope each effective setting came from.
	Sources map[string]hearth.Scope `json:"sources"`
}

func (c *collector) desiredPart() (any, int, error) {
	if c.recordsErr != nil {
		return nil, 0, c.recordsErr
	}
	records := make([]*hearth.DesiredRecord, len(c.records))
	for i, r := range c.records {
		cp := *r
		cp.State = withoutPoolPasswords(r.State)
		records[i] = &cp
	}
	v := desiredView{
		Scopes:    c.placement.Scopes(),
		Records:   records,
		Effective: withoutPoolPasswords(hearth.EffectiveDesired(c.records)),
		Sources:   desiredSources(c.records),
	}
	return v, len(records), nil
}

// poolsView is config/pools.json: the pools as the miner reports them and
// as hearth wants them, without passwords.
type poolsView struct {
	// Observed are the pools in the latest reading.
	Observed []hearth.Pool `json:"observed"`
	// Desired are the pools of the effective desired state, if any.
	Desired []hearth.PoolTemplate `json:"desired"`
}

func (c *collector) poolsPart() (any, int, error) {
	v := poolsView{Observed: []hearth.Pool{}, Desired: []hearth.PoolTemplate{}}
	if c.status != nil && c.status.Latest != nil {
		v.Observed = append(v.Observed, c.status.Latest.Pools...)
	}
	if c.recordsErr == nil {
		v.Desired = append(v.Desired, withoutPoolPasswords(hearth.EffectiveDesired(c.records)).Pools...)
	}
	if c.status == nil && c.recordsErr != nil {
		return nil, 0, c.recordsErr
	}
	return v, len(v.Observed), nil
}

// withoutPoolPasswords returns d with its pool passwords removed (not
// masked: a bundle does not even say that one is set).
func withoutPoolPasswords(d hearth.DesiredState) hearth.DesiredState {
	if len(d.Pools) == 0 {
		return d
	}
	pools := make([]hearth.PoolTemplate, len(d.Pools))
	for i, p := range d.Pools {
		p.Password = ""
		pools[i] = p
	}
	d.Pools = pools
	return d
}

// desiredSources says which record each field of the effective state
// comes from. Rather than restate the precedence of hearth.EffectiveDesired
// (miner over groups by priority over site), it asks EffectiveDesired
// itself: for each field, every record that sets it is given a marker
// pool naming the record, and the marker that wins is the source.
func desiredSources(records []*hearth.DesiredRecord) map[string]hearth.Scope {
	fields := map[string]func(hearth.DesiredState) bool{
		"pools":  func(d hearth.DesiredState) bool { return len(d.Pools) > 0 },
		"power":  func(d hearth.DesiredState) bool { return d.Power != nil },
		"fan":    func(d hearth.DesiredState) bool { return d.Fan != nil },
		"locate": func(d hearth.DesiredState) bool { return d.Locate != nil },
	}
	out := map[string]hearth.Scope{}
	for field, sets := range fields {
		marked := make([]*hearth.DesiredRecord, 0, len(records))
		for i, r := range records {
			if r == nil || !sets(r.State) {
				continue
			}
			m := *r
			m.State = hearth.DesiredState{Pools: []hearth.PoolTemplate{{URL: markerURL(i)}}}
			marked = append(marked, &m)
		}
		won := hearth.EffectiveDesired(marked)
		for i, r := range records {
			if len(won.Pools) == 1 && won.Pools[0].URL == markerURL(i) {
				out[field] = r.Scope
			}
		}
	}
	return out
}

// markerURL is the marker of record i in desiredSources.
func markerURL(i int) string { return "record:" + strconv.Itoa(i) }

package hearth

import "strings"

// Placement is where a miner is and what it belongs to, as the desired
// state needs it: the scopes it inherits from and the values its worker
// names are made of. The organisation layer (sites, groups, positions)
// fills it; position fields are plain text so that "R07" or "12" both work.
type Placement struct {
	MinerID  string
	Hostname string
	Site     string
	// Groups are the IDs of the groups the miner is a member of.
	Groups []string
	Row    string
	Rack   string
	Shelf  string
	Slot   string
}

// Scopes returns the scopes whose desired state applies to the miner at p:
// its site (when it has one), its groups and itself.
func (p Placement) Scopes() []Scope {
	var out []Scope
	if p.Site != "" {
		out = append(out, Scope{Kind: ScopeSite, ID: p.Site})
	}
	for _, g := range p.Groups {
		out = append(out, Scope{Kind: ScopeGroup, ID: g})
	}
	if p.MinerID != "" {
		out = append(out, Scope{Kind: ScopeMiner, ID: p.MinerID})
	}
	return out
}

// WorkerPlaceholders lists the placeholders ExpandWorker knows.
var WorkerPlaceholders = []string{"site", "row", "rack", "shelf", "slot", "miner", "hostname"}

// ExpandWorker replaces the placeholders of pattern ({site}, {row},
// {rack}, {shelf}, {slot}, {miner}, {hostname}) with p's values. An unknown
// placeholder or an unclosed brace is an EINVALID error, caught when a
// template is saved rather than on ten thousand miners; "{{" and "}}"
// stand for literal braces. A placeholder whose value is empty expands to
// nothing: Validate calls it with an empty placement to check syntax.
func ExpandWorker(pattern string, p Placement) (string, error) {
	values := map[string]string{
		"site": p.Site, "row": p.Row, "rack": p.Rack, "shelf": p.Shelf, "slot": p.Slot,
		"miner": p.MinerID, "hostname": p.Hostname,
	}
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '{' && i+1 < len(pattern) && pattern[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(pattern) && pattern[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return "", Errorf(EINVALID, "Worker pattern %q has an unclosed '{'.", pattern)
			}
			name := pattern[i+1 : i+end]
			v, ok := values[strings.ToLower(name)]
			if !ok {
				return "", Errorf(EINVALID, "Worker pattern %q has unknown placeholder {%s}; use one of {%s}.", pattern, name, strings.Join(WorkerPlaceholders, "}, {"))
			}
			b.WriteString(v)
			i += end
		case c == '}':
			return "", Errorf(EINVALID, "Worker pattern %q has a '}' without '{'; write '}}' for a literal brace.", pattern)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// PoolConfigs expands d's pool templates for the miner at p.
func (d DesiredState) PoolConfigs(p Placement) ([]PoolConfig, error) {
	var out []PoolConfig
	for _, t := range d.Pools {
		user, err := ExpandWorker(t.UserPattern, p)
		if err != nil {
			return nil, err
		}
		out = append(out, PoolConfig{URL: t.URL, User: user, Password: t.Password})
	}
	return out, nil
}

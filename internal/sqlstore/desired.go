package sqlstore

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// EncodeDesired returns d as JSON for storage with every pool password
// sealed by box, so that a database dump holds no usable pool password.
func EncodeDesired(d hearth.DesiredState, box Sealer) ([]byte, error) {
	d.Pools = slices.Clone(d.Pools)
	for i, p := range d.Pools {
		if p.Password == "" {
			continue
		}
		sealed, err := box.Seal([]byte(p.Password))
		if err != nil {
			return nil, fmt.Errorf("seal pool password: %w", err)
		}
		d.Pools[i].Password = base64.StdEncoding.EncodeToString(sealed)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode desired state: %w", err)
	}
	return b, nil
}

// DecodeDesired reads a desired state stored by EncodeDesired, opening its
// pool passwords with box.
func DecodeDesired(b []byte, box Sealer) (hearth.DesiredState, error) {
	var d hearth.DesiredState
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("decode desired state: %w", err)
	}
	for i, p := range d.Pools {
		if p.Password == "" {
			continue
		}
		sealed, err := base64.StdEncoding.DecodeString(p.Password)
		if err != nil {
			return d, fmt.Errorf("decode pool password: %w", err)
		}
		pw, err := box.Open(sealed)
		if err != nil {
			return d, fmt.Errorf("open pool password: %w", err)
		}
		d.Pools[i].Password = string(pw)
	}
	return d, nil
}

// DesiredWhere returns the WHERE clause (with '?' placeholders, "" for
// none) and its arguments choosing the records of f.
func DesiredWhere(f hearth.DesiredFilter) (string, []any) {
	var conds []string
	var args []any
	if len(f.Scopes) > 0 {
		var ors []string
		for _, sc := range f.Scopes {
			ors = append(ors, "(scope_kind = ? AND scope_id = ?)")
			args = append(args, string(sc.Kind), sc.ID)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Kind != "" {
		conds = append(conds, "scope_kind = ?")
		args = append(args, string(f.Kind))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// JournalLimit returns how many entries FindJournal returns for the limit
// a caller asked: 1000 when it asked none or an unreasonable number.
func JournalLimit(limit int) int {
	if limit <= 0 || limit > 100000 {
		return 1000
	}
	return limit
}

// JournalWhere returns the WHERE clause (with '?' placeholders, "" for
// none) and its arguments choosing the entries of f.
func JournalWhere(f hearth.JournalFilter) (string, []any) {
	var conds []string
	var args []any
	if f.MinerID != "" {
		conds = append(conds, "miner_id = ?")
		args = append(args, f.MinerID)
	}
	if len(f.States) > 0 {
		conds = append(conds, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CheckJournalEntry reports an EINVALID error when e cannot be journalled.
func CheckJournalEntry(e *hearth.JournalEntry) error {
	if e == nil || e.MinerID == "" {
		return hearth.Errorf(hearth.EINVALID, "A journal entry needs a miner.")
	}
	if e.Action.Verb == "" {
		return hearth.Errorf(hearth.EINVALID, "A journal entry needs a verb.")
	}
	switch e.State {
	case hearth.JournalPending, hearth.JournalSent, hearth.JournalApplied, hearth.JournalFailed:
	default:
		return hearth.Errorf(hearth.EINVALID, "Unknown journal state %q.", e.State)
	}
	return nil
}

// EncodeJournalAction returns a's redacted JSON for the journal.
func EncodeJournalAction(a hearth.Action) ([]byte, error) {
	b, err := json.Marshal(a.Redacted())
	if err != nil {
		return nil, fmt.Errorf("encode journal action: %w", err)
	}
	return b, nil
}

// DecodeJournalAction fills e's action from its stored JSON.
func DecodeJournalAction(e *hearth.JournalEntry, action []byte) error {
	if err := json.Unmarshal(action, &e.Action); err != nil {
		return fmt.Errorf("decode journal action %d: %w", e.ID, err)
	}
	return nil
}

package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/hearth-fleet/hearth"
)

// AuditLimit returns how many entries FindAudit returns for the limit a
// caller asked: 100 when it asked none or an unreasonable number.
func AuditLimit(limit int) int {
	if limit <= 0 || limit > 10000 {
		return 100
	}
	return limit
}

// EncodeAudit returns e's action and results as JSON for storage. The action
// is redacted again here, so that a secret never reaches the disk whatever
// the caller did.
func EncodeAudit(e *hearth.AuditEntry) (action, results []byte, err error) {
	if action, err = json.Marshal(e.Action.Redacted()); err != nil {
		return nil, nil, fmt.Errorf("encode action: %w", err)
	}
	rs := e.Results
	if rs == nil {
		rs = []hearth.ActionResult{}
	}
	if results, err = json.Marshal(rs); err != nil {
		return nil, nil, fmt.Errorf("encode results: %w", err)
	}
	return action, results, nil
}

// DecodeAudit fills e's action and results from their stored JSON.
func DecodeAudit(e *hearth.AuditEntry, action, results []byte) error {
	if err := json.Unmarshal(action, &e.Action); err != nil {
		return fmt.Errorf("decode audit action %d: %w", e.ID, err)
	}
	if err := json.Unmarshal(results, &e.Results); err != nil {
		return fmt.Errorf("decode audit results %d: %w", e.ID, err)
	}
	return nil
}

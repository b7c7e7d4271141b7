package hearth

import (
	"context"
	"time"
)

// Verb names a control action as users write it.
type Verb string

// The verbs of 'hearth miners do' and POST /api/v1/actions.
const (
	VerbReboot      Verb = "reboot"
	VerbRestart     Verb = "restart"
	VerbLocateOn    Verb = "locate-on"
	VerbLocateOff   Verb = "locate-off"
	VerbPause       Verb = "pause"
	VerbResume      Verb = "resume"
	VerbPowerTarget Verb = "power-target"
	VerbSetPools    Verb = "set-pools"
	VerbFanMode     Verb = "fan-mode"
)

// Verbs lists every verb, for help texts and validation.
var Verbs = []Verb{VerbReboot, VerbRestart, VerbLocateOn, VerbLocateOff, VerbPause, VerbResume, VerbPowerTarget, VerbSetPools, VerbFanMode}

// Action is one verb with its arguments, to be applied to a set of miners.
type Action struct {
	Verb Verb `json:"verb"`
	// Watts is the target of power-target.
	Watts float64 `json:"watts,omitempty"`
	// Duration is how long locate-on should last, where the firmware can
	// switch the light off by itself.
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Pools are the pools of set-pools, in priority order.
	Pools []PoolConfig `json:"pools,omitempty"`
	// Fan is the mode of fan-mode.
	Fan *FanMode `json:"fan,omitempty"`
}

// Validate reports an EINVALID error when a is not a complete action.
func (a *Action) Validate() error {
	switch a.Verb {
	case VerbReboot, VerbRestart, VerbLocateOn, VerbLocateOff, VerbPause, VerbResume:
	case VerbPowerTarget:
		if a.Watts <= 0 {
			return Errorf(EINVALID, "power-target needs a positive number of watts.")
		}
	case VerbSetPools:
		if len(a.Pools) == 0 || len(a.Pools) > 3 {
			return Errorf(EINVALID, "set-pools needs one to three pools.")
		}
		for i, p := range a.Pools {
			if p.URL == "" || p.User == "" {
				return Errorf(EINVALID, "Pool %d needs a URL and a user.", i+1)
			}
			if p.StratumV2() {
				if err := p.validateStratumV2(); err != nil {
					return err
				}
			}
		}
	case VerbFanMode:
		if a.Fan == nil {
			return Errorf(EINVALID, "fan-mode needs auto or a speed in percent.")
		}
		return a.Fan.Validate()
	default:
		return Errorf(EINVALID, "Unknown verb %q.", a.Verb)
	}
	return nil
}

// Redacted returns a copy of a without secrets, for the audit log and
// for replies: pool passwords are never stored in the clear nor returned.
func (a Action) Redacted() Action {
	if len(a.Pools) > 0 {
		pools := make([]PoolConfig, len(a.Pools))
		for i, p := range a.Pools {
			if p.Password != "" {
				p.Password = "***"
			}
			pools[i] = p
		}
		a.Pools = pools
	}
	return a
}

// ActionResult is the outcome of an action on one miner.
type ActionResult struct {
	MinerID string `json:"miner_id"`
	OK      bool   `json:"ok"`
	// Error and Code say why it failed (Code is a hearth error code, e.g.
	// "unsupported" for a verb the miner's firmware lacks).
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
	// Power is what a power-target became on this miner.
	Power *PowerSetting `json:"power,omitempty"`
}

// AuditEntry records one action: who asked, what, when, on which miners,
// and what came of it.
type AuditEntry struct {
	ID       int64          `json:"id"`
	Time     time.Time      `json:"time"`
	Actor    string         `json:"actor"`
	Action   Action         `json:"action"`
	Selector string         `json:"selector"`
	Results  []ActionResult `json:"results"`
}

// ResultFor returns the result of the miner with ID id, and whether the
// entry has one: one entry may cover a whole fleet, and a miner's page or
// bundle shows only that miner's outcome.
func (e *AuditEntry) ResultFor(id string) (ActionResult, bool) {
	for _, r := range e.Results {
		if r.MinerID == id {
			return r, true
		}
	}
	return ActionResult{}, false
}

// MaxAuditLimit is the most audit entries one FindAudit returns; older
// ones are read page by page with AuditFilter.BeforeID.
const MaxAuditLimit = 10000

// AuditFilter chooses which audit entries FindAudit returns, so that
// "what was done to this miner?" is answered from an index rather than by
// scanning the fleet's whole log.
type AuditFilter struct {
	// Miner, when set, keeps only the entries with a result for the miner
	// of that ID. Every miner an action targets gets a result (a failure
	// is a result too), so these are the entries whose action targeted it.
	Miner string
	// Limit is the most entries returned; 0 (or more than
	// MaxAuditLimit) means 100.
	Limit int
	// BeforeID, when positive, keeps only entries with a smaller ID: the
	// smallest ID of one page fetches the next, older one.
	BeforeID int64
}

// Matches reports whether f keeps e, ignoring Limit. In-memory audit logs
// (tests, caches) use it to filter exactly as the stores do.
func (f AuditFilter) Matches(e *AuditEntry) bool {
	if f.BeforeID > 0 && e.ID >= f.BeforeID {
		return false
	}
	if f.Miner != "" {
		if _, ok := e.ResultFor(f.Miner); !ok {
			return false
		}
	}
	return true
}

// AuditService keeps the audit log.
type AuditService interface {
	// RecordAudit stores e (with its action already redacted) and sets its
	// ID.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns the entries f keeps, newest first.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}

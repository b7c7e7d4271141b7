package diag

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/reconcile"
)

// The parts of a bundle, in the order the manifest lists them.
const (
	PartMiner         = "miner.json"
	PartFirmwareLog   = "logs/firmware.log"
	PartLatest        = "readings/latest.json"
	PartHistory       = "readings/history.csv"
	PartDesired       = "config/desired.json"
	PartPools         = "config/pools.json"
	PartDrift         = "config/drift.json"
	PartAlertsActive  = "alerts/active.json"
	PartAlertsHistory = "alerts/history.json"
	PartPollErrors    = "errors/poll.json"
	PartCommands      = "errors/commands.json"
)

// PartNames lists every part a bundle promises, in manifest order.
var PartNames = []string{PartMiner, PartFirmwareLog, PartLatest, PartHistory, PartDesired, PartPools,
	PartDrift, PartAlertsActive, PartAlertsHistory, PartPollErrors, PartCommands}

// collector gathers the parts of one bundle.
type collector struct {
	b      *Builder
	m      *hearth.Miner
	at     time.Time
	bundle *Bundle
	scrub  *scrubber

	placement    hearth.Placement
	placementErr error
	records      []*hearth.DesiredRecord
	recordsErr   error
	status       *hearth.MinerStatus
}

// collect fills the bundle. The secrets are learnt first, so that every
// part is scrubbed as it is added.
func (c *collector) collect(ctx context.Context) {
	c.learnSecrets(ctx)
	c.add(PartMiner, c.minerPart)
	c.addLog(ctx)
	c.add(PartLatest, c.latestPart)
	c.add(PartHistory, func() (any, int, error) { return c.historyPart(ctx) })
	c.add(PartDesired, c.desiredPart)
	c.add(PartPools, c.poolsPart)
	c.add(PartDrift, c.driftPart)
	c.add(PartAlertsActive, func() (any, int, error) { return c.alertsPart(ctx, true) })
	c.add(PartAlertsHistory, func() (any, int, error) { return c.alertsPart(ctx, false) })
	c.add(PartPollErrors, c.pollPart)
	c.add(PartCommands, func() (any, int, error) { return c.commandsPart(ctx) })
}

// learnSecrets loads what the bundle must never show: the miner's
// password and the pool passwords of the desired states that apply to it.
// It also keeps the placement and records for the configuration parts.
func (c *collector) learnSecrets(ctx context.Context) {
	var locator reconcile.Locator = reconcile.MinerLocator{}
	if c.b.Locator != nil {
		locator = c.b.Locator
	}
	c.placement, c.placementErr = locator.Placement(ctx, c.m)
	switch {
	case c.b.Desired == nil:
		c.recordsErr = notEnabled("Desired state")
	case c.placementErr != nil:
		c.recordsErr = c.placementErr
	default:
		c.records, c.recordsErr = c.b.Desired.FindDesired(ctx, hearth.DesiredFilter{Scopes: c.placement.Scopes()})
	}
	for _, r := range c.records {
		for _, p := range r.State.Pools {
			c.scrub.add(p.Password)
		}
	}
	if c.b.Credentials != nil {
		if cred, err := c.b.Credentials.Resolve(ctx, c.m); err == nil {
			c.scrub.add(cred.Password)
		}
	}
	if c.b.Status != nil {
		st := c.b.Status.MinerStatus(c.m.ID)
		c.status = &st
	}
}

// add collects one JSON part: get returns the value to encode and its
// count of items, or why the part is unavailable.
func (c *collector) add(name string, get func() (any, int, error)) {
	v, items, err := get()
	if err != nil {
		c.unavailable(Part{Name: name}, err)
		return
	}
	var data []byte
	switch v := v.(type) {
	case []byte:
		data = v
	default:
		if data, err = json.MarshalIndent(v, "", "  "); err != nil {
			c.unavailable(Part{Name: name}, fmt.Errorf("encode %s: %w", name, err))
			return
		}
		data = append(data, '\n')
	}
	c.ok(Part{Name: name, Items: items}, data)
}

// ok adds p with data, scrubbed.
func (c *collector) ok(p Part, data []byte) {
	p.Status, p.data = PartOK, c.scrub.apply(data)
	p.Bytes = len(p.data)
	c.bundle.Manifest.Parts = append(c.bundle.Manifest.Parts, p)
}

// unavailable lists p as missing because of err.
func (c *collector) unavailable(p Part, err error) {
	p.Status, p.Reason, p.Code = PartUnavailable, string(c.scrub.apply([]byte(hearth.ErrorMessage(err)))), hearth.ErrorCode(err)
	c.bundle.Manifest.Parts = append(c.bundle.Manifest.Parts, p)
}

// addLog fetches the firmware log within the log deadline.
func (c *collector) addLog(ctx context.Context) {
	p := Part{Name: PartFirmwareLog}
	if c.b.Logs == nil {
		c.unavailable(p, notEnabled("Fetching miner logs"))
		return
	}
	timeout := c.b.LogTimeout
	if timeout <= 0 {
		timeout = DefaultLogTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	l, err := c.b.Logs(ctx, c.m.ID)
	if err != nil {
		c.unavailable(p, err)
		return
	}
	p.Source, p.Truncated = l.Source, l.Truncated
	c.ok(p, []byte(l.Text))
}

// minerView is miner.json: the inventory record and the groups the miner
// is in. hearth.Miner holds no credential, so none can leak from it.
type minerView struct {
	*hearth.Miner
	Groups []string `json:"groups,omitempty"`
}

func (c *collector) minerPart() (any, int, error) {
	return minerView{Miner: c.m, Groups: c.placement.Groups}, 0, nil
}

func (c *collector) latestPart() (any, int, error) {
	if c.status == nil {
		return nil, 0, notEnabled("Polling")
	}
	if c.status.Latest == nil {
		return nil, 0, hearth.Errorf(hearth.ENOTFOUND, "No reading yet: the miner has not answered a poll since hearth started.")
	}
	return c.status.Latest, len(c.status.Latest.Boards), nil
}

// pollErrors is errors/poll.json: the poller's view of the miner's
// failures.
type pollErrors struct {
	State     hearth.MinerState `json:"state"`
	LastSeen  time.Time         `json:"last_seen,omitzero"`
	LastPoll  time.Time         `json:"last_poll,omitzero"`
	LastError string            `json:"last_error,omitempty"`
	ErrorCode string            `json:"error_code,omitempty"`
	// Failures counts consecutive failed polls.
	Failures int `json:"failures"`
	// PollErrors are the commands of the latest reading's poll that
	// failed; FirmwareErrors the faults the firmware itself reported.
	PollErrors     []string `json:"poll_errors"`
	FirmwareErrors []string `json:"firmware_errors"`
}

func (c *collector) pollPart() (any, int, error) {
	if c.status == nil {
		return nil, 0, notEnabled("Polling")
	}
	st := c.status
	out := pollErrors{State: st.State, LastSeen: st.LastSeen, LastPoll: st.LastPoll, LastError: st.LastError,
		ErrorCode: st.ErrorCode, Failures: st.Failures, PollErrors: []string{}, FirmwareErrors: []string{}}
	if out.State == "" {
		out.State = hearth.StateUnknown
	}
	if st.Latest != nil {
		out.PollErrors = append(out.PollErrors, st.Latest.PollErrors...)
		out.FirmwareErrors = append(out.FirmwareErrors, st.Latest.Errors...)
	}
	n := len(out.PollErrors) + len(out.FirmwareErrors)
	if out.LastError != "" {
		n++
	}
	return out, n, nil
}

func (c *collector) driftPart() (any, int, error) {
	if c.b.Drift == nil {
		return nil, 0, notEnabled("Desired-state reconciliation")
	}
	d := c.b.Drift(c.m.ID)
	return d, len(d.Differences), nil
}

package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Resume loads the commands a previous run left unfinished, so that each
// is settled at its miner's first reading instead of being forgotten or
// repeated. Call it once, before Start. Pending entries were never sent (the
// journal marks an entry sent before calling the driver): they are marked
// failed at once and the desired state, compared afresh, sends whatever is
// still needed. Sent entries are settled by Reconcile: an idempotent one
// (journalled sent only by earlier versions of hearth, which wrote it
// before sending) is confirmed when the reading already shows its effect and otherwise
// superseded by a fresh command; a non-idempotent one (a reboot) is never
// sent again, only confirmed by the miner's uptime having restarted.
func (rc *Reconciler) Resume(ctx context.Context) (int, error) {
	entries, err := rc.Journal.FindJournal(ctx, hearth.JournalFilter{States: []hearth.JournalState{hearth.JournalPending, hearth.JournalSent}, Limit: 100000})
	if err != nil {
		return 0, fmt.Errorf("resume the command journal: %w", err)
	}
	now := rc.clock().Now()
	for _, e := range entries {
		if e.State == hearth.JournalPending {
			e.State, e.Error = hearth.JournalFailed, "not sent before hearth stopped; the desired state decides again"
			if err := rc.Journal.UpdateJournalEntry(ctx, e); err != nil {
				return 0, err
			}
			rc.audit(ctx, e.Actor+" (resumed)", e.MinerID, e.Action, hearth.ActionResult{Error: e.Error}, now)
			continue
		}
		rc.mu.Lock()
		rc.init()
		st := rc.miners[e.MinerID]
		if st == nil {
			st = &minerState{drift: Drift{MinerID: e.MinerID}}
			rc.miners[e.MinerID] = st
		}
		st.unresolved = append(st.unresolved, e)
		rc.mu.Unlock()
	}
	return len(entries), nil
}

// resolve settles the miner's unresolved journal entries against its
// reading r; planned are the commands the desired state calls for now.
func (rc *Reconciler) resolve(ctx context.Context, m *hearth.Miner, r *hearth.Reading, st *minerState, planned []hearth.Action) error {
	rc.mu.Lock()
	entries := st.unresolved
	rc.mu.Unlock()
	if len(entries) == 0 {
		return nil
	}
	var keep []*hearth.JournalEntry
	for _, e := range entries {
		state, why := rc.settle(e, r, planned)
		if state == "" {
			keep = append(keep, e)
			continue
		}
		e.State = state
		e.Error = ""
		if state == hearth.JournalFailed {
			e.Error = why
		}
		if err := rc.Journal.UpdateJournalEntry(ctx, e); err != nil {
			return fmt.Errorf("settle journal entry %d: %w", e.ID, err)
		}
		res := hearth.ActionResult{OK: state == hearth.JournalApplied}
		if !res.OK {
			res.Error = why
		}
		rc.audit(ctx, e.Actor+" (resumed)", m.ID, e.Action, res, rc.clock().Now())
		rc.logger().Info("journal entry settled after restart", "miner", m.ID, "verb", e.Action.Verb, "state", state, "why", why)
	}
	rc.mu.Lock()
	st.unresolved = keep
	rc.mu.Unlock()
	return nil
}

// settle decides the fate of a command left sent by a previous run, or
// returns "" when the reading cannot tell yet.
func (rc *Reconciler) settle(e *hearth.JournalEntry, r *hearth.Reading, planned []hearth.Action) (hearth.JournalState, string) {
	if !e.Idempotent {
		// The miner's boot time from this reading: if it is after the
		// send, or the uptime fell, the reboot happened.
		booted := r.Time.Add(-r.Uptime)
		if (e.UptimeAtSend > 0 && r.Uptime < e.UptimeAtSend) || !booted.Before(e.SentAt) {
			return hearth.JournalApplied, "uptime restarted after the command was sent"
		}
		grace := orDefault(rc.RebootGrace, DefaultRebootGrace)
		if r.Time.Sub(e.SentAt) > grace {
			return hearth.JournalFailed, fmt.Sprintf("no restart seen within %s of the send; not sent again", grace.Round(time.Second))
		}
		return "", ""
	}
	if e.Actor != Actor {
		// A one-off command (set-pools from the API, say) is not the
		// desired state: its effect cannot be told from the reading.
		return hearth.JournalFailed, "interrupted by a restart of hearth; its outcome is unknown and it was not sent again"
	}
	for _, a := range planned {
		if sameKind(a.Verb, e.Action.Verb) {
			return hearth.JournalFailed, "interrupted by a restart of hearth and not confirmed by the miner; sent again"
		}
	}
	return hearth.JournalApplied, "confirmed by the miner's reading after a restart of hearth"
}

// sameKind reports whether two verbs set the same thing.
func sameKind(a, b hearth.Verb) bool {
	kind := func(v hearth.Verb) hearth.Verb {
		switch v {
		case hearth.VerbLocateOff:
			return hearth.VerbLocateOn
		case hearth.VerbResume, hearth.VerbPause:
			return hearth.VerbPowerTarget
		}
		return v
	}
	return kind(a) == kind(b)
}

// Package diag builds a miner's diagnostics bundle: one zip archive with
// the miner's firmware log, its latest reading and recent history, its
// configuration, its alerts and its errors, so that a user can attach a
// single file to a support request instead of collecting each piece by
// hand. Nothing secret goes into the archive: no miner credentials, no
// pool passwords, no API tokens.
package diag

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/metrics"
	"github.com/hearth-fleet/hearth/reconcile"
)

// DefaultLogTimeout bounds the fetch of the firmware log, so that a miner
// that trickles its log cannot hold the bundle (and the user) for long.
const DefaultLogTimeout = 30 * time.Second

// HistoryWindow and HistoryStep are the span and resolution of
// readings/history.csv: a day at one point a minute shows both the moment
// something went wrong and what the miner did before it.
const (
	HistoryWindow = 24 * time.Hour
	HistoryStep   = time.Minute
)

// LogsFunc fetches a miner's firmware log through its driver, with its
// credentials; action.Service.FetchLogs is one.
type LogsFunc func(ctx context.Context, id string) (*hearth.MinerLog, error)

// RangeQuerier evaluates PromQL over a time range; *metrics.Store is one.
type RangeQuerier interface {
	QueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (*metrics.Result, error)
}

// Builder collects the parts of a diagnostics bundle from hearth's
// services. Its fields are set by main, in the manner of WTF Dial: only
// Miners is required, and a service left nil makes its parts
// "unavailable" in the manifest rather than failing the bundle, so that a
// bundle is always produced and always says what it lacks.
type Builder struct {
	// Miners is the inventory; it is required.
	Miners hearth.MinerService
	// Status gives the poller's view: latest reading, last error.
	Status hearth.StatusService
	// Logs fetches the firmware log.
	Logs LogsFunc
	// Metrics answers the range queries of readings/history.csv.
	Metrics RangeQuerier
	// Desired holds the desired states; Locator says which scopes (site,
	// groups, miner) apply to a miner. A nil Locator places a miner by
	// its own record, without its groups.
	Desired hearth.DesiredStateService
	Locator reconcile.Locator
	// Drift reports the reconciler's comparison of the miner with its
	// desired state.
	Drift func(id string) reconcile.Drift
	// AlertHistory holds the alerts that fired and resolved.
	AlertHistory hearth.AlertHistoryService
	// Journal and Audit hold the commands sent to miners.
	Journal hearth.Journal
	Audit   hearth.AuditService
	// Credentials resolves the miner's password, only so that it can be
	// struck from anything the miner itself wrote (its log) before the
	// archive is made. The password itself is never written.
	Credentials hearth.CredentialService
	// Version is hearth's version, recorded in the manifest.
	Version string
	// LogTimeout bounds the log fetch; zero means DefaultLogTimeout.
	LogTimeout time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Build collects the bundle of miner id. It fails only when the miner
// cannot be found (ENOTFOUND for an unknown one); every other failure is
// recorded in the manifest against the part it spoils.
func (b *Builder) Build(ctx context.Context, id string) (*Bundle, error) {
	if b.Miners == nil {
		return nil, hearth.Errorf(hearth.EINTERNAL, "Diagnostics need the miner inventory.")
	}
	m, err := b.Miners.FindMinerByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("diagnostics of %s: %w", id, err)
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	at := now().UTC()
	bd := &Bundle{
		Filename: Filename(m.ID, at),
		Manifest: Manifest{Version: b.Version, MinerID: m.ID, GeneratedAt: at},
	}
	c := &collector{b: b, m: m, at: at, bundle: bd, scrub: newScrubber()}
	c.collect(ctx)
	bd.scrub = c.scrub
	return bd, nil
}

// Filename names the bundle of miner id generated at t:
// hearth-diag-<miner>-<UTC time>.zip, with any character a file system
// might refuse replaced by '_'.
func Filename(id string, t time.Time) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, id)
	return "hearth-diag-" + safe + "-" + t.UTC().Format("20060102T150405Z") + ".zip"
}

// notEnabled is the reason of a part whose service this server lacks.
func notEnabled(what string) error {
	return hearth.Errorf(hearth.EUNAVAILABLE, "%s is not enabled on this server.", what)
}

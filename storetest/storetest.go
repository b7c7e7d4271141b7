// Package storetest is the conformance suite of hearth's relational stores:
// the behaviour of the miner, token, audit, credential, site, group,
// position, desired-state, journal, schedule, profile, receiver,
// silence, alert history and alert acknowledgement services, written once against the
// domain interfaces and run by the tests of every store (sqlite/,
// postgres/), so that the stores cannot drift apart. It is meant
// for tests only, in the way driver/cgminer/cgminertest is.
//
// A store's test calls Run with an Opener that makes a new, empty store:
//
//	func TestStore(t *testing.T) { storetest.Run(t, openStore) }
package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	"github.com/hearth-fleet/hearth/secret"
)

// Now is the time a store's clock reads when an Opener returns it, until
// the test calls SetNow.
var Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Miners is what the suite needs of a store's inventory: the domain service
// and the batch insert that scans and the demo use.
type Miners interface {
	hearth.MinerService
	sqlstore.MinerBatchCreator
}

// Tokens is what the suite needs of a store's tokens: the domain service
// and the first admin token that `hearth serve` makes.
type Tokens interface {
	hearth.TokenService
	sqlstore.AdminTokenMaker
}

// Store is one open store under test: its services on one database,
// and the handles the suite needs to look behind them.
type Store struct {
	Miners      Miners
	Tokens      Tokens
	Audit       hearth.AuditService
	Credentials hearth.CredentialService // sealing with NewBox's key
	Sites       hearth.SiteService
	Groups      hearth.GroupService
	Positions   hearth.PositionService
	Desired     hearth.DesiredStateService // sealing with NewBox's key
	Journal     hearth.Journal
	Schedules   hearth.ScheduleService
	Power       hearth.PowerRequestService
	Programs    hearth.PowerProgramService // sealing with NewBox's key
	Profiles    hearth.ProfileService
	Receivers   hearth.ReceiverService // sealing with NewBox's key
	Silences    hearth.SilenceService
	History     hearth.AlertHistoryService
	AlertAcks   hearth.AlertAckService

	// SetNow replaces the store's clock.
	SetNow func(now func() time.Time)
	// Reopen closes the database and opens it again, as a restart of
	// hearth would, keeping the clock; the returned Store replaces this
	// one.
	Reopen func(tb testing.TB) *Store
	// QueryRow runs query (SQL that both SQLite and PostgreSQL accept)
	// directly on the database and scans its one row into dest, to check
	// what is really stored.
	QueryRow func(tb testing.TB, query string, dest ...any)
}

// Opener opens a new, empty store whose clock reads Now. The store is
// closed when the test ends.
type Opener func(tb testing.TB) *Store

// NewBox returns the secret.Box a Store's credential service seals with:
// a fixed key, so that a reopened store reads what it sealed before.
func NewBox(tb testing.TB) *secret.Box {
	tb.Helper()
	box, err := secret.NewBox(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return box
}

// Run runs the whole suite against the stores open makes, one subtest per
// behaviour, each on a new store.
func Run(t *testing.T, open Opener) {
	for _, tt := range []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"MinerService_CreateMiner", testMinerService_CreateMiner},
		{"MinerService_CreateMiner_DerivedID", testMinerService_CreateMiner_DerivedID},
		{"MinerService_FindMiners", testMinerService_FindMiners},
		{"MinerService_FindMinerByID", testMinerService_FindMinerByID},
		{"MinerService_UpdateMiner", testMinerService_UpdateMiner},
		{"MinerService_DeleteMiner", testMinerService_DeleteMiner},
		{"MinerService_CreateMiners", testMinerService_CreateMiners},
		{"MinerService_Concurrent", testMinerService_Concurrent},
		{"TokenService_CreateToken", testTokenService_CreateToken},
		{"TokenService_Authenticate", testTokenService_Authenticate},
		{"TokenService_FindTokens", testTokenService_FindTokens},
		{"TokenService_DeleteToken", testTokenService_DeleteToken},
		{"TokenService_EnsureAdminToken", testTokenService_EnsureAdminToken},
		{"AuditService", testAuditService},
		{"AuditService_ByMiner", testAuditService_ByMiner},
		{"AuditService_Concurrent", testAuditService_Concurrent},
		{"CredentialService", testCredentialService},
		{"SiteService", testSiteService},
		{"SiteService_Reopen", testSiteService_Reopen},
		{"SiteService_DeleteWhileAdding", testSiteService_DeleteWhileAdding},
		{"GroupService", testGroupService},
		{"PositionService_ImportPositions", testPositionService_ImportPositions},
		{"DesiredStateService", testDesiredStateService},
		{"Journal", testJournal},
		{"Journal_Concurrent", testJournal_Concurrent},
		{"ScheduleService", testScheduleService},
		{"ScheduleService_Reopen", testScheduleService_Reopen},
		{"PowerRequestService", testPowerRequestService},
		{"PowerRequestService_Reopen", testPowerRequestService_Reopen},
		{"PowerProgramService", testPowerProgramService},
		{"ProfileService", testProfileService},
		{"ReceiverService", testReceiverService},
		{"SilenceService", testSilenceService},
		{"AlertHistoryService", testAlertHistoryService},
		{"AlertAckService", testAlertAckService},
		{"AlertAckService_Prune", testAlertAckService_Prune},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open) })
	}
}

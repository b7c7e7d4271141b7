package main

import (
	"path/filepath"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/internal/sqlstore"
	"github.com/hearth-fleet/hearth/postgres"
	"github.com/hearth-fleet/hearth/sqlite"
)

// store is the relational store the control plane runs on, whichever
// database holds it: the miner inventory, API tokens, audit log, miner
// credentials, desired states, the command journal, schedules and power
// profiles.
type store struct {
	miners      storeMiners
	tokens      storeTokens
	audit       hearth.AuditService
	credentials hearth.CredentialService
	// sites, groups and positions are the fleet's organisation.
	sites     hearth.SiteService
	groups    hearth.GroupService
	positions hearth.PositionService
	// desired and journal are desired state and the command journal.
	desired hearth.DesiredStateService
	journal hearth.Journal
	// schedules change desired state during windows of time.
	schedules hearth.ScheduleService
	// power holds what each signal source asks of a site's power.
	power hearth.PowerRequestService
	// programs are the configured signal sources, secrets sealed.
	programs hearth.PowerProgramService
	// profiles are the named power profiles desired states refer to.
	profiles hearth.ProfileService
	// receivers, silences and alertHistory are where alert notifications
	// go, what mutes them, and every change of an alert's state.
	receivers    hearth.ReceiverService
	silences     hearth.SilenceService
	alertHistory hearth.AlertHistoryService
	// alertAcks records the alerts that switched a fault light on and
	// who acknowledged which alert.
	alertAcks hearth.AlertAckService
	close     func() error
}

// storeMiners is the inventory as serve and demo use it: the domain
// service and the batch insert that makes a large demo fleet fast.
type storeMiners interface {
	hearth.MinerService
	sqlstore.MinerBatchCreator
}

// storeTokens is the token service and the first admin token.
type storeTokens interface {
	hearth.TokenService
	sqlstore.AdminTokenMaker
}

// openStore opens the store --db names: empty for SQLite in the data
// directory (hearth.db), a postgres:// or postgresql:// URL for PostgreSQL.
// Credential passwords are sealed with box either way.
func openStore(dataDir, db string, box sqlstore.Sealer) (*store, error) {
	switch {
	case db == "":
		d := sqlite.NewDB(filepath.Join(dataDir, "hearth.db"))
		if err := d.Open(); err != nil {
			return nil, err
		}
		return &store{
			miners: sqlite.NewMinerService(d), tokens: sqlite.NewTokenService(d),
			audit: sqlite.NewAuditService(d), credentials: sqlite.NewCredentialService(d, box),
			sites: sqlite.NewSiteService(d), groups: sqlite.NewGroupService(d), positions: sqlite.NewPositionService(d),
			desired: sqlite.NewDesiredStateService(d, box), journal: sqlite.NewJournalService(d),
			schedules: sqlite.NewScheduleService(d), power: sqlite.NewPowerRequestService(d),
			profiles: sqlite.NewProfileService(d), programs: sqlite.NewPowerProgramService(d, box),
			receivers: sqlite.NewReceiverService(d, box), silences: sqlite.NewSilenceService(d), alertHistory: sqlite.NewAlertHistoryService(d),
			alertAcks: sqlite.NewAlertAckService(d),
			close:     d.Close,
		}, nil
	case postgres.IsURL(db):
		d := postgres.NewDB(db)
		if err := d.Open(); err != nil {
			return nil, err
		}
		return &store{
			miners: postgres.NewMinerService(d), tokens: postgres.NewTokenService(d),
			audit: postgres.NewAuditService(d), credentials: postgres.NewCredentialService(d, box),
			sites: postgres.NewSiteService(d), groups: postgres.NewGroupService(d), positions: postgres.NewPositionService(d),
			desired: postgres.NewDesiredStateService(d, box), journal: postgres.NewJournalService(d),
			schedules: postgres.NewScheduleService(d), power: postgres.NewPowerRequestService(d),
			profiles: postgres.NewProfileService(d), programs: postgres.NewPowerProgramService(d, box),
			receivers: postgres.NewReceiverService(d, box), silences: postgres.NewSilenceService(d), alertHistory: postgres.NewAlertHistoryService(d),
			alertAcks: postgres.NewAlertAckService(d),
			close:     d.Close,
		}, nil
	}
	return nil, errBadDB
}

// errBadDB refuses a --db value that names no store hearth has.
var errBadDB = hearth.Errorf(hearth.EINVALID, "--db must be empty (SQLite in the data directory) or a postgres:// or postgresql:// URL.")

// validateDB rejects a --db value before anything is opened.
func validateDB(db string) error {
	if db != "" && !postgres.IsURL(db) {
		return errBadDB
	}
	return nil
}

// Package sqlstore holds what hearth's relational stores (sqlite/ and
// postgres/) share: how a miner's ID is chosen, what a storable miner or
// token name is, how secrets are made and recognised, how tags and audit
// entries are encoded, the migration runner, and the services whose logic
// is the same on every database (groups, sites, tokens, the audit log,
// credentials, and reading, updating and deleting miners), written once
// against database/sql. What differs between databases (placeholders, how
// a driver error is classified, how times are stored, row locks, JSON
// casts) is a Dialect each store supplies with its connection pools (DB);
// each store keeps its migrations and the SQL that is genuinely its own,
// such as bulk inserts, so that both give the same answers to the same
// calls.
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/hearth-fleet/hearth"
)

// Sealer encrypts and decrypts secrets before they reach a table;
// secret.Box is one. Both stores seal credential passwords with it, so a
// database dump holds no usable password.
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// MinerBatchCreator adds many miners at once. A scan of a large site, the
// demo and `hearth bench` add thousands of miners; one transaction for all of
// them is orders of magnitude faster than one per miner, because every
// commit waits for the disk.
type MinerBatchCreator interface {
	// CreateMiners adds every miner in ms or none of them. IDs are chosen
	// and timestamps set as CreateMiner does, and only once the batch is
	// stored, so after an error ms is unchanged. It returns EINVALID or
	// ECONFLICT naming the first offending miner by its position (from 1).
	CreateMiners(ctx context.Context, ms []*hearth.Miner) error
}

// CheckNewMiner reports an EINVALID error when m cannot be stored.
func CheckNewMiner(m *hearth.Miner) error {
	if m == nil {
		return hearth.Errorf(hearth.EINVALID, "Miner required.")
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ID != "" && !ValidID(m.ID) {
		return hearth.Errorf(hearth.EINVALID, "Miner ID %q must be 1 to %d characters from A-Z, a-z, 0-9, '.', '_' and '-'.", m.ID, MaxIDLen)
	}
	return nil
}

// BlameMiner adds to err which miner of a batch caused it, by position
// from 1, keeping the error's code so a caller can still branch on it.
func BlameMiner(i int, err error) error {
	var e *hearth.Error
	if errors.As(err, &e) {
		return &hearth.Error{Code: e.Code, Message: fmt.Sprintf("Miner %d: %s", i+1, e.Message), Err: e.Err}
	}
	return fmt.Errorf("miner %d: %w", i+1, err)
}

// MinerEndpoint names where m is, for messages.
func MinerEndpoint(m *hearth.Miner) string {
	if m.Port == 0 {
		return m.Address + " (default port)"
	}
	return net.JoinHostPort(m.Address, strconv.Itoa(m.Port))
}

// Keys of the settings table. Each names one small piece of state that must
// survive restarts.
const (
	// SettingAdminTokenCreated is set when the first admin token has been
	// made, so that it is made once in the life of a database even if it
	// is later revoked.
	SettingAdminTokenCreated = "admin_token_created"
)

// AdminTokenMaker makes the first admin token of a new database, as
// `hearth serve` does at its first start.
type AdminTokenMaker interface {
	// EnsureAdminToken makes the admin token when the database has never
	// had one and returns its secret with created true; afterwards,
	// across restarts and even after the token is revoked, it returns ""
	// and false.
	EnsureAdminToken(ctx context.Context) (secret string, created bool, err error)
}

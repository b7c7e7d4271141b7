package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.GroupService = (*GroupService)(nil)

// GroupService keeps groups of miners in a relational store. It implements
// hearth.GroupService once for SQLite and PostgreSQL alike.
type GroupService struct {
	db *DB
}

// NewGroupService returns the groups kept in db.
func NewGroupService(db *DB) *GroupService {
	return &GroupService{db: db}
}

// FindGroupByName returns the group with its members, or ENOTFOUND.
func (s *GroupService) FindGroupByName(ctx context.Context, name string) (*hearth.Group, error) {
	groups, err := s.findGroups(ctx, name)
	if s.db.violates(err, InvalidValue) {
		// A name the database cannot even hold as text names no group.
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	} else if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	return groups[0], nil
}

// FindGroups returns every group ordered by name, with its members.
func (s *GroupService) FindGroups(ctx context.Context) ([]*hearth.Group, error) {
	return s.findGroups(ctx, "")
}

// findGroups reads the group called name, or every group when name is "",
// and their members from one snapshot.
func (s *GroupService) findGroups(ctx context.Context, name string) ([]*hearth.Group, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// Two statements rather than one with "? = '' OR name = ?", so that
	// reading one group uses the keys instead of scanning every member.
	groupQuery := `SELECT name, description, created_at, updated_at FROM miner_groups ORDER BY name`
	memberQuery := `SELECT group_name, miner_id FROM group_members ORDER BY group_name, miner_id`
	var args []any
	if name != "" {
		groupQuery = `SELECT name, description, created_at, updated_at FROM miner_groups WHERE name = ?`
		memberQuery = `SELECT group_name, miner_id FROM group_members WHERE group_name = ? ORDER BY miner_id`
		args = []any{name}
	}

	rows, err := tx.QueryContext(ctx, s.db.q(groupQuery), args...)
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	groups := make([]*hearth.Group, 0)
	byName := map[string]*hearth.Group{}
	for rows.Next() {
		g := &hearth.Group{MinerIDs: []string{}}
		if err := rows.Scan(&g.Name, &g.Description, (*Time)(&g.CreatedAt), (*Time)(&g.UpdatedAt)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find groups: %w", err)
		}
		groups = append(groups, g)
		byName[g.Name] = g
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("find groups: %w", err)
	}
	rows.Close()

	members, err := tx.QueryContext(ctx, s.db.q(memberQuery), args...)
	if err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	defer members.Close()
	for members.Next() {
		var group, miner string
		if err := members.Scan(&group, &miner); err != nil {
			return nil, fmt.Errorf("find group members: %w", err)
		}
		if g := byName[group]; g != nil {
			g.MinerIDs = append(g.MinerIDs, miner)
		}
	}
	if err := members.Err(); err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	return groups, nil
}

// CreateGroup adds g without members and sets its timestamps.
func (s *GroupService) CreateGroup(ctx context.Context, g *hearth.Group) error {
	if g == nil {
		return hearth.Errorf(hearth.EINVALID, "Group required.")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.db.Now()
	_, err := s.db.Write().ExecContext(ctx, s.db.q(`INSERT INTO miner_groups (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`),
		g.Name, g.Description, s.db.Time(now), s.db.Time(now))
	if s.db.conflicts(err) {
		return hearth.WrapError(hearth.ECONFLICT, err, "Group %q exists already.", g.Name)
	} else if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Group %q has an invalid field.", g.Name)
	} else if err != nil {
		return fmt.Errorf("create group %q: %w", g.Name, err)
	}
	g.CreatedAt, g.UpdatedAt, g.MinerIDs = now, now, []string{}
	return nil
}

// UpdateGroup stores g's description.
func (s *GroupService) UpdateGroup(ctx context.Context, g *hearth.Group) error {
	if g == nil {
		return hearth.Errorf(hearth.EINVALID, "Group required.")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	now := s.db.Now()
	var created Time
	err := s.db.Write().QueryRowContext(ctx, s.db.q(`UPDATE miner_groups SET description = ?, updated_at = ? WHERE name = ? RETURNING created_at`),
		g.Description, s.db.Time(now), g.Name).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", g.Name)
	} else if s.db.violates(err, InvalidValue) {
		return hearth.WrapError(hearth.EINVALID, err, "Group %q has an invalid field.", g.Name)
	} else if err != nil {
		return fmt.Errorf("update group %q: %w", g.Name, err)
	}
	g.CreatedAt, g.UpdatedAt = time.Time(created), now
	return nil
}

// DeleteGroup removes the group and its memberships, not its miners.
func (s *GroupService) DeleteGroup(ctx context.Context, name string) error {
	return s.db.deleteRow(ctx, `DELETE FROM miner_groups WHERE name = ?`, name, fmt.Sprintf("group %q", name),
		hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name))
}

// AddGroupMembers adds the miners to the group, all or none. A miner
// deleted while it is being added is caught by the foreign key and
// reported as unknown, like one that never existed.
func (s *GroupService) AddGroupMembers(ctx context.Context, name string, minerIDs []string) error {
	return s.changeMembers(ctx, name, func(ctx context.Context, tx *sql.Tx) error {
		exists, err := tx.PrepareContext(ctx, s.db.q(`SELECT EXISTS (SELECT 1 FROM miners WHERE id = ?)`))
		if err != nil {
			return err
		}
		defer exists.Close()
		insert, err := tx.PrepareContext(ctx, s.db.q(`INSERT INTO group_members (group_name, miner_id) VALUES (?, ?)
			ON CONFLICT (group_name, miner_id) DO NOTHING`))
		if err != nil {
			return err
		}
		defer insert.Close()
		unknown := func(id string) error {
			return hearth.Errorf(hearth.ENOTFOUND, "Miner %q not found; no member was added to group %q.", id, name)
		}
		for _, id := range minerIDs {
			var found bool
			if err := exists.QueryRowContext(ctx, id).Scan(&found); s.db.violates(err, InvalidValue) {
				return unknown(id)
			} else if err != nil {
				return err
			}
			if !found {
				return unknown(id)
			}
			if _, err := insert.ExecContext(ctx, name, id); err != nil {
				if s.db.violates(err, ForeignKeyViolation) {
					return unknown(id)
				}
				return err
			}
		}
		return nil
	})
}

// RemoveGroupMembers removes the miners from the group; IDs that are not
// members are ignored.
func (s *GroupService) RemoveGroupMembers(ctx context.Context, name string, minerIDs []string) error {
	return s.changeMembers(ctx, name, func(ctx context.Context, tx *sql.Tx) error {
		// No member has an ID that PostgreSQL cannot hold as text, and
		// sending one would fail the statement: leave those out.
		ids := make([]string, 0, len(minerIDs))
		for _, id := range minerIDs {
			if holdableText(id) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		// One statement for every ID, however many.
		cond, arg, err := s.db.MatchAny("miner_id", ids)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.db.q(`DELETE FROM group_members WHERE group_name = ? AND `+cond), name, arg)
		return err
	})
}

// changeMembers runs change in one write transaction after checking that
// the group exists, and touches the group's updated_at; the update locks
// the group's row, so changes of one group's members do not interleave.
func (s *GroupService) changeMembers(ctx context.Context, name string, change func(context.Context, *sql.Tx) error) error {
	tx, err := s.db.BeginWrite(ctx, NoLock)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.db.q(`UPDATE miner_groups SET updated_at = ? WHERE name = ?`), s.db.Time(s.db.Now()), name)
	if s.db.violates(err, InvalidValue) {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	} else if err != nil {
		return fmt.Errorf("change members of group %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("change members of group %q: %w", name, err)
	} else if n == 0 {
		return hearth.Errorf(hearth.ENOTFOUND, "Group %q not found.", name)
	}
	if err := change(ctx, tx); err != nil {
		if hearth.ErrorCode(err) != hearth.EINTERNAL {
			return err
		}
		return fmt.Errorf("change members of group %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit group %q: %w", name, err)
	}
	return nil
}

// holdableText reports whether every database can hold s as text: valid
// UTF-8 without NUL bytes. A value that is not can match no stored row.
func holdableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

package hearth

import (
	"context"
	"time"
)

// Group is a named set of miners, across sites: "immersion tank 2", "S21s
// on the new pool", "curtail first". A miner may belong to any number of
// groups. Groups are what control actions and, later, desired settings
// are aimed at.
type Group struct {
	// Name identifies the group and never changes once given.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// MinerIDs are the members, ordered by ID. Writes of a group ignore
	// it; members are changed with AddGroupMembers and RemoveGroupMembers.
	MinerIDs []string `json:"miners"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate reports an EINVALID error naming the field when g cannot be
// stored.
func (g *Group) Validate() error {
	if err := ValidateName("Group", g.Name); err != nil {
		return err
	}
	if len(g.Description) > 1000 {
		return Errorf(EINVALID, "Group description must be at most 1000 characters.")
	}
	return nil
}

// GroupService keeps the groups of miners.
type GroupService interface {
	// FindGroupByName returns the group with its members, or ENOTFOUND.
	FindGroupByName(ctx context.Context, name string) (*Group, error)
	// FindGroups returns every group ordered by name, with its members.
	FindGroups(ctx context.Context) ([]*Group, error)
	// CreateGroup adds g (without members) and sets its timestamps;
	// ECONFLICT when the name is taken.
	CreateGroup(ctx context.Context, g *Group) error
	// UpdateGroup stores g's description; ENOTFOUND when unknown.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup removes the group, not its miners; ENOTFOUND when unknown.
	DeleteGroup(ctx context.Context, name string) error
	// AddGroupMembers adds the miners to the group, all or none: ENOTFOUND
	// naming the first unknown miner or the group. Members already in the
	// group stay as they are.
	AddGroupMembers(ctx context.Context, name string, minerIDs []string) error
	// RemoveGroupMembers removes the miners from the group; IDs that are
	// not members are ignored. ENOTFOUND when the group is unknown.
	RemoveGroupMembers(ctx context.Context, name string, minerIDs []string) error
}

package hearth

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Profile is a named power setting: "eco", "night", "summer-peak". Desired
// states and schedules refer to it by name (PowerProfile.Profile), so that
// changing what "eco" means changes it everywhere at once, and one name can
// give each model of a mixed fleet its own wattage (an S21 and an S19j Pro
// want different watts for the same intent).
type Profile struct {
	// Name identifies the profile and is how desired states refer to it.
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Mode        PowerMode `json:"mode"`
	// Watts is the target of the target and eco modes for every model
	// that ModelWatts does not list, and an optional cap of max.
	Watts float64 `json:"watts,omitempty"`
	// ModelWatts gives the watts of particular models, keyed by the model
	// string as in Miner.Model ("Antminer S21").
	ModelWatts map[string]float64 `json:"model_watts,omitempty"`
	UpdatedAt  time.Time          `json:"updated_at,omitzero"`
}

// MaxModelWatts caps how many models one profile lists: more is a mistake,
// not a fleet.
const MaxModelWatts = 100

// Validate reports an EINVALID error naming the field when p cannot be
// stored: a bad name, an unknown mode, a target or eco profile with no
// watts for any model, or a model whose watts are not positive.
func (p *Profile) Validate() error {
	if err := ValidateName("Profile", p.Name); err != nil {
		return err
	}
	if len(p.Description) > 1000 {
		return Errorf(EINVALID, "Profile description must be at most 1000 characters.")
	}
	if len(p.ModelWatts) > MaxModelWatts {
		return Errorf(EINVALID, "Profile %q lists %d models; at most %d.", p.Name, len(p.ModelWatts), MaxModelWatts)
	}
	for _, model := range slices.Sorted(maps.Keys(p.ModelWatts)) {
		if err := ValidateName("Model", model); err != nil {
			return err
		}
		if w := p.ModelWatts[model]; !(w > 0) || w > maxWatts {
			return Errorf(EINVALID, "Profile %q: watts for model %q must be positive, not %v.", p.Name, model, w)
		}
	}
	if p.Mode == PowerSleep && (p.Watts != 0 || len(p.ModelWatts) > 0) {
		return Errorf(EINVALID, "Profile %q sleeps; it takes no watts.", p.Name)
	}
	if p.Watts > maxWatts {
		return Errorf(EINVALID, "Profile %q: %v watts is beyond any miner.", p.Name, p.Watts)
	}
	// A target without a default wattage is fine as long as some model has
	// one; models it does not list are refused when resolved.
	base := PowerProfile{Mode: p.Mode, Watts: p.Watts}
	if p.Watts == 0 && len(p.ModelWatts) > 0 {
		base.Watts = 1
	}
	if err := base.Validate(); err != nil {
		return WrapError(EINVALID, err, "Profile %q: %s", p.Name, ErrorMessage(err))
	}
	return nil
}

// maxWatts is more than any miner draws; a larger figure is a typo.
const maxWatts = 1e6

// Resolve returns the power profile p means for a miner of model: the
// model's own watts when ModelWatts lists it, else Watts. A target or eco
// profile without watts for that model is an EINVALID error naming the
// profile and the model, for the reconciler to report as the miner's drift.
func (p *Profile) Resolve(model string) (PowerProfile, error) {
	pp := PowerProfile{Mode: p.Mode, Watts: p.Watts}
	if w, ok := p.ModelWatts[model]; ok {
		pp.Watts = w
	}
	if (pp.Mode == PowerTarget || pp.Mode == PowerEco) && pp.Watts <= 0 {
		if model == "" {
			model = "(unknown model)"
		}
		return PowerProfile{}, Errorf(EINVALID, "Profile %q has no watts for model %q; add them with --model-watts or give the profile default watts.", p.Name, model)
	}
	if err := pp.Validate(); err != nil {
		return PowerProfile{}, WrapError(EINVALID, err, "Profile %q: %s", p.Name, ErrorMessage(err))
	}
	return pp, nil
}

// ProfileUsers names, one string each ("site barn", "schedule night
// (sch_0123456789ab)"), the desired-state records and schedules that refer to
// profile name, in the order given. Deleting a profile in use is refused
// with these names, and user interfaces show them.
func ProfileUsers(name string, records []*DesiredRecord, schedules []*Schedule) []string {
	var out []string
	for _, r := range records {
		if r != nil && r.State.Power != nil && r.State.Power.Profile == name {
			out = append(out, fmt.Sprintf("%s %s", r.Scope.Kind, r.Scope.ID))
		}
	}
	for _, s := range schedules {
		if s == nil || s.Change.Kind != ChangePowerProfile {
			continue
		}
		if d, err := s.Change.Desired(); err == nil && d.Power != nil && d.Power.Profile == name {
			out = append(out, fmt.Sprintf("schedule %s (%s)", s.Name, s.ID))
		}
	}
	return out
}

// ProfileService keeps the named power profiles.
type ProfileService interface {
	// FindProfiles returns every profile ordered by name.
	FindProfiles(ctx context.Context) ([]*Profile, error)
	// FindProfileByName returns the profile or ENOTFOUND.
	FindProfileByName(ctx context.Context, name string) (*Profile, error)
	// SetProfile stores p, replacing the profile of that name if there is
	// one, and sets p.UpdatedAt. It returns EINVALID when p does not
	// validate.
	SetProfile(ctx context.Context, p *Profile) error
	// DeleteProfile removes the profile: ENOTFOUND when unknown, ECONFLICT
	// naming a user when a stored desired state or schedule refers to it.
	DeleteProfile(ctx context.Context, name string) error
}

package hearth

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// LocateAnnotation is the annotation of an alerting rule that makes its
// alerts switch the miner's fault light on ("locate": "true"), so that a
// technician walking the rows finds the machine that needs them. The light
// stays on after the alert resolves, until someone acknowledges the alert.
const LocateAnnotation = "locate"

// Locates reports whether a switches its miner's fault light on: its rule
// carries the locate annotation with a true value and the alert names a
// miner.
func (a *Alert) Locates() bool {
	on, err := strconv.ParseBool(strings.TrimSpace(a.Annotations[LocateAnnotation]))
	return err == nil && on && a.Labels["miner"] != ""
}

// Since returns when a's current episode began: ActiveAt, which the rule
// engine restores after a restart, or FiredAt when ActiveAt is unknown. A
// later Since is a new firing of the same alert.
func (a *Alert) Since() time.Time {
	if !a.ActiveAt.IsZero() {
		return a.ActiveAt
	}
	return a.FiredAt
}

// AlertAck is the acknowledgement state of one alert (by fingerprint): an
// alert that switched its miner's fault light on is recorded when it
// fires, and every alert someone acknowledges is recorded with who did it
// and when, so that the alert lists show it and the light goes off.
type AlertAck struct {
	Fingerprint string `json:"fingerprint"`
	Name        string `json:"name"`
	// MinerID is the alert's miner label, "" for an alert about no miner.
	MinerID string `json:"miner_id,omitempty"`
	// Located is true when the alert switched the miner's fault light on.
	Located bool `json:"located"`
	// Since is when the alert's episode began (Alert.Since); a firing
	// that began after AckedAt is a new one and locates again.
	Since time.Time `json:"since,omitzero"`
	// AckedAt and AckedBy say who acknowledged the alert and when; zero
	// while it is not acknowledged.
	AckedAt time.Time `json:"acked_at,omitzero"`
	AckedBy string    `json:"acked_by,omitempty"`
	// LightOffAt is when the fault light was switched off after the
	// acknowledgement; while it is zero on an acknowledged located alert,
	// hearth still has to switch the light off.
	LightOffAt time.Time `json:"light_off_at,omitzero"`
}

// Acknowledged reports whether someone acknowledged the alert.
func (a *AlertAck) Acknowledged() bool { return !a.AckedAt.IsZero() }

// HoldsLight reports whether the alert keeps its miner's light on: it
// located and nobody acknowledged it yet.
func (a *AlertAck) HoldsLight() bool { return a.Located && !a.Acknowledged() }

// AlertAckFilter narrows FindAlertAcks.
type AlertAckFilter struct {
	// MinerID keeps the alerts of one miner.
	MinerID string
	// Fingerprints, when not empty, keeps these alerts.
	Fingerprints []string
	// Located keeps only the alerts that switched a light on.
	Located bool
}

// AlertAckService keeps the acknowledgement state of alerts.
type AlertAckService interface {
	// SetAlertAck stores a, replacing the record of its fingerprint. It
	// returns EINVALID without a fingerprint or name.
	SetAlertAck(ctx context.Context, a *AlertAck) error
	// FindAlertAcks returns the records f chooses, by fingerprint.
	FindAlertAcks(ctx context.Context, f AlertAckFilter) ([]*AlertAck, error)
	// PruneAlertAcks removes the records that no longer matter and are
	// older than before, so that the table does not grow with every alert
	// that ever fired: acknowledged before before with the light off or
	// never located, or never acknowledged nor located and begun before
	// before; in both cases only when the alert is not firing now (its
	// latest alert-history event is not a firing one). A located alert
	// that still holds its light, or whose light hearth has still to
	// switch off, is never removed. It returns how many it removed.
	PruneAlertAcks(ctx context.Context, before time.Time) (int64, error)
}

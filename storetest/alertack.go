package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

func testAlertAckService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	since := Now.Add(-time.Hour)
	located := &hearth.AlertAck{Fingerprint: `FanFailed{fan="fan1",miner="m1"}`, Name: "FanFailed", MinerID: "m1", Located: true, Since: since}
	plain := &hearth.AlertAck{Fingerprint: `PoolDown{miner="m1"}`, Name: "PoolDown", MinerID: "m1", AckedAt: Now, AckedBy: "ops"}
	other := &hearth.AlertAck{Fingerprint: `FanFailed{fan="1",miner="m2"}`, Name: "FanFailed", MinerID: "m2", Located: true, Since: since}
	for _, a := range []*hearth.AlertAck{located, plain, other} {
		if err := st.AlertAcks.SetAlertAck(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AlertAcks.SetAlertAck(ctx, &hearth.AlertAck{Name: "x"}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("without fingerprint: %v, want EINVALID", err)
	}

	all, err := st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	m1, _ := st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{MinerID: "m1", Located: true})
	if len(m1) != 1 || m1[0].Fingerprint != located.Fingerprint || !m1[0].Since.Equal(since) || !m1[0].HoldsLight() || m1[0].Acknowledged() {
		t.Fatalf("located of m1: %+v", m1)
	}
	byFP, _ := st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{Fingerprints: []string{plain.Fingerprint}})
	if len(byFP) != 1 || byFP[0].AckedBy != "ops" || !byFP[0].AckedAt.Equal(Now) || byFP[0].Located || !byFP[0].LightOffAt.IsZero() {
		t.Fatalf("by fingerprint: %+v", byFP)
	}

	// Acknowledging replaces the record, and survives a restart.
	located.AckedAt, located.AckedBy, located.LightOffAt = Now.Add(time.Minute), "tech", Now.Add(2*time.Minute)
	if err := st.AlertAcks.SetAlertAck(ctx, located); err != nil {
		t.Fatal(err)
	}
	st = st.Reopen(t)
	got, _ := st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{Fingerprints: []string{located.Fingerprint}})
	if len(got) != 1 || got[0].HoldsLight() || got[0].AckedBy != "tech" || !got[0].LightOffAt.Equal(Now.Add(2*time.Minute)) {
		t.Fatalf("after acknowledgement and restart: %+v", got)
	}
}

func testAlertAckService_Prune(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	old, recent := Now.Add(-100*24*time.Hour), Now.Add(-time.Hour)
	before := Now.Add(-90 * 24 * time.Hour)
	acks := map[string]*hearth.AlertAck{
		// Pruned: acknowledged long ago, light off again.
		"acked-light-off": {Located: true, Since: old, AckedAt: old, AckedBy: "ops", LightOffAt: old},
		// Pruned: acknowledged long ago, never located.
		"acked-plain": {Since: old, AckedAt: old, AckedBy: "ops"},
		// Pruned: neither acknowledged nor located, begun long ago.
		"never-acked": {Since: old},
		// Kept: acknowledged recently.
		"acked-recently": {Located: true, Since: old, AckedAt: recent, AckedBy: "ops", LightOffAt: recent},
		// Kept: located, never acknowledged, so its light is on.
		"light-on": {Located: true, Since: old},
		// Kept: acknowledged, but hearth has still to switch the light off.
		"light-to-switch-off": {Located: true, Since: old, AckedAt: old, AckedBy: "ops"},
		// Kept: acknowledged long ago, but firing still.
		"still-firing": {Since: old, AckedAt: old, AckedBy: "ops"},
		// Pruned: fired again after resolving, and resolved again.
		"resolved-again": {Since: old, AckedAt: old, AckedBy: "ops"},
	}
	for fp, a := range acks {
		a.Fingerprint, a.Name, a.MinerID = fp, "MinerOverTemperature", "m1"
		if err := st.AlertAcks.SetAlertAck(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	events := []*hearth.AlertEvent{
		{Fingerprint: "still-firing", Name: "MinerOverTemperature", State: hearth.AlertFiring, At: old},
		{Fingerprint: "resolved-again", Name: "MinerOverTemperature", State: hearth.AlertFiring, At: old},
		{Fingerprint: "resolved-again", Name: "MinerOverTemperature", State: hearth.AlertResolved, At: old.Add(time.Hour)},
	}
	if err := st.History.RecordAlertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}

	n, err := st.AlertAcks.PruneAlertAcks(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("pruned %d records, want 4", n)
	}
	left, err := st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range left {
		got = append(got, a.Fingerprint)
	}
	want := []string{"acked-recently", "light-on", "light-to-switch-off", "still-firing"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}

	// A located alert holding its light is kept however old.
	if n, err := st.AlertAcks.PruneAlertAcks(ctx, Now.Add(24*time.Hour)); err != nil || n != 1 {
		t.Errorf("prune everything before tomorrow: %d, %v; want 1 (the recent acknowledgement)", n, err)
	}
	left, _ = st.AlertAcks.FindAlertAcks(ctx, hearth.AlertAckFilter{})
	if len(left) != 3 || left[0].Fingerprint != "light-on" || !left[0].HoldsLight() {
		t.Errorf("after pruning everything: %+v", left)
	}
}

package storetest

import (
	"context"
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

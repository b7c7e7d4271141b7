package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
)

// gridEvent is an OpenADR event shedding half of site barn for an hour.
func gridEvent() *hearth.PowerRequest {
	return &hearth.PowerRequest{ID: "evt-7/0", Source: hearth.SourceOpenADR, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 0.5,
		Start: Now.Add(time.Hour), End: Now.Add(2 * time.Hour), Reason: "peak shave"}
}

func testPowerRequestService(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	evt := gridEvent()
	override := &hearth.PowerRequest{ID: "ops-1", Source: hearth.SourceOverride, Site: "barn", Kind: hearth.RequestLimit, LimitWatts: 120_000,
		Start: Now, CreatedBy: "token:ops"}
	price := &hearth.PowerRequest{ID: "price", Source: hearth.SourcePrice, Site: "garage", Kind: hearth.RequestShed, ShedFraction: 1,
		Start: Now.Add(-2 * time.Hour), End: Now.Add(-time.Hour)}
	for _, r := range []*hearth.PowerRequest{evt, override, price} {
		if err := st.Power.SetPowerRequest(ctx, r); err != nil {
			t.Fatalf("set %s: %v", r.ID, err)
		}
	}
	all, err := st.Power.FindPowerRequests(ctx, hearth.PowerRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != "evt-7/0" || all[1].ID != "ops-1" || all[2].ID != "price" {
		t.Fatalf("all requests %v, want barn's openadr and override, then garage's price", requestIDs(all))
	}
	got := all[0]
	if got.Kind != hearth.RequestShed || got.ShedFraction != 0.5 || !got.Start.Equal(evt.Start) || !got.End.Equal(evt.End) || got.Reason != "peak shave" || got.CreatedAt.IsZero() {
		t.Errorf("stored event %+v, want %+v", got, evt)
	}
	if o := all[1]; !o.End.IsZero() || o.LimitWatts != 120_000 || o.CreatedBy != "token:ops" {
		t.Errorf("stored override %+v", o)
	}

	for _, tc := range []struct {
		name string
		f    hearth.PowerRequestFilter
		want string
	}{
		{"active now", hearth.PowerRequestFilter{ActiveAt: Now}, "[ops-1]"},
		{"active during the event", hearth.PowerRequestFilter{ActiveAt: Now.Add(90 * time.Minute)}, "[evt-7/0 ops-1]"},
		{"active at the event's end", hearth.PowerRequestFilter{ActiveAt: Now.Add(2 * time.Hour)}, "[ops-1]"},
		{"by site", hearth.PowerRequestFilter{Site: "garage"}, "[price]"},
		{"by source", hearth.PowerRequestFilter{Source: hearth.SourceOverride}, "[ops-1]"},
		{"lapsed", hearth.PowerRequestFilter{EndedBefore: Now}, "[price]"},
	} {
		got, err := st.Power.FindPowerRequests(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if s := requestIDs(got); s != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, s, tc.want)
		}
	}

	// The VTN modified the event: the same source, site and ID replace it.
	evt.ShedFraction, evt.End = 1, Now.Add(3*time.Hour)
	if err := st.Power.SetPowerRequest(ctx, evt); err != nil {
		t.Fatal(err)
	}
	got2, _ := st.Power.FindPowerRequests(ctx, hearth.PowerRequestFilter{Source: hearth.SourceOpenADR})
	if len(got2) != 1 || got2[0].ShedFraction != 1 || !got2[0].End.Equal(evt.End) {
		t.Errorf("after modification %v", got2)
	}

	if err := st.Power.DeletePowerRequest(ctx, hearth.SourceOverride, "barn", "ops-1"); err != nil {
		t.Fatal(err)
	}
	if err := st.Power.DeletePowerRequest(ctx, hearth.SourceOverride, "barn", "ops-1"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
	if err := st.Power.SetPowerRequest(ctx, &hearth.PowerRequest{ID: "x", Source: hearth.SourceSignal, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 2, Start: Now}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("shed of 2: %v, want EINVALID", err)
	}
}

// A grid event in progress survives a restart of hearth.
func testPowerRequestService_Reopen(t *testing.T, open Opener) {
	st := open(t)
	ctx := context.Background()
	if err := st.Power.SetPowerRequest(ctx, gridEvent()); err != nil {
		t.Fatal(err)
	}
	st = st.Reopen(t)
	got, err := st.Power.FindPowerRequests(ctx, hearth.PowerRequestFilter{ActiveAt: Now.Add(90 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ShedFraction != 0.5 {
		t.Errorf("after reopen %v, want the event", requestIDs(got))
	}
}

// requestIDs lists the requests' IDs.
func requestIDs(rs []*hearth.PowerRequest) string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return fmt.Sprint(out)
}

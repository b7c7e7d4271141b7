package http_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	hearthhttp "github.com/hearth-fleet/hearth/http"
)

type fleetTotals struct {
	Total          int       `json:"total"`
	Online         int       `json:"online"`
	Offline        int       `json:"offline"`
	Unknown        int       `json:"unknown"`
	Paused         int       `json:"paused"`
	HashRate       float64   `json:"hashrate_hs"`
	Power          float64   `json:"power_w"`
	PowerEstimated bool      `json:"power_estimated"`
	Efficiency     float64   `json:"efficiency_j_per_th"`
	Now            time.Time `json:"now"`
}

func getFleet(t *testing.T, h http.Handler, query string) fleetTotals {
	t.Helper()
	rec := serve(h, request("GET", "/api/v1/fleet"+query, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var f fleetTotals
	decode(t, rec, &f)
	return f
}

func TestFleet(t *testing.T) {
	f := newFixture(t)

	t.Run("All", func(t *testing.T) {
		got := getFleet(t, f.Handler, "")
		if got.Total != 5 || got.Online != 3 || got.Offline != 1 || got.Unknown != 1 || got.Paused != 0 {
			t.Fatalf("counts = %+v", got)
		}
		// Only online miners count: the offline one's old reading
		// (100 TH/s, 3000 W) must not be in the totals.
		if want := (104 + 200 + 1.2) * 1e12; math.Abs(got.HashRate-want) > 1 {
			t.Fatalf("hashrate = %v, want %v", got.HashRate, want)
		}
		if want := 3068 + 3500 + 18.5; got.Power != want {
			t.Fatalf("power = %v, want %v", got.Power, want)
		}
		if !got.PowerEstimated {
			t.Fatal("power_estimated should be true: the Antminers' power is estimated")
		}
		if want := (3068 + 3500 + 18.5) / (104 + 200 + 1.2); math.Abs(got.Efficiency-want) > 1e-9 {
			t.Fatalf("efficiency = %v, want %v", got.Efficiency, want)
		}
		if !got.Now.Equal(testNow) {
			t.Fatalf("now = %v", got.Now)
		}
	})

	t.Run("Site", func(t *testing.T) {
		got := getFleet(t, f.Handler, "?site=home")
		if got.Total != 1 || got.Online != 1 || got.HashRate != 1.2e12 || got.Power != 18.5 || got.PowerEstimated {
			t.Fatalf("home = %+v", got)
		}
	})

	t.Run("Paused", func(t *testing.T) {
		status := StatusService{"s19-a": onlineStatus("s19-a", 0, 0, false)}
		status["s19-a"].Latest.Paused = true
		s := &hearthhttp.Server{MinerService: f.Miners, StatusService: status}
		got := getFleet(t, s.Handler(), "")
		if got.Paused != 1 || got.Online != 1 || got.Efficiency != 0 {
			t.Fatalf("paused = %+v", got)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := &hearthhttp.Server{MinerService: NewMinerService()}
		if got := getFleet(t, s.Handler(), ""); got.Total != 0 || got.HashRate != 0 || got.Efficiency != 0 {
			t.Fatalf("empty = %+v", got)
		}
	})
}

package http

import (
	"net/http"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// FleetSummary is the body of GET /api/v1/fleet: the counts and totals the
// top of the fleet page shows.
type FleetSummary struct {
	Total   int `json:"total"`
	Online  int `json:"online"`
	Offline int `json:"offline"`
	Unknown int `json:"unknown"`
	// Paused counts online miners that report mining paused or asleep.
	Paused int `json:"paused"`
	// HashRate and Power sum the online miners, in H/s and W.
	HashRate float64 `json:"hashrate_hs"`
	Power    float64 `json:"power_w"`
	// PowerEstimated is true when any miner in Power has estimated power.
	PowerEstimated bool `json:"power_estimated"`
	// Efficiency is the power over the hash rate, in J/TH, of the online
	// miners that report both; zero when none does.
	Efficiency float64   `json:"efficiency_j_per_th"`
	Now        time.Time `json:"now"`
}

// handleFleet serves GET /api/v1/fleet, optionally for one site.
func (s *Server) handleFleet(w http.ResponseWriter, r *http.Request) {
	filter := hearth.MinerFilter{Site: strings.TrimSpace(r.URL.Query().Get("site"))}
	miners, _, err := s.MinerService.FindMiners(r.Context(), filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := FleetSummary{Total: len(miners), Now: s.now()}
	var effPower, effHash float64
	for _, m := range miners {
		st := summarize(s.minerStatus(m.ID))
		switch st.State {
		case hearth.StateOnline:
			resp.Online++
		case hearth.StateOffline:
			resp.Offline++
		default:
			resp.Unknown++
		}
		if st.Paused {
			resp.Paused++
		}
		resp.HashRate += st.HashRate
		resp.Power += st.Power
		resp.PowerEstimated = resp.PowerEstimated || st.PowerEstimated
		if st.Power > 0 && st.HashRate > 0 {
			effPower += st.Power
			effHash += st.HashRate
		}
	}
	// The fleet's efficiency is that of one big miner made of the rest.
	resp.Efficiency = (&hearth.Reading{Power: effPower, HashRate: effHash}).Efficiency()
	writeJSON(w, http.StatusOK, resp)
}

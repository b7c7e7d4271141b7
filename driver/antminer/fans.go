package antminer

import "github.com/hearth-fleet/hearth"

// fans turns fan1..fanN of st into hearth fans. A fan at 0 RPM on an
// air-cooled miner is reported, because that is how a failed fan shows.
// Water-cooled models (hydro) report placeholder zeros and get no fans.
//
// When the firmware lists more fan fields than fan_num (some models keep
// fields for every header), the fans are the fan_num consecutive fields
// from the first that turns.
func fans(st *stats, hydro bool) []hearth.Fan {
	if hydro {
		return nil
	}
	var buf [maxFans]int
	listed := buf[:0]
	first := -1
	for n := 1; n <= maxFans; n++ {
		if st.fans[n].listed {
			listed = append(listed, n)
			if first < 0 && st.fans[n].rpm > 0 {
				first = len(listed) - 1
			}
		}
	}
	first = max(first, 0)
	if st.fanNum > 0 && len(listed) > st.fanNum {
		start := min(first, len(listed)-st.fanNum)
		listed = listed[start : start+st.fanNum]
	}
	out := make([]hearth.Fan, 0, len(listed))
	for i, n := range listed {
		out = append(out, hearth.Fan{Index: i, RPM: st.fans[n].rpm})
	}
	return out
}

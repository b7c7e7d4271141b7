package epic

import (
	"bytes"
	"encoding/json"
)

// boardTemps is GET /temps: for each board slot, the readings of its PCB
// sensors in °C ([{"Index":1,"Data":[55.062,67.0],"Total":0.0}, ...]).
type boardTemps []struct {
	Index int       `json:"Index"`
	Data  []float64 `json:"Data"`
}

// decodeBoardTemps parses a /temps body; anything but a JSON array is an
// error.
func decodeBoardTemps(b []byte) (boardTemps, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil, errNotTemps
	}
	var t boardTemps
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return t, nil
}

// span returns the coldest and hottest positive sensor reading of the
// board in slot index: hearth takes them as the inlet and outlet edge, as
// asic-rs does. ok is false when the board has no usable reading.
func (t boardTemps) span(index int) (lo, hi float64, ok bool) {
	for _, b := range t {
		if b.Index != index {
			continue
		}
		for _, v := range b.Data {
			v = nonNegative(v)
			if v <= 0 {
				continue
			}
			if !ok || v < lo {
				lo = v
			}
			if !ok || v > hi {
				hi = v
			}
			ok = true
		}
	}
	return lo, hi, ok
}

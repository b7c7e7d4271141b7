package antminer

import "github.com/hearth-fleet/hearth/driver/cgminer"

// quad is a sensor group such as temp_chipN or temp_pcbN: bmminer prints
// four readings per chain as "78-50-69-70" (zeros for an absent chain).
// Readings of 0 are missing sensors and are skipped.
type quad struct {
	v [8]float64
	n int
}

// parseQuad reads a dash-separated group. A plain number counts as a group
// of one; anything unreadable gives an empty group.
func parseQuad(v cgminer.Value) quad {
	var q quad
	if v.Kind() == cgminer.KindNumber {
		f, _ := v.Float()
		q.v[0], q.n = temperature(f), 1
		return q
	}
	b := v.Raw()
	if v.Kind() != cgminer.KindString {
		return q
	}
	for len(b) > 0 && q.n < len(q.v) {
		var f, scale float64
		digits := false
		i := 0
		for ; i < len(b) && b[i] != '-'; i++ {
			switch c := b[i]; {
			case '0' <= c && c <= '9':
				digits = true
				if scale == 0 {
					f = f*10 + float64(c-'0')
				} else {
					scale /= 10
					f += float64(c-'0') * scale
				}
			case c == '.' && scale == 0:
				scale = 1
			case c == ' ':
			default:
				return quad{}
			}
		}
		if digits {
			q.v[q.n] = temperature(f)
			q.n++
		}
		if i < len(b) {
			i++ // '-'
		}
		b = b[i:]
	}
	return q
}

// max returns the highest reading, or 0.
func (q quad) max() float64 { return maxOf(q.v[:q.n]) }

// inlet returns the coldest reading of the first half of the group, the
// sensors at the board's intake edge.
func (q quad) inlet() float64 { return minOf(q.v[:q.n/2]) }

// outlet returns the hottest reading of the second half of the group, the
// sensors at the board's exhaust edge.
func (q quad) outlet() float64 { return maxOf(q.v[q.n/2 : q.n]) }

func maxOf(v []float64) float64 {
	var m float64
	for _, f := range v {
		m = max(m, f)
	}
	return m
}

func minOf(v []float64) float64 {
	var m float64
	for _, f := range v {
		if f > 0 && (m == 0 || f < m) {
			m = f
		}
	}
	return m
}

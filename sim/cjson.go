package sim

import (
	"math"
	"strconv"
)

// cjsonWriter renders JSON exactly as cJSON_Print (cJSON 1.7, formatted)
// does, which is what ESP-Miner sends: a newline after "{", one tab per
// depth before each key, a tab after the colon, ", " between array items,
// and numbers printed as integers when integral, else with %1.15g, or %1.17g
// when 15 digits do not round-trip. Float32 readings (power, temp) therefore
// arrive with their binary noise, e.g. 15.479999542236328.
type cjsonWriter struct {
	b     []byte
	depth int            // open objects and arrays
	first [maxDepth]bool // per open level: nothing written in it yet
}

// maxDepth is the deepest nesting the simulated replies use, with room.
const maxDepth = 8

func (w *cjsonWriter) push() {
	w.depth++
	w.first[w.depth] = true
}

func (w *cjsonWriter) beginObject() {
	w.b = append(w.b, '{', '\n')
	w.push()
}

func (w *cjsonWriter) endObject() {
	if !w.first[w.depth] {
		w.b = append(w.b, '\n')
	}
	w.depth--
	w.indent(w.depth)
	w.b = append(w.b, '}')
}

func (w *cjsonWriter) beginArray() {
	w.b = append(w.b, '[')
	w.push()
}

func (w *cjsonWriter) endArray() {
	w.depth--
	w.b = append(w.b, ']')
}

// item starts the next element of the open array.
func (w *cjsonWriter) item() {
	if !w.first[w.depth] {
		w.b = append(w.b, ',', ' ')
	}
	w.first[w.depth] = false
}

func (w *cjsonWriter) indent(n int) {
	for i := 0; i < n; i++ {
		w.b = append(w.b, '\t')
	}
}

// key starts the next member of the open object.
func (w *cjsonWriter) key(name string) {
	if !w.first[w.depth] {
		w.b = append(w.b, ',', '\n')
	}
	w.first[w.depth] = false
	w.indent(w.depth)
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':', '\t')
}

func (w *cjsonWriter) str(name, v string) {
	w.key(name)
	w.b = appendCJSONString(w.b, v)
}

func (w *cjsonWriter) num(name string, v float64) {
	w.key(name)
	w.b = appendCJSONNumber(w.b, v)
}

// f32 writes a value the firmware holds in a C float.
func (w *cjsonWriter) f32(name string, v float64) {
	w.num(name, float64(float32(v)))
}

// appendCJSONNumber formats d as cJSON's print_number does.
func appendCJSONNumber(b []byte, d float64) []byte {
	switch {
	case math.IsNaN(d) || math.IsInf(d, 0):
		return append(b, "null"...)
	case d == math.Trunc(d) && d >= math.MinInt32 && d <= math.MaxInt32:
		return strconv.AppendInt(b, int64(d), 10)
	}
	// %1.15g is used when it round-trips, that is when the shortest exact
	// representation needs no more than 15 significant digits.
	var scratch [32]byte
	shortest := strconv.AppendFloat(scratch[:0], d, 'e', -1, 64)
	digits := 0
	for _, c := range shortest {
		if c == 'e' {
			break
		}
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits <= 15 {
		return strconv.AppendFloat(b, d, 'g', 15, 64)
	}
	return strconv.AppendFloat(b, d, 'g', 17, 64)
}

// appendCJSONString quotes s with cJSON's escapes.
func appendCJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

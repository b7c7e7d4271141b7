package sim

import (
	"strconv"
)

// apiWriter renders a CGMiner RPC reply the way bmminer's api.c does, in
// JSON or in the text form, into one growing byte slice. It mirrors
// print_data(): a record is "{" fields "}" in JSON and fields "|" in text;
// fields are "name":value or name=value, separated by commas. Values are
// formatted with the C formats of each api type (%.2f for GH/s, %.8f for
// difficulties, %.4f for percentages), using strconv so that a reply costs
// no allocation beyond its buffer.
type apiWriter struct {
	b    []byte
	json bool
	n    int // fields in the current record
	// desc is the STATUS Description; "" means apiDescription (bmminer).
	desc string
}

// status writes the STATUS section that opens every reply. Description is
// left out when desc is false: cgminer omits it for "Invalid command", so
// that random probes do not learn the version.
func (w *apiWriter) status(severity byte, when int64, code int, msg string, desc bool) {
	if w.json {
		w.b = append(w.b, `{"STATUS":[`...)
	}
	w.open(false)
	w.key("STATUS")
	if w.json {
		w.b = append(w.b, '"', severity, '"')
	} else {
		w.b = append(w.b, severity)
	}
	w.int("When", when)
	w.int("Code", int64(code))
	w.esc("Msg", msg)
	if desc {
		if w.desc != "" {
			w.esc("Description", w.desc)
		} else {
			w.esc("Description", apiDescription)
		}
	}
	w.close()
	if w.json {
		w.b = append(w.b, ']')
	}
}

// apiDescription is bmminer's --api-description as Antminers report it.
const apiDescription = "cgminer 1.0.0"

// section starts a named data section. In text mode only some commands
// print a header ("SUMMARY," and "VERSION,"); textHeader says whether this
// one does.
func (w *apiWriter) section(name string, textHeader bool) {
	if w.json {
		w.b = append(w.b, `,"`...)
		w.b = append(w.b, name...)
		w.b = append(w.b, `":[`...)
	} else if textHeader {
		w.b = append(w.b, name...)
		w.b = append(w.b, ',')
	}
}

// end closes the reply: the open section, the id and the terminating NUL
// that send_result() always sends.
func (w *apiWriter) end(sectionOpen bool) {
	if w.json {
		if sectionOpen {
			w.b = append(w.b, ']')
		}
		w.b = append(w.b, `,"id":1}`...)
	}
	w.b = append(w.b, 0)
}

// open starts a record; precom puts a comma before it, as print_data does
// for every record after the first. bmminer's stats passes false for the
// record after its version block, which gives the "}{" quirk.
func (w *apiWriter) open(precom bool) {
	if precom && w.json {
		w.b = append(w.b, ',')
	}
	if w.json {
		w.b = append(w.b, '{')
	}
	w.n = 0
}

// close ends a record.
func (w *apiWriter) close() {
	if w.json {
		w.b = append(w.b, '}')
	} else {
		w.b = append(w.b, '|')
	}
}

func (w *apiWriter) key(name string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	if w.json {
		w.b = append(w.b, '"')
		w.b = append(w.b, name...)
		w.b = append(w.b, `":`...)
	} else {
		w.b = append(w.b, name...)
		w.b = append(w.b, '=')
	}
}

// str writes an API_STRING/API_CONST value: quoted in JSON, never escaped.
func (w *apiWriter) str(name, v string) {
	w.key(name)
	if w.json {
		w.b = append(w.b, '"')
		w.b = append(w.b, v...)
		w.b = append(w.b, '"')
	} else {
		w.b = append(w.b, v...)
	}
}

// esc writes an API_ESCAPE value: JSON escapes " and \, text escapes
// , | = and \ with a backslash (api.c escape_string).
func (w *apiWriter) esc(name, v string) {
	w.key(name)
	if w.json {
		w.b = append(w.b, '"')
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '\\':
			w.b = append(w.b, '\\')
		case '"':
			if w.json {
				w.b = append(w.b, '\\')
			}
		case ',', '|', '=':
			if !w.json {
				w.b = append(w.b, '\\')
			}
		}
		w.b = append(w.b, c)
	}
	if w.json {
		w.b = append(w.b, '"')
	}
}

func (w *apiWriter) int(name string, v int64) {
	w.key(name)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *apiWriter) uint(name string, v uint64) {
	w.key(name)
	w.b = strconv.AppendUint(w.b, v, 10)
}

// fixed writes v with prec decimals, as C's %.<prec>f.
func (w *apiWriter) fixed(name string, v float64, prec int) {
	w.key(name)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

func (w *apiWriter) bool(name string, v bool) {
	w.key(name)
	w.b = strconv.AppendBool(w.b, v)
}

// ghsString writes a rate in GH/s as a JSON string with two decimals, or "" when
// rate is negative: bmminer's chain_rateN ("37603.30", "" for an empty
// slot).
func (w *apiWriter) ghsString(name string, rate float64) {
	w.key(name)
	if w.json {
		w.b = append(w.b, '"')
	}
	if rate >= 0 {
		w.b = strconv.AppendFloat(w.b, rate, 'f', 2, 64)
	}
	if w.json {
		w.b = append(w.b, '"')
	}
}

// quad writes a dash-separated sensor quad such as "78-50-69-70" as a
// string.
func (w *apiWriter) quad(name string, q [4]int) {
	w.key(name)
	if w.json {
		w.b = append(w.b, '"')
	}
	for i, v := range q {
		if i > 0 {
			w.b = append(w.b, '-')
		}
		w.b = strconv.AppendInt(w.b, int64(v), 10)
	}
	if w.json {
		w.b = append(w.b, '"')
	}
}

// numbered returns prefix1 .. prefix4, the per-chain and per-fan keys of
// bmminer stats, built once so that rendering allocates nothing.
func numbered(prefix string) [maxBoards + 1]string {
	var out [maxBoards + 1]string
	for i := 1; i <= maxBoards; i++ {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

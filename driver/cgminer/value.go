package cgminer

import (
	"encoding/json"
	"iter"
	"strings"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of JSON values. KindInvalid is the kind of a Value that does
// not exist, such as a missing member.
const (
	KindInvalid Kind = iota
	KindNull
	KindBool
	KindNumber
	KindString
	KindObject
	KindArray
)

// String names the kind for messages and tests.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindBool:
		return "bool"
	case KindNumber:
		return "number"
	case KindString:
		return "string"
	case KindObject:
		return "object"
	case KindArray:
		return "array"
	}
	return "invalid"
}

// Value is one value of a Document. The zero Value stands for a missing
// value: its accessors report nothing, so a chain of lookups never needs a
// nil check. Values are small and meant to be passed by value.
type Value struct {
	d *Document
	i int32
}

func (v Value) node() *node { return &v.d.nodes[v.i] }

// Kind returns the JSON type, or KindInvalid for a missing value.
func (v Value) Kind() Kind {
	if v.d == nil {
		return KindInvalid
	}
	return v.node().kind
}

// Exists reports whether the value is present in the reply.
func (v Value) Exists() bool { return v.d != nil }

// Raw returns the value's bytes as they appear in the reply: the content
// without quotes for a string, the whole text otherwise. The slice shares
// the reply's memory and must not be modified.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	n := v.node()
	return v.d.buf[n.start:n.end]
}

// Float returns the value as a number. Numbers and strings holding a
// number (space padded or not) are accepted alike, because firmwares send
// the same field either way. ok is false for anything else, and for
// infinities and NaN, which have no place in a reading.
func (v Value) Float() (f float64, ok bool) {
	switch v.Kind() {
	case KindNumber:
		return parseFloat(v.Raw())
	case KindString:
		if v.node().escaped {
			return parseFloat(trimSpace([]byte(v.Text())))
		}
		return parseFloat(trimSpace(v.Raw()))
	}
	return 0, false
}

// Uint returns the value as a non-negative integer, accepting what Float
// accepts. A fraction is truncated; negative or out-of-range values give
// ok false.
func (v Value) Uint() (u uint64, ok bool) {
	raw := v.Raw()
	switch v.Kind() {
	case KindString:
		if v.node().escaped {
			raw = []byte(v.Text())
		}
		raw = trimSpace(raw)
	case KindNumber:
	default:
		return 0, false
	}
	if u, ok := parseUint(raw); ok {
		return u, true
	}
	f, ok := parseFloat(raw)
	if !ok || f < 0 || f >= 1<<64 {
		return 0, false
	}
	return uint64(f), true
}

// Int returns the value as an integer, accepting what Float accepts. A
// fraction is truncated; out-of-range values give ok false.
func (v Value) Int() (n int64, ok bool) {
	raw := v.Raw()
	switch v.Kind() {
	case KindString:
		if v.node().escaped {
			raw = []byte(v.Text())
		}
		raw = trimSpace(raw)
	case KindNumber:
	default:
		return 0, false
	}
	neg := len(raw) > 0 && raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	if u, ok := parseUint(digits); ok && u <= 1<<63 {
		if neg {
			return -int64(u), true // -(1<<63) wraps to itself, as it should
		}
		if u < 1<<63 {
			return int64(u), true
		}
	}
	f, ok := parseFloat(raw)
	if !ok || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// Bool returns the value as a boolean: JSON true and false, the strings
// "true"/"false", "Y"/"N" and "yes"/"no" that cgminer uses, and numbers
// (non-zero is true).
func (v Value) Bool() (b bool, ok bool) {
	switch v.Kind() {
	case KindBool:
		return v.Raw()[0] == 't', true
	case KindNumber:
		f, ok := v.Float()
		return f != 0, ok
	case KindString:
		switch strings.ToLower(string(trimSpace(v.Raw()))) {
		case "true", "y", "yes", "1":
			return true, true
		case "false", "n", "no", "0":
			return false, true
		}
	}
	return false, false
}

// Text returns a string's content with escapes decoded, or the text of a
// number or boolean. It returns "" for null, containers and missing values.
func (v Value) Text() string {
	switch v.Kind() {
	case KindString:
		n := v.node()
		if !n.escaped {
			return string(v.Raw())
		}
		return unescape(v.d.buf[n.start-1 : n.end+1])
	case KindNumber, KindBool:
		return string(v.Raw())
	}
	return ""
}

// Object returns the value as an object, or an empty Object if it is not
// one.
func (v Value) Object() Object {
	if v.Kind() != KindObject {
		return Object{}
	}
	return Object(v)
}

// Array returns the value as an array, or an empty Array if it is not one.
func (v Value) Array() Array {
	if v.Kind() != KindArray {
		return Array{}
	}
	return Array(v)
}

// unescape decodes a quoted JSON string. Only strings with escapes come
// here, which cgminer replies rarely hold, so the standard library's
// decoder is fast enough and surely right.
func unescape(quoted []byte) string {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return string(quoted[1 : len(quoted)-1])
	}
	return s
}

// Object is a JSON object of a Document, such as one entry of a section.
// The zero Object is empty. Lookups scan the members in order, which for
// the few dozen members of a cgminer object is faster than building a map.
type Object struct {
	d *Document
	i int32
}

// Exists reports whether the object is present in the reply.
func (o Object) Exists() bool { return o.d != nil }

// Len returns the number of members.
func (o Object) Len() int {
	n := 0
	for range o.All() {
		n++
	}
	return n
}

// All yields the members in reply order. The key shares the reply's memory
// (decoded if it held escapes) and must not be modified or kept beyond the
// Document's life.
func (o Object) All() iter.Seq2[[]byte, Value] {
	return func(yield func([]byte, Value) bool) {
		if o.d == nil {
			return
		}
		nodes := o.d.nodes
		for c := o.i + 1; c < nodes[o.i].next; c = nodes[c].next {
			if !yield(o.d.key(c), Value{o.d, c}) {
				return
			}
		}
	}
}

// key returns the member name of node c.
func (d *Document) key(c int32) []byte {
	n := &d.nodes[c]
	if n.keyEscaped {
		return []byte(unescape(d.buf[n.keyStart-1 : n.keyEnd+1]))
	}
	return d.buf[n.keyStart:n.keyEnd]
}

// Get returns the member named key. When a key repeats, the first wins.
func (o Object) Get(key string) (Value, bool) {
	if o.d == nil {
		return Value{}, false
	}
	nodes, buf := o.d.nodes, o.d.buf
	for c := o.i + 1; c < nodes[o.i].next; c = nodes[c].next {
		n := &nodes[c]
		if n.keyEscaped {
			if string(o.d.key(c)) == key {
				return Value{o.d, c}, true
			}
			continue
		}
		if int(n.keyEnd-n.keyStart) == len(key) && string(buf[n.keyStart:n.keyEnd]) == key {
			return Value{o.d, c}, true
		}
	}
	return Value{}, false
}

// Has reports whether the object has a member named key.
func (o Object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// Float returns member key as a number (see Value.Float), or 0.
func (o Object) Float(key string) float64 {
	v, _ := o.Get(key)
	f, _ := v.Float()
	return f
}

// Uint returns member key as a non-negative integer (see Value.Uint), or 0.
func (o Object) Uint(key string) uint64 {
	v, _ := o.Get(key)
	u, _ := v.Uint()
	return u
}

// Int returns member key as an integer (see Value.Int), or 0.
func (o Object) Int(key string) int64 {
	v, _ := o.Get(key)
	n, _ := v.Int()
	return n
}

// String returns member key as text (see Value.Text), or "".
func (o Object) String(key string) string {
	v, _ := o.Get(key)
	return v.Text()
}

// Bool returns member key as a boolean (see Value.Bool), or false.
func (o Object) Bool(key string) bool {
	v, _ := o.Get(key)
	b, _ := v.Bool()
	return b
}

// Array is a JSON array of a Document, such as a section. The zero Array
// is empty.
type Array struct {
	d *Document
	i int32
}

// Len returns the number of elements.
func (a Array) Len() int {
	n := 0
	for range a.All() {
		n++
	}
	return n
}

// At returns element i, or a missing Value when i is out of range.
func (a Array) At(i int) Value {
	for j, v := range a.All() {
		if j == i {
			return v
		}
	}
	return Value{}
}

// Object returns element i as an object, or an empty Object.
func (a Array) Object(i int) Object { return a.At(i).Object() }

// All yields the elements with their positions.
func (a Array) All() iter.Seq2[int, Value] {
	return func(yield func(int, Value) bool) {
		if a.d == nil {
			return
		}
		nodes := a.d.nodes
		j := 0
		for c := a.i + 1; c < nodes[a.i].next; c = nodes[c].next {
			if !yield(j, Value{a.d, c}) {
				return
			}
			j++
		}
	}
}

package cgminer

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
)

// maxDepth bounds the nesting of a reply. Real replies nest three levels
// deep; the bound keeps a hostile reply from exhausting the stack.
const maxDepth = 64

// Document is one parsed reply: a read-only tree over the reply's bytes.
//
// It is built in a single pass into a flat slice of nodes, so reading a
// section costs no further parsing and no allocation beyond the strings a
// caller asks for. A Document must not be modified; it is safe for
// concurrent reads.
type Document struct {
	buf   []byte
	nodes []node
	// truncated is set when the reply was cut short and only the members
	// before the cut could be read.
	truncated bool
}

// Truncated reports whether the reply was cut short (by a firmware's full
// buffer, or a connection dropped mid-reply) and repaired by closing it
// after its last whole member. What it holds is true, but parts may be
// missing, and callers should say so.
func (d *Document) Truncated() bool { return d != nil && d.truncated }

// node is one JSON value. Containers are followed by their children in
// document order; next is the index just past a node's subtree, which is
// how siblings are found without pointers.
type node struct {
	// keyStart and keyEnd delimit the member name (without quotes) when
	// the node is an object member.
	keyStart, keyEnd int32
	// start and end delimit the value: its text for scalars, the content
	// between the quotes for strings, brackets included for containers.
	start, end int32
	next       int32
	kind       Kind
	// escaped and keyEscaped report that the value or the key needs
	// decoding before use: it holds backslash escapes or invalid UTF-8
	// (which decodes to U+FFFD, as encoding/json does).
	escaped    bool
	keyEscaped bool
}

// Decode turns the raw bytes of a reply into a Document: it cuts the reply
// at its first NUL, repairs what firmwares break and parses the result.
//
// The commonest quirks cost nothing: the parser itself accepts bmminer's
// missing comma between objects ("}{"), its leading comma ("[,{") and
// trailing commas (",}", ",]"). Only a reply that still fails to parse,
// holds a newline, or holds the strings "inf" or "nan" goes through Repair
// and a second parse, so a well-formed reply is read exactly once.
//
// A reply that is the text a cgminer proxy sends when the mining process is
// down ("Socket connect failed: Connection refused") gives an EUNAVAILABLE
// error; bytes that are not JSON even after repair give EPROTOCOL with a
// short, printable excerpt. Decode does not look at the reply's STATUS;
// see Document.Check.
func Decode(raw []byte) (*Document, error) {
	d := new(Document)
	if err := d.decode(raw); err != nil {
		return nil, err
	}
	return d, nil
}

// decode fills d from raw; see Decode.
func (d *Document) decode(raw []byte) error {
	raw = cutNUL(raw)
	if isConnectFailed(raw) {
		return hearthError(hearth.EUNAVAILABLE, nil, "Miner's API is up but its mining process is not: %s", excerpt(raw))
	}
	if bytes.IndexByte(raw, '\n') < 0 {
		if clean, err := d.parse(raw); err == nil && clean {
			return nil
		}
	}
	if _, err := d.parse(Repair(raw)); err != nil {
		return hearthError(hearth.EPROTOCOL, err, "Miner answered with unreadable data: %s", excerpt(raw))
	}
	d.truncated = isTruncated(raw)
	return nil
}

// Bytes returns the repaired reply the Document was parsed from.
func (d *Document) Bytes() []byte { return d.buf }

// Root returns the top-level value, normally an object.
func (d *Document) Root() Value {
	if d == nil || len(d.nodes) == 0 {
		return Value{}
	}
	return Value{d: d, i: 0}
}

// Section returns the array named name at the top level, such as SUMMARY,
// POOLS, STATS, VERSION or DEVS. A missing section, or one that is not an
// array, gives an empty Array.
func (d *Document) Section(name string) Array {
	v, _ := d.Root().Object().Get(name)
	return v.Array()
}

// First returns the first object of the named section: SUMMARY and
// VERSION replies hold exactly one.
func (d *Document) First(name string) Object {
	return d.Section(name).Object(0)
}

// parseError says where and why a reply is not JSON. Its text is for logs;
// users see the excerpt that Decode adds.
type parseError struct {
	offset int
	reason string
}

func (e *parseError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.offset, e.reason)
}

// parse builds the node tree of b, which must hold exactly one JSON value
// surrounded by optional whitespace. clean is false when the reply holds a
// quirk that the parser accepts but Repair must still fix (the strings
// "inf" and "nan", which stand for numbers).
func (d *Document) parse(b []byte) (clean bool, err error) {
	if len(b) > math.MaxInt32 {
		return false, &parseError{0, "reply too large"}
	}
	// Every value but the first of each container follows a comma, so
	// commas plus objects (arrays are few) size the nodes in one
	// allocation for cgminer replies.
	p := parser{
		b:         b,
		nodes:     make([]node, 0, bytes.Count(b, comma)+bytes.Count(b, openBrace)+8),
		validUTF8: utf8.Valid(b),
	}
	if err := p.value(0, 0, 0, false); err != nil {
		return false, err
	}
	p.skipSpace()
	if p.i != len(b) {
		return false, p.fail("data after the end of the reply")
	}
	d.buf, d.nodes = b, p.nodes
	return !p.infNaN, nil
}

var comma, openBrace = []byte{','}, []byte{'{'}

// parser is a recursive-descent JSON parser that records nodes. It follows
// RFC 8259 with the leniencies real firmwares need: raw control characters
// inside strings, a missing comma between two objects in an array, a comma
// right after '[' and a comma right before '}' or ']'.
type parser struct {
	b     []byte
	i     int
	nodes []node
	// infNaN is set when a string is exactly "inf" or "nan" (Avalon's
	// numbers), which Repair turns into 0.
	infNaN bool
	// validUTF8 is set when the whole reply is valid UTF-8, so that no
	// string needs checking on its own.
	validUTF8 bool
}

func (p *parser) fail(reason string) error { return &parseError{p.i, reason} }

func (p *parser) skipSpace() {
	// Compact replies have no whitespace: one comparison settles most
	// calls.
	if p.i < len(p.b) && p.b[p.i] > ' ' {
		return
	}
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses one value at p.i and appends its node (and its subtree)
// with the given member name.
func (p *parser) value(depth int, keyStart, keyEnd int32, keyEscaped bool) error {
	p.skipSpace()
	if p.i >= len(p.b) {
		return p.fail("unexpected end of reply")
	}
	idx := len(p.nodes)
	p.nodes = append(p.nodes, node{keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped})
	n := node{keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped, start: int32(p.i)}
	switch c := p.b[p.i]; c {
	case '{':
		if depth >= maxDepth {
			return p.fail("nested too deeply")
		}
		if err := p.object(depth); err != nil {
			return err
		}
		n.kind = KindObject
	case '[':
		if depth >= maxDepth {
			return p.fail("nested too deeply")
		}
		if err := p.array(depth); err != nil {
			return err
		}
		n.kind = KindArray
	case '"':
		start, end, esc, err := p.str()
		if err != nil {
			return err
		}
		n.kind, n.start, n.escaped = KindString, start, esc
		n.end = end
		if end-start == 3 && (string(p.b[start:end]) == "inf" || string(p.b[start:end]) == "nan") {
			p.infNaN = true
		}
	case 't':
		if err := p.literal("true"); err != nil {
			return err
		}
		n.kind = KindBool
	case 'f':
		if err := p.literal("false"); err != nil {
			return err
		}
		n.kind = KindBool
	case 'n':
		if err := p.literal("null"); err != nil {
			return err
		}
		n.kind = KindNull
	default:
		if err := p.number(); err != nil {
			return err
		}
		n.kind = KindNumber
	}
	if n.kind != KindString {
		n.end = int32(p.i)
	}
	n.next = int32(len(p.nodes))
	p.nodes[idx] = n
	return nil
}

func (p *parser) object(depth int) error {
	p.i++ // {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.fail("expected a member name")
		}
		ks, ke, kesc, err := p.str()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail("expected ':'")
		}
		p.i++
		if err := p.value(depth+1, ks, ke, kesc); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.fail("unexpected end of reply in an object")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
			if p.i < len(p.b) && p.b[p.i] == '}' { // trailing comma (btminer)
				p.i++
				return nil
			}
		case '}':
			p.i++
			return nil
		default:
			return p.fail("expected ',' or '}'")
		}
	}
}

func (p *parser) array(depth int) error {
	p.i++ // [
	p.skipSpace()
	if p.i+1 < len(p.b) && p.b[p.i] == ',' && p.b[p.i+1] == '{' { // "[,{" (bmminer)
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := p.value(depth+1, 0, 0, false); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.fail("unexpected end of reply in an array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			p.skipSpace()
			if p.i < len(p.b) && p.b[p.i] == ']' { // trailing comma
				p.i++
				return nil
			}
		case ']':
			p.i++
			return nil
		case '{':
			// "}{": bmminer prints the version block of stats without
			// the comma that should follow it.
			if p.b[p.i-1] != '}' {
				return p.fail("expected ',' or ']'")
			}
		default:
			return p.fail("expected ',' or ']'")
		}
	}
}

// str scans the string at p.i and returns the bounds of its content and
// whether it needs decoding (escapes or invalid UTF-8). It validates
// escapes; invalid UTF-8 is let through, to be replaced on decoding.
func (p *parser) str() (start, end int32, escaped bool, err error) {
	p.i++ // opening quote
	begin := p.i
	// Most strings of a reply are short keys and numbers: a plain loop
	// finds their end faster than a call to IndexByte would.
	short := min(len(p.b), begin+24)
	for i := begin; i < short; i++ {
		switch p.b[i] {
		case '"':
			p.i = i + 1
			return int32(begin), int32(i), !p.validUTF8 && !utf8.Valid(p.b[begin:i]), nil
		case '\\':
			return p.escapedStr(begin)
		}
	}
	rest := p.b[begin:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return 0, 0, false, p.fail("unterminated string")
	}
	if bytes.IndexByte(rest[:q], '\\') < 0 {
		p.i += q + 1
		return int32(begin), int32(begin + q), !p.validUTF8 && !utf8.Valid(rest[:q]), nil
	}
	return p.escapedStr(begin)
}

// escapedStr scans a string with escapes, starting at its content.
func (p *parser) escapedStr(begin int) (start, end int32, escaped bool, err error) {
	p.i = begin
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '"':
			p.i++
			return int32(begin), int32(p.i - 1), true, nil
		case '\\':
			if p.i+1 >= len(p.b) {
				return 0, 0, false, p.fail("unterminated escape")
			}
			switch p.b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.b) || !isHex4(p.b[p.i+2:p.i+6]) {
					return 0, 0, false, p.fail("invalid \\u escape")
				}
				p.i += 6
			default:
				return 0, 0, false, p.fail("invalid escape")
			}
		default:
			p.i++
		}
	}
	return 0, 0, false, p.fail("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *parser) literal(word string) error {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.fail("invalid literal")
	}
	p.i += len(word)
	return nil
}

// number scans a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return p.fail("invalid value")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			p.i = i
			return p.fail("invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			p.i = i
			return p.fail("invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	p.i = i
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

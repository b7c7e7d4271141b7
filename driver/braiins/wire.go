package braiins

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf wire format, by hand. Braiins OS's messages are few and
// flat enough that a small reader per message (messages.go) is clearer
// than generated code, and it lets every decoder of outside bytes be
// bounded: no recursion beyond the fixed nesting of the schema, strings
// cut to a printable length, repeated fields capped.

// errMalformed marks a reply that is not a well-formed protobuf message.
var errMalformed = errors.New("malformed protobuf")

// field is one field of a message as read from the wire. For a varint
// or fixed field, num holds the value; for a length-delimited one, data.
type field struct {
	num  protowire.Number
	typ  protowire.Type
	val  uint64
	data []byte
}

// walk calls fn for each field of the message b in wire order. It fails
// on a truncated or malformed encoding (and groups, which proto3 never
// sends). A known field number with an unexpected wire type is passed to
// fn as it is; the readers below ignore it, as protobuf treats it as an
// unknown field.
func walk(b []byte, fn func(f field)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %v", errMalformed, protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.val, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			f.val, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.val = uint64(v)
		case protowire.BytesType:
			f.data, n = protowire.ConsumeBytes(b)
		default:
			return fmt.Errorf("%w: field %d has unsupported wire type %d", errMalformed, num, typ)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %v", errMalformed, num, protowire.ParseError(n))
		}
		b = b[n:]
		fn(f)
	}
	return nil
}

// uint returns a varint field's value, zero for another wire type.
func (f field) uint() uint64 {
	if f.typ != protowire.VarintType {
		return 0
	}
	return f.val
}

// bool returns a varint field as a boolean.
func (f field) bool() bool { return f.uint() != 0 }

// double returns a double field's value; NaN and infinities, which no
// miner means, read as zero.
func (f field) double() float64 {
	if f.typ != protowire.Fixed64Type {
		return 0
	}
	v := math.Float64frombits(f.val)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// message returns a length-delimited field's bytes, nil for another type.
func (f field) message() []byte {
	if f.typ != protowire.BytesType {
		return nil
	}
	return f.data
}

// maxText is the longest string the driver keeps from a miner.
const maxText = 128

// text returns a string field made printable and at most maxText bytes,
// so that a hostile miner cannot put control characters or megabytes
// into an identity or a pool URL.
func (f field) text() string {
	return cleanText(string(f.message()), maxText)
}

// cleanText keeps s printable, trimmed and at most n bytes long.
func cleanText(s string, n int) string {
	if len(s) > 4*n {
		s = s[:4*n]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

// scalar reads a wrapper message holding one value in field 1 — the
// units (GigaHashrate, Temperature, Power) and google.protobuf.UInt32Value
// — as a float64: doubles as they are, varints converted.
func scalar(b []byte) (float64, error) {
	var v float64
	err := walk(b, func(f field) {
		if f.num != 1 {
			return
		}
		switch f.typ {
		case protowire.Fixed64Type:
			v = f.double()
		case protowire.VarintType:
			v = float64(f.val)
		}
	})
	return v, err
}

// Encoding. Proto3 leaves fields at their zero value off the wire; the
// helpers below follow that rule, and the callers write explicitly
// present (optional, oneof) fields themselves.

// appendString appends a non-empty string field.
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendUint appends a non-zero varint field.
func appendUint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// appendBool appends a true bool field.
func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	return appendUint(b, num, 1)
}

// appendMessage appends a sub-message field, present even when empty
// (as a oneof member or a set message field is).
func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

// appendDouble appends a double field unconditionally (for optional
// fields, whose presence is explicit).
func appendDouble(b []byte, num protowire.Number, v float64) []byte {
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

// appendPresentBool appends a bool field unconditionally (for optional
// fields, whose presence is explicit).
func appendPresentBool(b []byte, num protowire.Number, v bool) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, protowire.EncodeBool(v))
}

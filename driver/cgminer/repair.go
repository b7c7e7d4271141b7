package cgminer

import "bytes"

// Byte patterns of the firmware quirks that Repair fixes.
var (
	patTrailingCommaObject = []byte(",}")
	patTrailingCommaArray  = []byte(",]")
	patObjectsWithoutComma = []byte("}{")
	patLeadingCommaArray   = []byte("[,{")
	patMissingCommaTemp0   = []byte(`""temp0`)
	patQuotedInf           = []byte(`"inf"`)
	patQuotedNaN           = []byte(`"nan"`)
	patErrorCodeList       = []byte(`"error_code":`)
	patConnectFailed       = []byte("Socket connect failed")
)

// Repair fixes the ways real firmwares break JSON, so that their replies
// parse. Each repair runs only when its pattern is in the reply, so a
// well-formed reply costs a few byte scans and no copy. The input is never
// modified; a repaired reply is a new slice.
//
// The repairs are those pyasic applies, in its order:
//
//   - cut at the first NUL (cgminer terminates every reply with one);
//   - ",}" becomes "}" (btminer's trailing comma; ",]" is treated alike);
//   - newlines are removed (btminer, Whatsminer v1 version strings);
//   - "}{" becomes "},{" (bmminer's stats, whose version block is printed
//     without the comma that should follow it);
//   - "[,{" becomes "[{" (bmminer's leading comma);
//   - `""temp0` becomes `","temp0` (btminer 2023-01-06 missing comma);
//   - the strings "inf" and "nan" become 0 (Avalon);
//   - a reply starting with "," gets "{" in its place (Avalon's `,"id":1}`);
//   - a reply not ending in "}" (cut short by a firmware's buffer) is cut
//     at its last comma and its open brackets closed, keeping every whole
//     member before the cut;
//   - Whatsminer API 2.0.4's "error_code" list written like an object
//     (["1":"x"]) gets braces instead of brackets.
func Repair(raw []byte) []byte {
	b := cutNUL(raw)
	if bytes.Contains(b, patTrailingCommaObject) {
		b = bytes.ReplaceAll(b, patTrailingCommaObject, []byte("}"))
	}
	if bytes.Contains(b, patTrailingCommaArray) {
		b = bytes.ReplaceAll(b, patTrailingCommaArray, []byte("]"))
	}
	if bytes.IndexByte(b, '\n') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\n"), nil)
	}
	if bytes.Contains(b, patObjectsWithoutComma) {
		b = bytes.ReplaceAll(b, patObjectsWithoutComma, []byte("},{"))
	}
	if bytes.Contains(b, patLeadingCommaArray) {
		b = bytes.ReplaceAll(b, patLeadingCommaArray, []byte("[{"))
	}
	if bytes.Contains(b, patMissingCommaTemp0) {
		b = bytes.ReplaceAll(b, patMissingCommaTemp0, []byte(`","temp0`))
	}
	if bytes.Contains(b, patQuotedInf) {
		b = bytes.ReplaceAll(b, patQuotedInf, []byte("0"))
	}
	if bytes.Contains(b, patQuotedNaN) {
		b = bytes.ReplaceAll(b, patQuotedNaN, []byte("0"))
	}
	b = trimJSONSpace(b)
	if len(b) > 0 && b[0] == ',' {
		b = append([]byte{'{'}, b[1:]...)
	}
	if len(b) > 0 && b[len(b)-1] != '}' {
		b = closeTruncated(b)
	}
	if bytes.Contains(b, patErrorCodeList) {
		b = fixErrorCodeList(b)
	}
	return b
}

// isTruncated reports whether raw does not end as a whole JSON object
// does, the case Repair closes after the last whole member.
func isTruncated(raw []byte) bool {
	b := trimJSONSpace(cutNUL(raw))
	return len(b) > 0 && b[len(b)-1] != '}'
}

// cutNUL returns b up to its first NUL byte.
func cutNUL(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// isConnectFailed reports the text a cgminer API proxy answers with while
// the mining process behind it is down.
func isConnectFailed(b []byte) bool {
	return bytes.HasPrefix(trimJSONSpace(b), patConnectFailed)
}

// trimJSONSpace cuts JSON whitespace from both ends of b.
func trimJSONSpace(b []byte) []byte {
	for len(b) > 0 && isJSONSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isJSONSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// stringState follows a byte-by-byte walk over JSON text, so that brackets,
// commas and colons inside strings are not taken for structure.
type stringState struct{ in, escaped bool }

// skip takes the next byte c and reports whether it belongs to a string,
// its quotes included, and so is not structure.
func (s *stringState) skip(c byte) bool {
	if !s.in {
		s.in = c == '"'
		return s.in
	}
	switch {
	case s.escaped:
		s.escaped = false
	case c == '\\':
		s.escaped = true
	case c == '"':
		s.in = false
	}
	return true
}

// closeTruncated cuts b after the last comma outside strings and closes
// the objects and arrays open at that point. It returns b unchanged when
// there is no such comma or the nesting is deeper than maxDepth.
func closeTruncated(b []byte) []byte {
	var open, openAtCut []byte
	cut := -1
	var str stringState
	for i, c := range b {
		if str.skip(c) {
			continue
		}
		switch c {
		case '{', '[':
			if len(open) >= maxDepth {
				return b
			}
			open = append(open, c)
		case '}', ']':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case ',':
			cut = i
			openAtCut = append(openAtCut[:0], open...)
		}
	}
	if cut < 0 {
		return b
	}
	out := make([]byte, 0, cut+len(openAtCut))
	out = append(out, b[:cut]...)
	for i := len(openAtCut) - 1; i >= 0; i-- {
		if openAtCut[i] == '{' {
			out = append(out, '}')
		} else {
			out = append(out, ']')
		}
	}
	return out
}

// fixErrorCodeList turns every `"error_code":[…]` whose content has a ':'
// outside strings, that is an object written with brackets, into
// `"error_code":{…}`. Lists of plain strings are left alone.
func fixErrorCodeList(b []byte) []byte {
	var out []byte
	from := 0
	for {
		k := bytes.Index(b[from:], patErrorCodeList)
		if k < 0 {
			break
		}
		i := from + k + len(patErrorCodeList)
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		from = i
		if i >= len(b) || b[i] != '[' {
			continue
		}
		end, dictLike := scanBracketList(b, i)
		if end < 0 || !dictLike {
			continue
		}
		if out == nil {
			out = bytes.Clone(b)
		}
		out[i], out[end] = '{', '}'
		from = end + 1
	}
	if out == nil {
		return b
	}
	return out
}

// scanBracketList finds the ']' matching the '[' at b[start] and reports
// whether a ':' occurs directly inside it (outside strings and nested
// containers). It returns -1 when the list is not closed.
func scanBracketList(b []byte, start int) (end int, dictLike bool) {
	depth := 0
	var str stringState
	for i := start; i < len(b); i++ {
		c := b[i]
		if str.skip(c) {
			continue
		}
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i, dictLike
			}
		case ':':
			if depth == 1 {
				dictLike = true
			}
		}
	}
	return -1, false
}

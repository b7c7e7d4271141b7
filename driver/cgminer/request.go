package cgminer

import "unicode/utf8"

// appendRequest appends the JSON request {"command":…} or
// {"command":…,"parameter":…} to dst. cgminer decides by the first byte
// that a request is JSON, and reads it with one recv(), so the request is
// written without a newline and in one piece.
func appendRequest(dst []byte, command, parameter string) []byte {
	dst = append(dst, `{"command":`...)
	dst = appendJSONString(dst, command)
	if parameter != "" {
		dst = append(dst, `,"parameter":`...)
		dst = appendJSONString(dst, parameter)
	}
	return append(dst, '}')
}

// appendJSONString appends s as a quoted JSON string, escaping quotes,
// backslashes and control characters and replacing invalid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

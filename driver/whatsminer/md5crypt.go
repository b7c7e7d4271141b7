package whatsminer

import (
	"crypto/md5"
	"strings"
)

// md5crypt returns the FreeBSD/Linux "$1$" MD5 password hash of password
// with salt, "$1$<salt>$<22 characters>". btminer's API v2 derives its
// AES key and its command token from it. salt may carry the "$1$" prefix
// and a trailing "$…"; at most 8 characters of it are used, as crypt(3)
// does.
func md5crypt(password, salt string) string {
	const magic = "$1$"
	salt = strings.TrimPrefix(salt, magic)
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(password)

	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	altSum := alt.Sum(nil)

	h := md5.New()
	h.Write(pw)
	h.Write([]byte(magic))
	h.Write([]byte(salt))
	for n := len(pw); n > 0; n -= 16 {
		h.Write(altSum[:min(n, 16)])
	}
	for n := len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(pw[:1])
		}
	}
	sum := h.Sum(nil)

	// 1000 rounds to slow down brute force, as the original does.
	for i := range 1000 {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(sum)
		}
		if i%3 != 0 {
			r.Write([]byte(salt))
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(sum)
		} else {
			r.Write(pw)
		}
		sum = r.Sum(sum[:0])
	}

	out := make([]byte, 0, len(magic)+len(salt)+1+22)
	out = append(out, magic...)
	out = append(out, salt...)
	out = append(out, '$')
	for _, g := range [5][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = appendCrypt64(out, uint32(sum[g[0]])<<16|uint32(sum[g[1]])<<8|uint32(sum[g[2]]), 4)
	}
	out = appendCrypt64(out, uint32(sum[11]), 2)
	return string(out)
}

// appendCrypt64 appends n characters of crypt's base-64 encoding of v,
// least significant six bits first.
func appendCrypt64(dst []byte, v uint32, n int) []byte {
	const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for ; n > 0; n-- {
		dst = append(dst, alphabet[v&0x3f])
		v >>= 6
	}
	return dst
}

// md5cryptHash returns only the hash part of md5crypt(password, salt), the
// text after its third '$', which is what btminer uses.
func md5cryptHash(password, salt string) string {
	s := md5crypt(password, salt)
	return s[strings.LastIndexByte(s, '$')+1:]
}

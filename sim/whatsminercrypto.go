package sim

import (
	"bytes"
	"crypto/aes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
)

// The cryptography btminer's write APIs use, implemented here rather than
// imported so that the simulator stays independent of hearth's driver:
// the "$1$" MD5 crypt that derives API v2's key and command signature,
// and AES-256 in ECB mode with zero padding and base64 that carries API
// v2's encrypted commands and API v3's encrypted pool list.

// cryptAlphabet is crypt(3)'s base-64 alphabet.
const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// wmKeys holds each password salt's md5crypt of the simulated miners'
// write password: btminer derives it once from its stored password hash,
// and computing it for every write would make the simulator, not hearth,
// the bottleneck of a fleet-wide curtailment.
var wmKeys sync.Map

// wmPasswordKey returns md5crypt(wmV2Password, salt)'s hash part.
func wmPasswordKey(salt string) string {
	if k, ok := wmKeys.Load(salt); ok {
		return k.(string)
	}
	k := wmCryptHash(wmV2Password, salt)
	wmKeys.Store(salt, k)
	return k
}

// wmCryptHash returns the hash part (after the third '$') of the MD5
// crypt of password with salt (at most 8 characters used), which is what
// btminer keeps of "$1$<salt>$<hash>".
func wmCryptHash(password, salt string) string {
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw, sl := []byte(password), []byte(salt)
	inner := md5.New()
	inner.Write(pw)
	inner.Write(sl)
	inner.Write(pw)
	innerSum := inner.Sum(nil)

	outer := md5.New()
	outer.Write(pw)
	outer.Write([]byte("$1$"))
	outer.Write(sl)
	for left := len(pw); left > 0; left -= 16 {
		outer.Write(innerSum[:min(left, 16)])
	}
	for bits := len(pw); bits > 0; bits >>= 1 {
		if bits&1 == 1 {
			outer.Write([]byte{0})
		} else {
			outer.Write(pw[:1])
		}
	}
	digest := outer.Sum(nil)
	for round := 0; round < 1000; round++ {
		h := md5.New()
		if round%2 == 1 {
			h.Write(pw)
		} else {
			h.Write(digest)
		}
		if round%3 != 0 {
			h.Write(sl)
		}
		if round%7 != 0 {
			h.Write(pw)
		}
		if round%2 == 1 {
			h.Write(digest)
		} else {
			h.Write(pw)
		}
		digest = h.Sum(digest[:0])
	}
	var out strings.Builder
	put := func(v uint32, n int) {
		for ; n > 0; n-- {
			out.WriteByte(cryptAlphabet[v&63])
			v >>= 6
		}
	}
	for _, t := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		put(uint32(digest[t[0]])<<16|uint32(digest[t[1]])<<8|uint32(digest[t[2]]), 4)
	}
	put(uint32(digest[11]), 2)
	return out.String()
}

// wmAESKey is btminer's AES-256 key for secret: its raw SHA-256 digest.
func wmAESKey(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// wmEncrypt zero-pads plain to whole AES blocks, encrypts it block by
// block (ECB) and returns the standard base64 text.
func wmEncrypt(key, plain []byte) string {
	c, err := aes.NewCipher(key)
	if err != nil {
		panic("sim: AES-256 key must be 32 bytes") // keys are SHA-256 digests
	}
	n := max((len(plain)+aes.BlockSize-1)/aes.BlockSize*aes.BlockSize, aes.BlockSize)
	buf := make([]byte, n)
	copy(buf, plain)
	for i := 0; i < n; i += aes.BlockSize {
		c.Encrypt(buf[i:i+aes.BlockSize], buf[i:i+aes.BlockSize])
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// errWMBase64 and errWMBlocks are why an encrypted text cannot be opened.
var (
	errWMBase64 = errors.New("base64 decode error")
	errWMBlocks = errors.New("ciphertext is not whole AES blocks")
)

// wmDecrypt reverses wmEncrypt and cuts the zero padding. A wrong key
// gives garbage, not an error: ECB has no integrity check.
func wmDecrypt(key []byte, text string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errWMBase64
	}
	if len(buf) == 0 || len(buf)%aes.BlockSize != 0 {
		return nil, errWMBlocks
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(buf); i += aes.BlockSize {
		c.Decrypt(buf[i:i+aes.BlockSize], buf[i:i+aes.BlockSize])
	}
	return bytes.TrimRight(buf, "\x00"), nil
}

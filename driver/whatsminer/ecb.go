package whatsminer

import (
	"bytes"
	"crypto/aes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// aesKey returns the AES-256 key btminer derives from secret: the raw
// SHA-256 digest of it.
func aesKey(secret string) []byte {
	k := sha256.Sum256([]byte(secret))
	return k[:]
}

// encryptECB encrypts plain with AES-256 in ECB mode after padding it with
// zero bytes to a whole number of blocks, and returns the standard base64
// of the ciphertext, as btminer expects. ECB is weak, but it is what the
// firmware speaks.
func encryptECB(key, plain []byte) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("aes key: %w", err)
	}
	n := (len(plain) + aes.BlockSize - 1) / aes.BlockSize * aes.BlockSize
	if n == 0 {
		n = aes.BlockSize
	}
	buf := make([]byte, n)
	copy(buf, plain)
	for i := 0; i < n; i += aes.BlockSize {
		block.Encrypt(buf[i:i+aes.BlockSize], buf[i:i+aes.BlockSize])
	}
	return base64.StdEncoding.EncodeToString(buf), nil
}

// decryptECB reverses encryptECB: it decodes the base64 text, decrypts it
// block by block and cuts the zero padding.
func decryptECB(key []byte, text string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	if len(buf) == 0 || len(buf)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("ciphertext of %d bytes is not a whole number of AES blocks", len(buf))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes key: %w", err)
	}
	for i := 0; i < len(buf); i += aes.BlockSize {
		block.Decrypt(buf[i:i+aes.BlockSize], buf[i:i+aes.BlockSize])
	}
	return bytes.TrimRight(buf, "\x00"), nil
}

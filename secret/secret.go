// Package secret encrypts the secrets hearth keeps (miner passwords) so
// that a copied database or backup does not give them away. It uses
// AES-256-GCM with a key from the environment or from a key file in the
// data directory, which hearth creates on first start; the database alone
// is not enough to read them.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// KeyEnv is the environment variable that may hold the key: 32 bytes in
// standard or URL-safe base64. It wins over the key file, for deployments
// that keep keys in a secret store.
const KeyEnv = "HEARTH_SECRET_KEY"

// KeyFile is the key file's name in the data directory.
const KeyFile = "secret.key"

const keySize = 32

// Box seals and opens secrets with one key.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != keySize {
		return nil, hearth.Errorf(hearth.EINVALID, "Secret key must be %d bytes, not %d.", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; the result carries its own random nonce.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secret: nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts what Seal returned. A wrong key or altered bytes give an
// EINTERNAL error that says so, never garbage.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, hearth.Errorf(hearth.EINTERNAL, "Stored secret is too short to be one.")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINTERNAL, err, "Stored secret cannot be decrypted: the secret key is not the one it was stored with.")
	}
	return out, nil
}

// LoadBox returns the Box of this hearth: the key from KeyEnv when set,
// else from dataDir/KeyFile, which is created (readable by its owner only)
// when missing.
func LoadBox(dataDir string) (*Box, error) {
	if v := strings.TrimSpace(os.Getenv(KeyEnv)); v != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, hearth.WrapError(hearth.EINVALID, err, "%s must hold %d bytes in base64.", KeyEnv, keySize)
		}
		return NewBox(key)
	}
	path := filepath.Join(dataDir, KeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("secret: new key: %w", err)
		}
		enc := base64.StdEncoding.EncodeToString(key) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("secret: create %s: %w", path, err)
		}
		if _, err := f.WriteString(enc); err != nil {
			f.Close()
			return nil, fmt.Errorf("secret: write %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("secret: sync %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("secret: close %s: %w", path, err)
		}
		return NewBox(key)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: read %s: %w", path, err)
	}
	key, err := decodeKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Secret key file %s must hold %d bytes in base64.", path, keySize)
	}
	return NewBox(key)
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil && len(key) == keySize {
			return key, nil
		}
	}
	return nil, errors.New("not 32 bytes of base64")
}

package secret_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/secret"
)

func TestSealOpen(t *testing.T) {
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal([]byte("root-password"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("root-password")) {
		t.Fatal("the secret is readable in the sealed bytes")
	}
	again, _ := box.Seal([]byte("root-password"))
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	got, err := box.Open(sealed)
	if err != nil || string(got) != "root-password" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := box.Open(sealed); hearth.ErrorCode(err) != hearth.EINTERNAL {
		t.Errorf("altered bytes: %v", err)
	}
	other, _ := secret.NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(again); err == nil {
		t.Error("another key opened the secret")
	}
}

func TestLoadBoxKeyFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(secret.KeyEnv, "")
	box, err := secret.LoadBox(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, secret.KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, st.Mode())
	}
	sealed, _ := box.Seal([]byte("x"))
	reopened, err := secret.LoadBox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := reopened.Open(sealed); err != nil || string(got) != "x" {
		t.Errorf("the key file does not give the same key back: %v", err)
	}

	key := bytes.Repeat([]byte{9}, 32)
	t.Setenv(secret.KeyEnv, base64.StdEncoding.EncodeToString(key))
	fromEnv, err := secret.LoadBox(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := secret.NewBox(key)
	s2, _ := want.Seal([]byte("y"))
	if got, err := fromEnv.Open(s2); err != nil || string(got) != "y" {
		t.Errorf("the environment key is not used: %v", err)
	}
	t.Setenv(secret.KeyEnv, "short")
	if _, err := secret.LoadBox(dir); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("bad environment key: %v", err)
	}
}

package whatsminer

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"
)

// TestMD5Crypt checks md5crypt against hashes from OpenSSL's
// `openssl passwd -1 -salt <salt> <password>` (the classic $1$ scheme).
func TestMD5Crypt(t *testing.T) {
	for _, tc := range []struct{ password, salt, want string }{
		{"password", "saltsalt", "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"},
		{"admin", "saltsalt", "$1$saltsalt$Y3BMhxQHmg7scgLILa56u1"},
		{"", "saltsalt", "$1$saltsalt$5Jhcit4zN9UlGiA0txPkO0"},
		{"a much longer password than sixteen bytes", "saltsalt", "$1$saltsalt$kL1Bms5vqNqrS8fEEnfCW1"},
		{"admin", "D6w5gVOb", "$1$D6w5gVOb$x/LfL.qU1wBJhndXCyVkC/"},
		{"password", "$1$abcdefgh$ignored", "$1$abcdefgh$G//4keteveJp0qb8z2DxG/"},
		{"admin", "abcdefghTOOLONG", "$1$abcdefgh$l/LAqC8oJERu7Cmx6trtY/"},
	} {
		if got := md5crypt(tc.password, tc.salt); got != tc.want {
			t.Errorf("md5crypt(%q, %q) = %q, want %q", tc.password, tc.salt, got, tc.want)
		}
	}
	if got := md5cryptHash("admin", "D6w5gVOb"); got != "x/LfL.qU1wBJhndXCyVkC/" {
		t.Errorf("md5cryptHash = %q", got)
	}
}

// TestEncryptECB checks one block against the FIPS-197 AES-256 vector
// (appendix C.3) and a multi-block round trip with zero padding.
func TestEncryptECB(t *testing.T) {
	key, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	plain, _ := hex.DecodeString("00112233445566778899aabbccddeeff")
	want, _ := hex.DecodeString("8ea2b7ca516745bfeafc49904b496089")
	got, err := encryptECB(key, plain)
	if err != nil {
		t.Fatal(err)
	}
	if got != base64.StdEncoding.EncodeToString(want) {
		t.Fatalf("encryptECB = %s, want %x", got, want)
	}
	// Same plaintext block twice gives the same ciphertext block (ECB).
	text := []byte(`{"cmd":"reboot","token":"abc"}` + `{"cmd":"reboot","token":"abc"}`)
	enc, err := encryptECB(aesKey("secret"), text)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(enc)
	if len(raw)%16 != 0 || len(raw) < len(text) {
		t.Fatalf("ciphertext of %d bytes for %d", len(raw), len(text))
	}
	back, err := decryptECB(aesKey("secret"), enc)
	if err != nil || !bytes.Equal(back, text) {
		t.Fatalf("round trip = %q, %v", back, err)
	}
	if _, err := decryptECB(aesKey("secret"), "AAAA"); err == nil {
		t.Error("a 3-byte ciphertext decrypted")
	}
	if _, err := decryptECB(aesKey("secret"), "%%%"); err == nil {
		t.Error("bad base64 decrypted")
	}
}

// TestV2Keys follows the get_token derivation by hand.
func TestV2Keys(t *testing.T) {
	tok := v2Token{Time: "1773871985", Salt: "D6w5gVOb", NewSalt: "zU4gvW30"}
	key, sign := v2Keys("admin", tok)
	if want := aesKey("x/LfL.qU1wBJhndXCyVkC/"); !bytes.Equal(key, want) {
		t.Errorf("aes key = %x, want sha256 of the md5crypt hash", key)
	}
	if want := md5cryptHash("x/LfL.qU1wBJhndXCyVkC/1773871985", "zU4gvW30"); sign != want {
		t.Errorf("sign = %q, want %q", sign, want)
	}
	plain, err := v2Plaintext("set_led", []param{{"color", "red"}, {"period", 200}}, sign)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"cmd":"set_led","color":"red","period":200,"token":"` + sign + `"}`; string(plain) != want {
		t.Errorf("plaintext = %s, want %s", plain, want)
	}
}

func TestAPIOfFirmware(t *testing.T) {
	for fw, want := range map[string]api{
		"20230803.11.REL": apiV2, "20241031.1.REL": apiV2, "20241101.0.Rel": apiV3,
		"20251209.16.Rel2": apiV3, "": apiV2, "abc": apiV2, "2025x209.1": apiV2,
	} {
		if got := apiOfFirmware(fw); got != want {
			t.Errorf("apiOfFirmware(%q) = %d, want %d", fw, got, want)
		}
	}
}

func TestModelName(t *testing.T) {
	for code, want := range map[string]string{
		"M60S_VK43": "Whatsminer M60SVK40", "M30S+VE40": "Whatsminer M30S+VE40",
		"M50SVH50": "Whatsminer M50SVH50", "": "",
	} {
		if got := modelName(code); got != want {
			t.Errorf("modelName(%q) = %q, want %q", code, got, want)
		}
	}
}

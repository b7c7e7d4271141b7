package sim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"
)

// TestWMCryptHash checks the simulator's MD5 crypt against hashes from
// OpenSSL's `openssl passwd -1 -salt <salt> <password>`.
func TestWMCryptHash(t *testing.T) {
	for _, tc := range []struct{ password, salt, want string }{
		{"password", "saltsalt", "qjXMvbEw8oaL.CzflDtaK/"},
		{"admin", "saltsalt", "Y3BMhxQHmg7scgLILa56u1"},
		{"", "saltsalt", "5Jhcit4zN9UlGiA0txPkO0"},
		{"a much longer password than sixteen bytes", "saltsalt", "kL1Bms5vqNqrS8fEEnfCW1"},
		{"admin", "D6w5gVOb", "x/LfL.qU1wBJhndXCyVkC/"},
		{"admin", "abcdefghTOOLONG", "l/LAqC8oJERu7Cmx6trtY/"},
	} {
		if got := wmCryptHash(tc.password, tc.salt); got != tc.want {
			t.Errorf("wmCryptHash(%q, %q) = %q, want %q", tc.password, tc.salt, got, tc.want)
		}
	}
}

// wmFuzzMiner returns an unstarted simulator's M50S or M60S and a
// snapshot of it.
func wmFuzzMiner(tb testing.TB, short string) (*Sim, *miner, snapshot) {
	s, err := New(Config{Miners: 1, Seed: 1, Models: []string{short}})
	if err != nil {
		tb.Fatal(err)
	}
	m := s.miners[0]
	return s, m, m.evaluate(100, 1773871985, s.ambient)
}

// FuzzWhatsminerV2Request feeds client bytes to the API v2 server: it must
// never panic and always answer one NUL-terminated JSON object, and an
// encrypted reply must open under the miner's key.
func FuzzWhatsminerV2Request(f *testing.F) {
	s, m, snap := wmFuzzMiner(f, ModelM50S)
	key := wmAESKey(wmCryptHash(wmV2Password, m.wmPasswordSalt()))
	for _, seed := range []string{
		`{"command":"summary"}`, `{"command":"devs"}`, `{"cmd":"get_version"}`, `{"cmd":"get_token"}`,
		`{"command":"get_miner_info"}`, `{"command":"status"}`, `{"command":"reboot"}`, `summary|`,
		`{"enc":1,"data":"` + wmEncrypt(key, []byte(`{"cmd":"set_led","param":"auto","token":"x"}`)) + `"}`,
		`{"enc":1,"data":"` + wmEncrypt(key, []byte(`not json`)) + `"}`,
		`{"enc":1,"data":"AAAA"}`, `{"enc":1}`, `{"enc":"1","data":7}`, "\x00", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		w := apiWriter{}
		snap := snap
		s.renderWhatsminerV2(&w, in, m, &snap)
		if len(w.b) == 0 || w.b[len(w.b)-1] != 0 {
			t.Fatalf("reply to %q does not end in NUL", in)
		}
		var reply map[string]any
		if err := json.Unmarshal(w.b[:len(w.b)-1], &reply); err != nil {
			t.Fatalf("reply to %q is not JSON: %v\n%s", in, err, w.b)
		}
		if enc, ok := reply["enc"].(string); ok {
			plain, err := wmDecrypt(key, enc)
			if err != nil || !json.Valid(plain) {
				t.Fatalf("encrypted reply to %q does not open: %v %q", in, err, plain)
			}
		}
	})
}

// FuzzWhatsminerV3Frame feeds client bytes to the API v3 frame reader and
// request handler: a frame over the cap is refused before it is read, and
// every frame read gets one JSON reply with a numeric code.
func FuzzWhatsminerV3Frame(f *testing.F) {
	s, m, snap := wmFuzzMiner(f, ModelM60S)
	frame := func(body string) []byte {
		return append(binary.LittleEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	for _, seed := range []string{
		`{"cmd":"get.device.info"}`, `{"cmd":"get.device.info","param":"salt"}`,
		`{"cmd":"get.miner.status","param":"summary"}`, `{"cmd":"get.miner.status","param":"edevs"}`,
		`{"cmd":"get.miner.status","param":"pools"}`,
		`{"cmd":"set.miner.power_limit","param":3000,"ts":1773871985,"account":"super","token":"abcdefgh"}`,
		`{"cmd":"set.miner.pools","param":"AAAA","ts":"1","account":"super","token":"x"}`,
		`{"cmd":7}`, `[]`, `{`,
	} {
		f.Add(frame(seed))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		body, err := readWMV3Frame(bytes.NewReader(in), wmV3RequestMax)
		if err != nil {
			return
		}
		if len(body) > wmV3RequestMax {
			t.Fatalf("read a frame of %d bytes", len(body))
		}
		w := apiWriter{json: true}
		snap := snap
		s.renderWhatsminerV3(&w, body, m, &snap)
		var reply struct {
			Code *int   `json:"code"`
			When int64  `json:"when"`
			Desc string `json:"desc"`
		}
		if err := json.Unmarshal(w.b, &reply); err != nil || reply.Code == nil || reply.When == 0 {
			t.Fatalf("reply to %q: %v\n%s", body, err, w.b)
		}
	})
}

// FuzzWMDecrypt opens arbitrary text as an encrypted parameter: never a
// panic, and what wmEncrypt sealed comes back.
func FuzzWMDecrypt(f *testing.F) {
	key := wmAESKey("x/LfL.qU1wBJhndXCyVkC/")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", []byte(`[{"pool":"stratum+tcp://a:3333","worker":"w","passwd":"x"}]`))
	f.Add("%%%", []byte{})
	f.Fuzz(func(t *testing.T, text string, plain []byte) {
		wmDecrypt(key, text)
		plain = bytes.TrimRight(plain, "\x00")
		got, err := wmDecrypt(key, wmEncrypt(key, plain))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %q gave %q, %v", plain, got, err)
		}
	})
}

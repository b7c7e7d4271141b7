package sim

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// FuzzBOSRequestDecoders feeds client bytes to every protobuf request
// decoder of the Braiins OS gRPC API: none may panic, and a request that
// the decoders accept must parse as a protobuf message.
func FuzzBOSRequestDecoders(f *testing.F) {
	login := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "root")
	login = protowire.AppendString(protowire.AppendTag(login, 2, protowire.BytesType), "root")
	power := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3)
	power = protowire.AppendBytes(protowire.AppendTag(power, 2, protowire.BytesType),
		protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3730))
	pool := protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "stratum+tcp://pool.invalid:3333")
	pool = protowire.AppendString(protowire.AppendTag(pool, 3, protowire.BytesType), "acct.worker")
	group := protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "Default")
	group = protowire.AppendBytes(protowire.AppendTag(group, 5, protowire.BytesType), pool)
	pools := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), group)
	manual := protowire.AppendFixed64(protowire.AppendTag(nil, 1, protowire.Fixed64Type), 0x3fd999999999999a) // 0.4
	cooling := protowire.AppendBytes(protowire.AppendTag([]byte{0x08, 0x02}, 3, protowire.BytesType), manual)
	for _, seed := range [][]byte{nil, {}, login, power, pools, cooling, {0x08, 0x02}, {0x12, 0x00}, {0x08, 0x01}, {0x0a, 0x05, 'r'}, {0x0b, 0x0c}, {0xff, 0xff, 0xff}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		errEmpty := decodeEmpty(b)
		_, _, errLogin := decodeLogin(b)
		_, errLocate := decodeSetLocate(b)
		_, _, _, errPower := decodeSetPowerTarget(b)
		_, groups, errPools := decodeSetPoolGroups(b)
		_, errLog := decodeGetLog(b)
		cooling, errCooling := decodeSetCoolingMode(b)
		if errCooling == nil && cooling.hasRatio && cooling.mode != bosCoolingManual {
			t.Fatalf("a ratio outside manual mode: %+v", cooling)
		}
		for _, err := range []error{errLogin, errLocate, errPower, errPools, errLog, errCooling} {
			if err == nil && errEmpty != nil {
				t.Fatalf("a decoder accepted bytes that do not parse: %v", errEmpty)
			}
		}
		if errPools == nil {
			checkPoolGroups(groups) // must not panic on any stored value
		}
	})
}

// FuzzBOSPoolURL checks the pool URL check SetPoolGroups applies: an
// accepted URL has a known scheme, a host and a numeric port, and a
// Stratum V2 one ends with an authority key.
func FuzzBOSPoolURL(f *testing.F) {
	for _, seed := range []string{
		"stratum+tcp://pool.invalid:3333", "stratum+ssl://pool.invalid:443",
		"stratum2+tcp://v2.pool.invalid:3336/9awtMD5KQgvRUh2yFbjVeT7b6hjipWcAsQHd6wEhgtDT9soosna",
		"stratum2+tcp://v2.pool.invalid:3336", "stratum2+tcp://:1/", "stratum+tcp://a:b", "", "://",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, u string) {
		if !validStratumURL(u) {
			return
		}
		scheme, rest, _ := strings.Cut(u, "://")
		hostPort, key, hasKey := strings.Cut(rest, "/")
		host, port, _ := strings.Cut(hostPort, ":")
		if host == "" || port == "" || strings.Trim(port, "0123456789") != "" {
			t.Fatalf("accepted %q without host and port", u)
		}
		if (scheme == "stratum2+tcp") != hasKey || (hasKey && !validAuthorityKey(key)) {
			t.Fatalf("accepted %q", u)
		}
	})
}

// FuzzBOSRESTBody feeds REST request bodies to the decoder the handlers
// use, into each shape they take.
func FuzzBOSRESTBody(f *testing.F) {
	for _, seed := range []string{
		`{"username":"root","password":"root"}`, `{"watt":3730}`, `true`, `false`,
		`{"watt":"x"}`, `{"watt":-1}`, `true false`, `{`, ``, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var creds struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		decodeRESTBody(b, &creds)
		var on bool
		decodeRESTBody(b, &on)
		var p struct {
			Watt *uint64 `json:"watt"`
		}
		decodeRESTBody(b, &p)
	})
}

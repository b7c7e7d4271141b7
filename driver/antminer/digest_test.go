package antminer

import (
	"strings"
	"testing"
)

func TestDigestRFC2617Example(t *testing.T) {
	// RFC 2617 section 3.5.
	ch, ok := parseDigestChallenge([]string{`Digest realm="testrealm@host.com", qop="auth,auth-int", ` +
		`nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`})
	if !ok {
		t.Fatal("challenge not parsed")
	}
	got := ch.authorizationWith("GET", "/dir/index.html", "Mufasa", "Circle Of Life", "0a4f113b", 1)
	for _, want := range []string{
		`username="Mufasa"`, `realm="testrealm@host.com"`, `nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"`,
		`uri="/dir/index.html"`, `qop=auth`, `nc=00000001`, `cnonce="0a4f113b"`,
		`response="6629fae49393a05397450978507c4ef1"`, `opaque="5ccc069c403ebaf9f0171e9517f40e41"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("authorization lacks %s:\n%s", want, got)
		}
	}
}

func TestDigestRFC7616Example(t *testing.T) {
	// RFC 7616 section 3.9.1: the same request answered with SHA-256 and
	// MD5; hearth picks SHA-256.
	header := []string{
		`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ` +
			`nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
		`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, ` +
			`nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
	}
	cnonce := "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	ch, ok := parseDigestChallenge(header)
	if !ok || ch.algorithm != "SHA-256" {
		t.Fatalf("picked %+v", ch)
	}
	got := ch.authorizationWith("GET", "/dir/index.html", "Mufasa", "Circle of Life", cnonce, 1)
	if want := `response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"`; !strings.Contains(got, want) {
		t.Errorf("SHA-256: %s\nlacks %s", got, want)
	}
	ch, _ = parseDigestChallenge(header[1:])
	got = ch.authorizationWith("GET", "/dir/index.html", "Mufasa", "Circle of Life", cnonce, 1)
	if want := `response="8ca523f5e9506fed4657c9700eebdbec"`; !strings.Contains(got, want) {
		t.Errorf("MD5: %s\nlacks %s", got, want)
	}
}

func TestDigestChallengeParsing(t *testing.T) {
	for _, tc := range []struct {
		header []string
		ok     bool
		want   digestChallenge
	}{
		{[]string{`Basic realm="x"`}, false, digestChallenge{}},
		{[]string{`Basic realm="x", Digest realm="a\"b", nonce=abc, qop=auth`}, true,
			digestChallenge{realm: `a"b`, nonce: "abc", algorithm: "MD5", qopAuth: true}},
		{[]string{`Digest realm="r", nonce="n"`}, true, digestChallenge{realm: "r", nonce: "n", algorithm: "MD5"}},
		{[]string{`Digest realm="r", nonce="n", qop="auth-int"`}, false, digestChallenge{}},
		{[]string{`Digest realm="r", nonce="n", algorithm=SHA-512-256, qop=auth`}, false, digestChallenge{}},
		{[]string{`Digest realm="r", qop=auth`}, false, digestChallenge{}},
		{[]string{`Digest realm="r", nonce="n", algorithm=md5-sess, qop=auth, userhash=true`}, true,
			digestChallenge{realm: "r", nonce: "n", algorithm: "MD5-sess", qopAuth: true, userhash: true}},
		{[]string{`Digest`, ``, `Digest realm="r",, nonce="n" , qop="auth"`}, true,
			digestChallenge{realm: "r", nonce: "n", algorithm: "MD5", qopAuth: true}},
	} {
		got, ok := parseDigestChallenge(tc.header)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%q:\n got %+v %v\nwant %+v %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDigestLegacyAndUserhash(t *testing.T) {
	// Without qop (RFC 2069) the response omits nc and cnonce.
	ch := digestChallenge{realm: "r", nonce: "n", algorithm: "MD5"}
	got := ch.authorizationWith("GET", "/", "u", "p", "c", 1)
	if strings.Contains(got, "qop=") || strings.Contains(got, "cnonce=") {
		t.Errorf("RFC 2069 authorization: %s", got)
	}
	ch.userhash = true
	if got := ch.authorizationWith("GET", "/", "u", "p", "c", 1); !strings.Contains(got, "userhash=true") || strings.Contains(got, `username="u"`) {
		t.Errorf("userhash authorization: %s", got)
	}
}

func FuzzDigestChallenge(f *testing.F) {
	f.Add(`Digest realm="antMiner Configuration", nonce="6c1f5e3a", qop="auth"`)
	f.Add(`Basic realm="x", Digest realm="a\"b", nonce=abc, qop=auth, algorithm=SHA-256-sess, opaque="o"`)
	f.Add(`Negotiate abc==, Digest realm="r",, nonce="n" ,`)
	f.Add(`Digest realm="unterminated`)
	f.Fuzz(func(t *testing.T, header string) {
		ch, ok := parseDigestChallenge([]string{header})
		if !ok {
			return
		}
		if ch.nonce == "" {
			t.Fatal("accepted a challenge without a nonce")
		}
		auth, err := ch.authorization("GET", "/cgi-bin/get_system_info.cgi", "root", "root")
		if err != nil || !strings.HasPrefix(auth, "Digest username=") || hasControl(auth) {
			t.Fatalf("authorization %q, %v", auth, err)
		}
	})
}

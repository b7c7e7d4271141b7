package antminer_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/antminer"
)

// webCGI is a fake Antminer web interface: HTTP Digest (MD5, qop=auth)
// as Bitmain's lighttpd sends it, checked independently of the driver's
// code, in front of get_system_info.cgi.
type webCGI struct {
	user, password string
	body           []byte
	authorized     atomic.Int32
}

const webRealm = "antMiner Configuration"

var authParam = regexp.MustCompile(`(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))`)

func (w *webCGI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !checkDigest(rw, r, w.user, w.password) {
		return
	}
	w.authorized.Add(1)
	if r.URL.Path != "/cgi-bin/get_system_info.cgi" {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Write(w.body)
}

// checkDigest verifies r's Digest Authorization for user and password and,
// when it is missing or wrong, answers 401 with a challenge and returns
// false.
func checkDigest(rw http.ResponseWriter, r *http.Request, user, password string) bool {
	return checkDigestNonce(rw, r, user, password, "6c1f5e3a9b2d4c8e0f7a1b3c5d7e9f01")
}

// checkDigestNonce is checkDigest with the server's current nonce.
func checkDigestNonce(rw http.ResponseWriter, r *http.Request, user, password, nonce string) bool {
	params := map[string]string{}
	for _, m := range authParam.FindAllStringSubmatch(r.Header.Get("Authorization"), -1) {
		params[m[1]] = m[2] + m[3]
	}
	md5hex := func(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }
	ha1 := md5hex(user + ":" + webRealm + ":" + password)
	ha2 := md5hex(r.Method + ":" + params["uri"])
	want := md5hex(ha1 + ":" + nonce + ":" + params["nc"] + ":" + params["cnonce"] + ":" + params["qop"] + ":" + ha2)
	if params["username"] != user || params["nonce"] != nonce || params["qop"] != "auth" ||
		params["uri"] != r.URL.RequestURI() || params["response"] != want || params["opaque"] != "op4que" {
		rw.Header().Set("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="op4que", qop="auth"`, webRealm, nonce))
		rw.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

// s19Pro starts a fake S19 Pro: RPC replies from testdata and a web CGI
// with factory credentials.
func s19Pro(t *testing.T) (hearth.Target, *webCGI) {
	target, _ := miner(t, map[string][]byte{
		"version": fixture(t, "version.json"),
		"summary": fixture(t, "summary.json"),
	})
	body, err := os.ReadFile("testdata/system_info.json")
	if err != nil {
		t.Fatal(err)
	}
	cgi := &webCGI{user: "root", password: "root", body: body}
	web := httptest.NewServer(cgi)
	t.Cleanup(web.Close)
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	target.WebPort, _ = strconv.Atoi(port)
	return target, cgi
}

func TestIdentify(t *testing.T) {
	target, cgi := s19Pro(t)
	id, err := antminer.New().Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	want := hearth.Identity{
		Address:  "127.0.0.1",
		Port:     target.Port,
		Family:   hearth.FamilyAntminer,
		Firmware: "bmminer 49.0.1.3",
		Model:    "Antminer S19 Pro",
		Serial:   "THQING0BDJAB024NF",
		MAC:      "02:55:97:22:3M:72",
		Hostname: "Antminer",
		HashRate: 110566.89e9,
	}
	if *id != want {
		t.Errorf("Identify =\n%+v\nwant\n%+v", *id, want)
	}
	if cgi.authorized.Load() != 1 {
		t.Errorf("%d authorized web requests, want 1", cgi.authorized.Load())
	}
}

func TestIdentifyWebBestEffort(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		target, cgi := s19Pro(t)
		d := antminer.New()
		d.WebPassword = "not-root"
		id, err := d.Identify(context.Background(), target)
		if err != nil {
			t.Fatal(err)
		}
		if id.Hostname != "" || id.Model != "Antminer S19 Pro" || cgi.authorized.Load() != 0 {
			t.Errorf("identity = %+v", id)
		}
	})
	t.Run("web interface down", func(t *testing.T) {
		target, _ := s19Pro(t)
		target.WebPort = closedPort(t)
		id, err := antminer.New().Identify(context.Background(), target)
		if err != nil || id.Firmware != "bmminer 49.0.1.3" || id.MAC != "" {
			t.Errorf("identity = %+v, %v", id, err)
		}
	})
	t.Run("web interface hangs", func(t *testing.T) {
		target, _ := s19Pro(t)
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		defer hang.Close()
		_, port, _ := net.SplitHostPort(hang.Listener.Addr().String())
		target.WebPort, _ = strconv.Atoi(port)
		d := antminer.New()
		d.WebTimeout = 300 * time.Millisecond
		start := time.Now()
		id, err := d.Identify(context.Background(), target)
		if err != nil || id.Model != "Antminer S19 Pro" {
			t.Errorf("identity = %+v, %v", id, err)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("took %v with a 300ms web timeout", time.Since(start))
		}
	})
}

func TestIdentifyRejects(t *testing.T) {
	version := func(fields string) []byte {
		return []byte(`{"STATUS":[{"STATUS":"S","When":1,"Code":22,"Msg":"CGMiner versions","Description":"x"}],"VERSION":[{` + fields + `}],"id":1}`)
	}
	for name, tc := range map[string]struct {
		reply []byte
		code  string
	}{
		"Braiins OS":       {version(`"BOSminer":"0.2.0","API":"3.7","Type":"Antminer S19j Pro"`), hearth.EUNSUPPORTED},
		"BOSer":            {version(`"CGMiner":"bosminer 1.2","Type":"Antminer S19"`), hearth.EUNSUPPORTED},
		"LuxOS":            {version(`"LUXminer":"2024.1.1","API":"3.7","Type":"Antminer S19 XP"`), hearth.EUNSUPPORTED},
		"VNish":            {version(`"BMMiner":"1.0.0","Miner":"vnish 1.2.6","Type":"Antminer S19"`), hearth.EUNSUPPORTED},
		"Hiveon":           {version(`"BMMiner":"1.0.0","Type":"Antminer S19j Pro HIVEON"`), hearth.EUNSUPPORTED},
		"Whatsminer":       {[]byte(`{"STATUS":"S","When":1,"Code":131,"Msg":{"api_ver":"2.0.5","fw_ver":"20230911.22.REL","chip":"K69","btminer":"x"},"Description":"btminer"}`), hearth.EUNSUPPORTED},
		"plain cgminer":    {version(`"CGMiner":"4.11.1","API":"3.7"`), hearth.EUNSUPPORTED},
		"Avalon":           {version(`"CGMiner":"4.11.1","API":"3.7","PROD":"AvalonMiner 1246","MODEL":"1246"`), hearth.EUNSUPPORTED},
		"refused":          {[]byte(`{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied to 'version' command"}],"id":1}`), hearth.EUNSUPPORTED},
		"garbage":          {[]byte("SSH-2.0-dropbear\r\n"), hearth.EUNSUPPORTED},
		"bmminer, no Type": {version(`"BMMiner":"2.0.0","Miner":"2.0.0","API":"3.1"`), ""},
	} {
		t.Run(name, func(t *testing.T) {
			target, _ := miner(t, map[string][]byte{"version": tc.reply})
			id, err := antminer.New().Identify(context.Background(), target)
			if got := hearth.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q; identity %+v", got, err, tc.code, id)
			}
		})
	}

	_, err := antminer.New().Identify(context.Background(), hearth.Target{Address: "127.0.0.1", Port: closedPort(t)})
	if hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
		t.Errorf("nothing listening: %v", err)
	}
}

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyAntminer)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(*antminer.Driver); !ok {
		t.Fatalf("registered driver is %T", d)
	}
	if d.DefaultPort() != 4028 || d.Family() != hearth.FamilyAntminer {
		t.Errorf("port %d family %q", d.DefaultPort(), d.Family())
	}
	for _, c := range d.Capabilities() {
		if c == hearth.CapPower {
			t.Error("stock firmware measures no power; the driver estimates it")
		}
	}
	if len(d.Capabilities()) != 11 {
		t.Errorf("capabilities %v", d.Capabilities())
	}
}

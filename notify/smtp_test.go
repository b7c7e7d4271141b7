package notify_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// message is one message the test SMTP server accepted.
type message struct {
	TLS  bool   // whether the session was encrypted when the mail came
	Auth string // the decoded AUTH PLAIN response: "\x00user\x00pass"
	From string
	To   []string
	Data string
}

// smtpServer is a minimal SMTP server on loopback: EHLO advertising
// AUTH PLAIN, AUTH PLAIN with the initial response, MAIL, RCPT, DATA
// with dot-unstuffing, RSET, NOOP and QUIT, as RFC 5321 and RFC 4954
// describe them; with a TLS config, STARTTLS (RFC 3207), refusing AUTH
// and MAIL before it, or implicit TLS from the first byte.
type smtpServer struct {
	Addr string
	Mail chan message
	// TLS, when set, makes the server offer and require STARTTLS, or with
	// Implicit speak TLS from the start.
	TLS      *tls.Config
	Implicit bool
}

func newSMTPServer(t *testing.T) *smtpServer {
	return newSMTPServerTLS(t, nil, false)
}

func newSMTPServerTLS(t *testing.T, config *tls.Config, implicit bool) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpServer{Addr: l.Addr().String(), Mail: make(chan message, 10), TLS: config, Implicit: implicit}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	encrypted := false
	if s.TLS != nil && s.Implicit {
		c, encrypted = tls.Server(c, s.TLS), true
	}
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 test.local ESMTP ready")
	var m message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if (verb == "AUTH" || verb == "MAIL") && s.TLS != nil && !encrypted {
			reply("530 5.7.0 Must issue a STARTTLS command first")
			continue
		}
		switch verb {
		case "EHLO", "HELO":
			reply("250-test.local greets " + arg)
			reply("250-8BITMIME")
			if s.TLS != nil && !encrypted {
				reply("250-STARTTLS")
			}
			reply("250 AUTH PLAIN")
		case "STARTTLS":
			if s.TLS == nil || encrypted {
				reply("502 5.5.1 STARTTLS not offered")
				continue
			}
			reply("220 2.0.0 Ready to start TLS")
			c, encrypted = tls.Server(c, s.TLS), true
			r = bufio.NewReader(c)
			m = message{}
		case "MAIL":
			m.From = strings.TrimSuffix(strings.TrimPrefix(arg, "FROM:<"), ">")
			if i := strings.Index(m.From, ">"); i >= 0 {
				m.From = m.From[:i]
			}
			m.TLS = encrypted
			reply("250 2.1.0 Ok")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if mech != "PLAIN" {
				reply("504 5.5.4 Unrecognized authentication type")
				continue
			}
			if resp == "" {
				reply("334 ")
				resp, _ = r.ReadString('\n')
				resp = strings.TrimSpace(resp)
			}
			dec, err := base64.StdEncoding.DecodeString(resp)
			if err != nil || string(dec) != "\x00hearth\x00hunter2" {
				reply("535 5.7.8 Authentication credentials invalid")
				continue
			}
			m.Auth = string(dec)
			reply("235 2.7.0 Authentication successful")
		case "RCPT":
			m.To = append(m.To, strings.TrimSuffix(strings.TrimPrefix(arg, "TO:<"), ">"))
			reply("250 2.1.5 Ok")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = b.String()
			s.Mail <- m
			m = message{Auth: m.Auth}
			reply("250 2.0.0 Ok: queued")
		case "RSET":
			m = message{Auth: m.Auth}
			reply("250 2.0.0 Ok")
		case "NOOP":
			reply("250 2.0.0 Ok")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.2 Command not recognized")
		}
	}
}

// testCert returns a server TLS config with a fresh self-signed
// certificate for 127.0.0.1, and the certificate as a PEM file a client
// may trust as its ca_file.
func testCert(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test.local"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, file
}

package notify_test

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"
)

// message is one message the test SMTP server accepted.
type message struct {
	Auth string // the decoded AUTH PLAIN response: "\x00user\x00pass"
	From string
	To   []string
	Data string
}

// smtpServer is a minimal SMTP server on loopback: EHLO advertising
// AUTH PLAIN, AUTH PLAIN with the initial response, MAIL, RCPT, DATA
// with dot-unstuffing, RSET, NOOP and QUIT, as RFC 5321 and RFC 4954
// describe them.
type smtpServer struct {
	Addr string
	Mail chan message
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpServer{Addr: l.Addr().String(), Mail: make(chan message, 10)}
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
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
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
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply("250-test.local greets " + arg)
			reply("250-8BITMIME")
			reply("250 AUTH PLAIN")
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
		case "MAIL":
			m.From = strings.TrimSuffix(strings.TrimPrefix(arg, "FROM:<"), ">")
			if i := strings.Index(m.From, ">"); i >= 0 {
				m.From = m.From[:i]
			}
			reply("250 2.1.0 Ok")
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

package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// KindEmail sends a plain-text e-mail over SMTP. Settings:
//
//	{"host": "smtp.example.com", "port": 587, "security": "starttls",
//	 "from": "hearth@example.com", "to": ["ops@example.com"],
//	 "username": "hearth"}
//
// security is "starttls" (the default; the server must offer it), "tls"
// (implicit TLS, the default on port 465) or "none" (plain text; net/smtp
// then sends a password only to a server on loopback). ca_file names PEM
// certificates to trust instead of the system's (a private CA). The
// secret is the password, sent with AUTH PLAIN when username is set.
const KindEmail = "email"

type emailSettings struct {
	Host     string   `json:"host"`
	Port     int      `json:"port,omitempty"`
	Security string   `json:"security,omitempty"`
	From     string   `json:"from"`
	To       []string `json:"to"`
	Username string   `json:"username,omitempty"`
	// HelloName is the name hearth gives in EHLO; default "localhost".
	HelloName string `json:"hello_name,omitempty"`
	// CAFile is a PEM file of the certificate authorities to trust
	// instead of the system's, for a server with a private CA.
	CAFile string `json:"ca_file,omitempty"`
}

type email struct {
	s        emailSettings
	password string
	roots    *x509.CertPool // nil: the system's
	env      Env
}

func init() { Register(KindEmail, newEmail) }

func newEmail(r *hearth.Receiver, env Env) (Notifier, error) {
	e := &email{password: r.Secret, env: env}
	s := &e.s
	if err := decodeSettings(r, s); err != nil {
		return nil, err
	}
	if s.Host == "" || strings.ContainsAny(s.Host, " /\r\n") {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: an email receiver needs the setting host (the SMTP server).", r.Name)
	}
	if s.Port == 0 {
		s.Port = 587
		if s.Security == "tls" {
			s.Port = 465
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: port %d is not a TCP port.", r.Name, s.Port)
	}
	if s.Security == "" {
		s.Security = "starttls"
		if s.Port == 465 {
			s.Security = "tls"
		}
	}
	if s.Security != "starttls" && s.Security != "tls" && s.Security != "none" {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: security %q must be starttls, tls or none.", r.Name, s.Security)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Receiver %s: from %q is not an e-mail address.", r.Name, s.From)
	}
	if len(s.To) == 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: an email receiver needs at least one address in to.", r.Name)
	}
	for _, to := range s.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, hearth.WrapError(hearth.EINVALID, err, "Receiver %s: to %q is not an e-mail address.", r.Name, to)
		}
	}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: cannot read ca_file %s.", r.Name, s.CAFile)
		}
		e.roots = x509.NewCertPool()
		if !e.roots.AppendCertsFromPEM(pem) {
			return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: ca_file %s holds no PEM certificate.", r.Name, s.CAFile)
		}
	}
	if s.Username != "" && r.Secret == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "Receiver %s: username %s needs the password as the secret.", r.Name, s.Username)
	}
	return e, nil
}

// Notify sends n in one SMTP session bound by ctx's deadline.
func (e *email) Notify(ctx context.Context, n *Notification) error {
	addr := net.JoinHostPort(e.s.Host, strconv.Itoa(e.s.Port))
	if err := e.send(ctx, addr, n); err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	return nil
}

func (e *email) send(ctx context.Context, addr string, n *Notification) error {
	tlsConfig := &tls.Config{ServerName: e.s.Host, RootCAs: e.roots, MinVersion: tls.VersionTLS12}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "cannot reach the SMTP server")
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultTimeout)
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if e.s.Security == "tls" {
		conn = tls.Client(conn, tlsConfig)
	}
	c, err := smtp.NewClient(conn, e.s.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	hello := e.s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return err
	}
	if e.s.Security == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return hearth.Errorf(hearth.EUNSUPPORTED, "the server does not offer STARTTLS; set security to tls or none")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return err
		}
	}
	if e.s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.s.Username, e.password, e.s.Host)); err != nil {
			return hearth.WrapError(hearth.EAUTH, err, "authentication failed")
		}
	}
	from, _ := mail.ParseAddress(e.s.From)
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	for _, to := range e.s.To {
		a, _ := mail.ParseAddress(to)
		if err := c.Rcpt(a.Address); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(e.message(n, time.Now())); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message writes the e-mail: headers (the subject is n's title, with no
// line breaks a label value could smuggle in) and the text body,
// quoted-printable.
func (e *email) message(n *Notification, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	subject := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, n.Title())
	from, _ := mail.ParseAddress(e.s.From)
	to := make([]string, len(e.s.To))
	for i, t := range e.s.To {
		a, _ := mail.ParseAddress(t)
		to[i] = a.String()
	}
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(to, ", "))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@hearth>\r\n", hex.EncodeToString(id))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(n.Text(), "\n", "\r\n")))
	qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

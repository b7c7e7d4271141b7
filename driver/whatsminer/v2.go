package whatsminer

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// param is one named parameter of an API v2 write, kept in order so that
// the request reads as pyasic and asic-rs send it.
type param struct {
	Name  string
	Value any
}

// v2Token is what get_token gives: the miner's time and two salts, from
// which the AES key and the command signature are derived.
type v2Token struct {
	Time, Salt, NewSalt string
}

// v2Keys returns the AES key and the signature ("host_sign") for password
// and tok: key = md5crypt(password, salt), sign = md5crypt(key + time,
// newsalt), each cut to its hash part, and the AES key is SHA-256(key).
func v2Keys(password string, tok v2Token) (aes []byte, sign string) {
	key := md5cryptHash(password, tok.Salt)
	sign = md5cryptHash(key+tok.Time, tok.NewSalt)
	return aesKey(key), sign
}

// v2Session is a write token with the keys derived from it, kept while
// the token is reused: md5crypt is slow by design, and a fleet-wide
// curtailment signs thousands of writes at once.
type v2Session struct {
	tok v2Token
	// password is a digest of the password the keys were derived with,
	// so that a changed credential derives them afresh; the password
	// itself is not kept here.
	password [sha256.Size]byte
	aes      []byte
	sign     string
}

// newV2Session derives the keys of tok for password.
func newV2Session(password string, tok v2Token) *v2Session {
	aes, sign := v2Keys(password, tok)
	return &v2Session{tok: tok, password: sha256.Sum256([]byte(password)), aes: aes, sign: sign}
}

// isFor reports whether s was derived for password.
func (s *v2Session) isFor(password string) bool {
	return s.password == sha256.Sum256([]byte(password))
}

// v2Plaintext returns the JSON command an encrypted API v2 write carries:
// {"cmd":…, parameters…, "token":sign}.
func v2Plaintext(cmd string, params []param, sign string) ([]byte, error) {
	var b strings.Builder
	b.WriteString(`{"cmd":`)
	q, _ := json.Marshal(cmd)
	b.Write(q)
	for _, p := range params {
		k, _ := json.Marshal(p.Name)
		v, err := json.Marshal(p.Value)
		if err != nil {
			return nil, hearth.WrapError(hearth.EINVALID, err, "Parameter %s of %s cannot be encoded.", p.Name, cmd)
		}
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteString(`,"token":`)
	q, _ = json.Marshal(sign)
	b.Write(q)
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// getToken asks the miner at addr for a write token.
func (d *Driver) getToken(ctx context.Context, addr string) (v2Token, error) {
	r, err := d.RPC.Command(ctx, addr, "get_token", "")
	if err != nil {
		return v2Token{}, fmt.Errorf("get write token: %w", err)
	}
	return parseToken(addr, &r.Document)
}

// parseToken reads get_token's reply: {"STATUS":"S","Msg":{"time",
// "salt","newsalt"}}.
func parseToken(addr string, doc *cgminer.Document) (v2Token, error) {
	msg := msgOf(doc)
	tok := v2Token{Time: msg.String("time"), Salt: msg.String("salt"), NewSalt: msg.String("newsalt")}
	if tok.Time == "" || tok.Salt == "" || tok.NewSalt == "" {
		return v2Token{}, hearth.Errorf(hearth.EPROTOCOL, "Miner at %s sent a write token without time and salts.", addr)
	}
	return tok, nil
}

// msgOf returns the Msg object of a flat btminer reply
// ({"STATUS":"S","Msg":{…}}).
func msgOf(doc *cgminer.Document) cgminer.Object {
	v, _ := doc.Root().Object().Get("Msg")
	return v.Object()
}

// v2Write sends cmd with params as an encrypted API v2 write to t: it
// signs and encrypts the command with a token, sends {"enc":1,"data":…}
// and decrypts and checks the reply. The password is Target.Credentials'
// or btminer's default, "admin"; it never appears in errors.
//
// A token is reused for tokenTTL, as pyasic reuses one, rather than
// fetched for every write: btminer honours it that long. When the miner
// refuses a reused token (a reboot forgot it), the write is retried once
// with a fresh one; a refusal changes nothing on the miner, so the retry
// cannot apply a write twice.
func (d *Driver) v2Write(ctx context.Context, t hearth.Target, cmd string, params ...param) (*cgminer.Document, error) {
	addr := d.v2Addr(t)
	password := t.Credentials.Password
	if password == "" {
		password = defaultV2Password
	}
	sess, reused := d.tokens.get(addr)
	if reused && !sess.isFor(password) {
		// The credential changed: sign the token anew.
		sess = newV2Session(password, sess.tok)
		d.tokens.put(addr, sess, tokenTTL)
	}
	if !reused {
		tok, err := d.getToken(ctx, addr)
		if err != nil {
			return nil, err
		}
		sess = newV2Session(password, tok)
		d.tokens.put(addr, sess, tokenTTL)
	}
	doc, err := d.v2Send(ctx, addr, sess, cmd, params)
	if hearth.ErrorCode(err) != hearth.EAUTH {
		return doc, err
	}
	d.tokens.drop(addr)
	if !reused {
		return doc, err
	}
	tok, err := d.getToken(ctx, addr)
	if err != nil {
		return nil, err
	}
	sess = newV2Session(password, tok)
	doc, err = d.v2Send(ctx, addr, sess, cmd, params)
	if err == nil {
		d.tokens.put(addr, sess, tokenTTL)
	}
	return doc, err
}

// v2Send sends one encrypted write signed with the session's token.
func (d *Driver) v2Send(ctx context.Context, addr string, sess *v2Session, cmd string, params []param) (*cgminer.Document, error) {
	key, sign := sess.aes, sess.sign
	plain, err := v2Plaintext(cmd, params, sign)
	if err != nil {
		return nil, err
	}
	data, err := encryptECB(key, plain)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINTERNAL, err, "Encrypt %s.", cmd)
	}
	req, _ := json.Marshal(struct {
		Enc  int    `json:"enc"`
		Data string `json:"data"`
	}{1, data})
	if len(req) > cgminer.MaxRequestSize {
		// btminer reads a request with one recv() of at most 4095 bytes.
		return nil, hearth.Errorf(hearth.EINVALID, "The %s request is longer than the %d bytes btminer reads; shorten its values.", cmd, cgminer.MaxRequestSize)
	}
	raw, _, err := d.exchange(ctx, addr, req, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	doc, err := openV2Reply(addr, cmd, key, raw)
	if err != nil {
		return nil, err
	}
	return doc, checkV2(addr, cmd, doc)
}

// openV2Reply parses an encrypted write's reply, {"enc":"<base64>"}, with
// key. btminer sends errors it finds before decryption (a bad token, the
// write API disabled) in the clear, so a reply without "enc" is parsed as
// it is.
func openV2Reply(addr, cmd string, key, raw []byte) (*cgminer.Document, error) {
	doc, err := decode(addr, cmd, raw)
	if err != nil {
		return nil, err
	}
	enc, ok := doc.Root().Object().Get("enc")
	if !ok || enc.Kind() != cgminer.KindString {
		return doc, nil
	}
	plain, err := decryptECB(key, enc.Text())
	if err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "Miner at %s answered %s with an encrypted reply hearth cannot decrypt.", addr, cmd)
	}
	return decode(addr, cmd, plain)
}

// btminer's API v2 codes for an unauthorised write (pyasic's error table):
// 45 permission denied, 135 token check failed, 136 token used too often.
var v2AuthCodes = map[int64]bool{45: true, 135: true, 136: true}

// checkV2 checks a write's status, telling the user to enable the write
// API when btminer says it is off ("can't access write cmd") and mapping
// token errors to EAUTH.
func checkV2(addr, cmd string, doc *cgminer.Document) error {
	err := doc.Check(cmd)
	if err == nil {
		return nil
	}
	var se *cgminer.StatusError
	if errors.As(err, &se) {
		msg := strings.ToLower(se.Status.Msg)
		switch {
		case strings.Contains(msg, "can't access write cmd"):
			return hearth.WrapError(hearth.EUNSUPPORTED, err,
				"Whatsminer at %s has its write API disabled; enable it (WhatsMinerTool: API switch) to use %s.", addr, cmd)
		case v2AuthCodes[se.Status.Code], strings.Contains(msg, "token"):
			return hearth.WrapError(hearth.EAUTH, err, "Whatsminer at %s rejected hearth's credentials for %s.", addr, cmd)
		}
	}
	return fmt.Errorf("%s: %w", addr, err)
}

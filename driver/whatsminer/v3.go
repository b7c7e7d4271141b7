package whatsminer

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// v3Request is an API v3 request. Reads carry cmd and, for some, param;
// writes add the time, the account and the token.
type v3Request struct {
	Cmd     string `json:"cmd"`
	Param   any    `json:"param,omitempty"`
	Token   string `json:"token,omitempty"`
	Account string `json:"account,omitempty"`
	TS      int64  `json:"ts,omitempty"`
}

// v3Call sends one API v3 request to addr and returns the checked reply
// and its time to first byte.
func (d *Driver) v3Call(ctx context.Context, addr string, req v3Request) (*cgminer.Document, time.Duration, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, 0, hearth.WrapError(hearth.EINVALID, err, "Encode %s.", req.Cmd)
	}
	raw, firstByte, err := d.exchange(ctx, addr, body, true)
	if err != nil {
		return nil, firstByte, fmt.Errorf("%s: %w", req.Cmd, err)
	}
	doc, err := decode(addr, req.Cmd, raw)
	if err != nil {
		return nil, firstByte, err
	}
	if err := doc.Check(req.Cmd); err != nil {
		return nil, firstByte, fmt.Errorf("%s: %w", addr, err)
	}
	return doc, firstByte, nil
}

// v3Read sends the API v3 read cmd with param (nil for none).
func (d *Driver) v3Read(ctx context.Context, t hearth.Target, cmd string, param any) (*cgminer.Document, time.Duration, error) {
	return d.v3Call(ctx, d.v3Addr(t), v3Request{Cmd: cmd, Param: param})
}

// v3Token returns the token of an API v3 write and the SHA-256 digest it
// is cut from: token = base64(sha256(cmd + password + salt + ts))[:8]. The
// digest is also the AES key of set.miner.pools' encrypted parameter.
func v3Token(cmd, password, salt string, ts int64) (token string, digest []byte) {
	sum := sha256.Sum256([]byte(cmd + password + salt + strconv.FormatInt(ts, 10)))
	return base64.StdEncoding.EncodeToString(sum[:])[:8], sum[:]
}

// v3Write sends the API v3 write cmd with param (nil for none) to t. It
// signs the request with the salt (get.device.info "salt") and the
// account and password of Target.Credentials (default super/super), and,
// for set.miner.pools, encrypts param as asic-rs does.
//
// The salt is fixed per miner, so it is kept for saltTTL; when the miner
// refuses a write signed with a kept salt, the salt is fetched again and
// the write retried once (a refusal changed nothing on the miner).
func (d *Driver) v3Write(ctx context.Context, t hearth.Target, cmd string, param any) error {
	addr := d.v3Addr(t)
	salt, reused := d.salts.get(addr)
	if !reused {
		var err error
		if salt, err = d.v3Salt(ctx, addr); err != nil {
			return err
		}
		d.salts.put(addr, salt, saltTTL)
	}
	err := d.v3Send(ctx, t, addr, salt, cmd, param)
	if hearth.ErrorCode(err) != hearth.EAUTH {
		return err
	}
	d.salts.drop(addr)
	if !reused {
		return err
	}
	if salt, err = d.v3Salt(ctx, addr); err != nil {
		return err
	}
	if err = d.v3Send(ctx, t, addr, salt, cmd, param); err == nil {
		d.salts.put(addr, salt, saltTTL)
	}
	return err
}

// v3Salt asks the miner at addr for the salt writes are signed with.
func (d *Driver) v3Salt(ctx context.Context, addr string) (string, error) {
	doc, _, err := d.v3Call(ctx, addr, v3Request{Cmd: "get.device.info", Param: "salt"})
	if err != nil {
		return "", fmt.Errorf("get write salt: %w", err)
	}
	salt := v3Msg(doc).String("salt")
	if salt == "" {
		return "", hearth.Errorf(hearth.EPROTOCOL, "Miner at %s sent no salt for writes.", addr)
	}
	return salt, nil
}

// v3Send sends one write signed with salt.
func (d *Driver) v3Send(ctx context.Context, t hearth.Target, addr, salt, cmd string, param any) error {
	account, password := t.Credentials.User, t.Credentials.Password
	if account == "" {
		account = defaultV3Account
	}
	if password == "" {
		password = defaultV3Password
	}
	ts := time.Now().Unix()
	token, digest := v3Token(cmd, password, salt, ts)
	if cmd == "set.miner.pools" {
		plain, err := json.Marshal(param)
		if err != nil {
			return hearth.WrapError(hearth.EINVALID, err, "Encode %s.", cmd)
		}
		if param, err = encryptECB(digest, plain); err != nil {
			return hearth.WrapError(hearth.EINTERNAL, err, "Encrypt %s.", cmd)
		}
	}
	_, _, err := d.v3Call(ctx, addr, v3Request{Cmd: cmd, Param: param, Token: token, Account: account, TS: ts})
	var se *cgminer.StatusError
	if errors.As(err, &se) && mentionsAuth(se.Status.Msg) {
		return hearth.WrapError(hearth.EAUTH, err, "Whatsminer at %s rejected hearth's credentials for %s.", addr, cmd)
	}
	return err
}

// mentionsAuth reports whether a refusal's message is about the token,
// the account or the password, the words btminer uses for a failed
// signature.
func mentionsAuth(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "token") || strings.Contains(msg, "account") || strings.Contains(msg, "passw") || strings.Contains(msg, "auth")
}

// v3Msg returns the msg object of an API v3 reply.
func v3Msg(doc *cgminer.Document) cgminer.Object {
	v, _ := doc.Root().Object().Get("msg")
	return v.Object()
}

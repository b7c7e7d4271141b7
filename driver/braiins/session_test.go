package braiins_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hearth-fleet/hearth"
)

const minerStats = svc + "MinerService/GetMinerStats"
const loginMethod = svc + "AuthenticationService/Login"

// BOS before 25.07 has an empty root password: with default
// credentials the driver falls back to it once, and remembers it.
func TestLoginFallsBackToEmptyPassword(t *testing.T) {
	bos := newFakeBOS(t)
	bos.SetUsers(map[string]string{"root": ""})
	d := newDriver(t)
	for range 2 {
		if err := d.Reboot(context.Background(), bos.target(t, "")); err != nil {
			t.Fatal(err)
		}
	}
	logins := bos.Calls(loginMethod)
	if len(logins) != 2 || string(logins[0].Body) != "\x0a\x04root\x12\x04root" || string(logins[1].Body) != "\x0a\x04root" {
		t.Fatalf("logins %+v", logins)
	}
}

// Configured credentials are used as they are, with no fallback, and a
// refusal is EAUTH.
func TestLoginConfiguredCredentials(t *testing.T) {
	bos := newFakeBOS(t)
	bos.SetUsers(map[string]string{"admin": "s3cret"})
	d := newDriver(t)
	target := bos.target(t, "")
	target.Credentials = hearth.Credentials{User: "admin", Password: "s3cret"}
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if l := bos.Calls(loginMethod); len(l) != 1 || string(l[0].Body) != "\x0a\x05admin\x12\x06s3cret" {
		t.Fatalf("logins %+v", l)
	}

	target.Credentials.Password = "hunter2"
	err := d.Reboot(context.Background(), target)
	wantCode(t, err, hearth.EAUTH)
	if l := bos.Calls(loginMethod); len(l) != 2 {
		t.Fatalf("%d logins, want one more for the changed password", len(l))
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "s3cret") {
		t.Errorf("error shows a password: %s", msg)
	}
}

// A poll with refused credentials logs in once per password, not once
// per call of the poll.
func TestRefusedLoginShared(t *testing.T) {
	bos := newFakeBOS(t)
	bos.SetUsers(map[string]string{"root": "changed"})
	_, err := newDriver(t).Poll(context.Background(), bos.target(t, ""))
	wantCode(t, err, hearth.EAUTH)
	if n := len(bos.Calls(loginMethod)); n != 2 { // root/root, then root/""
		t.Fatalf("%d logins", n)
	}
	if n := len(bos.Requests()); n != 2 {
		t.Fatalf("%d requests", n)
	}
}

// Early BOS sends the token in the response header, not the reply.
func TestLoginLegacyHeaderToken(t *testing.T) {
	bos := newFakeBOS(t)
	bos.SetLegacyLogin(true)
	if err := newDriver(t).Reboot(context.Background(), bos.target(t, "")); err != nil {
		t.Fatal(err)
	}
	if r := bos.Calls(svc + "ActionsService/Reboot"); len(r) != 1 || r[0].Token != "tok1" {
		t.Fatalf("reboots %+v", r)
	}
}

// A miner that drops the token (rebooted) answers UNAUTHENTICATED; the
// driver logs in again once and the call succeeds.
func TestReloginOnUnauthenticated(t *testing.T) {
	bos := newFakeBOS(t)
	d := newDriver(t)
	target := bos.target(t, "")
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	bos.DropTokens()
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	reboots := bos.Calls(svc + "ActionsService/Reboot")
	if len(reboots) != 3 || reboots[0].Token != "tok1" || reboots[1].Token != "tok1" || reboots[2].Token != "tok2" {
		t.Fatalf("reboots %+v", reboots)
	}
}

// A miner that refuses even a fresh token gives EAUTH after one
// re-login, not a loop.
func TestReloginOnlyOnce(t *testing.T) {
	bos := newFakeBOS(t)
	bos.Handle(svc+"ActionsService/Reboot", func(context.Context, []byte) ([]byte, error) {
		return nil, status.Error(codes.Unauthenticated, "token expired")
	})
	err := newDriver(t).Reboot(context.Background(), bos.target(t, ""))
	wantCode(t, err, hearth.EAUTH)
	if l, r := len(bos.Calls(loginMethod)), len(bos.Calls(svc+"ActionsService/Reboot")); l != 2 || r != 2 {
		t.Fatalf("%d logins, %d reboots", l, r)
	}
}

// The driver renews a token before timeout_s lapses instead of waiting
// for the miner to refuse it.
func TestLoginBeforeExpiry(t *testing.T) {
	bos := newFakeBOS(t)
	bos.SetTokenLife(1) // a one-second session
	d := newDriver(t)
	target := bos.target(t, "")
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if n := len(bos.Calls(loginMethod)); n != 1 {
		t.Fatalf("%d logins within the session", n)
	}
	time.Sleep(950 * time.Millisecond)
	if err := d.Reboot(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	reboots := bos.Calls(svc + "ActionsService/Reboot")
	if n := len(bos.Calls(loginMethod)); n != 2 || reboots[len(reboots)-1].Token != "tok2" {
		t.Fatalf("%d logins, last token %q", n, reboots[len(reboots)-1].Token)
	}
}

// The cache holds at most MaxConnections miners.
func TestConnectionCacheBounded(t *testing.T) {
	d := newDriver(t)
	d.MaxConnections = 2
	for range 3 {
		bos := newFakeBOS(t)
		if err := d.Reboot(context.Background(), bos.target(t, "")); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.Connections(); n != 2 {
		t.Fatalf("%d cached connections", n)
	}
	d.Close()
	if n := d.Connections(); n != 0 {
		t.Fatalf("%d connections after Close", n)
	}
}

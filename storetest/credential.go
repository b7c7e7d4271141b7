package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/hearth-fleet/hearth"
)

func testCredentialService(t *testing.T, open Opener) {
	st := open(t)
	s := st.Credentials
	ctx := context.Background()
	for _, c := range []*hearth.MinerCredential{
		{Family: hearth.FamilyAntminer, User: "root", Password: "fleet-pw"},
		{Family: hearth.FamilyAntminer, Site: "barn", User: "root", Password: "barn-pw"},
		{Family: hearth.FamilyAntminer, MinerID: "s19-7", User: "admin", Password: "own-pw"},
	} {
		if err := s.SetCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		m    hearth.Miner
		want hearth.Credentials
	}{
		{hearth.Miner{ID: "s19-7", Family: hearth.FamilyAntminer, Site: "barn"}, hearth.Credentials{User: "admin", Password: "own-pw"}},
		{hearth.Miner{ID: "s19-8", Family: hearth.FamilyAntminer, Site: "barn"}, hearth.Credentials{User: "root", Password: "barn-pw"}},
		{hearth.Miner{ID: "s19-9", Family: hearth.FamilyAntminer, Site: "garage"}, hearth.Credentials{User: "root", Password: "fleet-pw"}},
		{hearth.Miner{ID: "s19-9", Family: hearth.FamilyAntminer}, hearth.Credentials{User: "root", Password: "fleet-pw"}},
		{hearth.Miner{ID: "bx", Family: hearth.FamilyAxeOS}, hearth.Credentials{}},
	} {
		got, err := s.Resolve(ctx, &tc.m)
		if err != nil || got != tc.want {
			t.Errorf("%s at %q: %+v, %v; want %+v", tc.m.ID, tc.m.Site, got, err, tc.want)
		}
	}
	list, err := s.FindCredentials(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("list %v, %v", list, err)
	}
	for _, c := range list {
		if c.Password != "" {
			t.Errorf("a password came back: %+v", c)
		}
	}
	// On disk the password is sealed.
	var pw []byte
	st.QueryRow(t, `SELECT password FROM credentials WHERE miner_id = 's19-7'`, &pw)
	if len(pw) == 0 || bytes.Contains(pw, []byte("own-pw")) {
		t.Errorf("the stored password is %q, not sealed", pw)
	}
	// Replace, then delete.
	if err := s.SetCredential(ctx, &hearth.MinerCredential{Family: hearth.FamilyAntminer, MinerID: "s19-7", User: "admin", Password: "new"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Resolve(ctx, &hearth.Miner{ID: "s19-7", Family: hearth.FamilyAntminer}); got.Password != "new" {
		t.Errorf("after replace: %+v", got)
	}
	if err := s.DeleteCredential(ctx, hearth.FamilyAntminer, "", "s19-7"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCredential(ctx, hearth.FamilyAntminer, "", "s19-7"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
	if err := s.SetCredential(ctx, &hearth.MinerCredential{Family: hearth.FamilyAntminer, Site: "a", MinerID: "b", User: "u"}); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("site and miner at once: %v", err)
	}
}

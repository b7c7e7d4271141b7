package braiins_test

import (
	"context"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
	"github.com/hearth-fleet/hearth/driver/braiins"
	"google.golang.org/protobuf/encoding/protowire"
)

func TestRegistered(t *testing.T) {
	d, err := driver.Lookup(hearth.FamilyBraiins)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(*braiins.Driver); !ok || d.DefaultPort() != 4028 {
		t.Fatalf("registered %T on port %d", d, d.DefaultPort())
	}
}

func TestIdentify(t *testing.T) {
	bos := newFakeBOS(t)
	rpc := rpcServer(t, "version.json")
	d := newDriver(t)
	target := bos.target(t, rpc.Addr)

	id, err := d.Identify(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if id.Family != hearth.FamilyBraiins || id.Model != "Antminer S19 XP" ||
		id.Firmware != "Braiins OS 2025-08-06-0-3881c51d-25.07-plus" ||
		id.Hostname != "Antminer" || id.MAC != "02:EE:DA:A9:B6:4A" || id.Serial != "" {
		t.Errorf("identity %+v", id)
	}
	if id.Port != target.Port || id.APIPort != target.APIPort || id.Address != "127.0.0.1" {
		t.Errorf("ports %d %d address %s", id.Port, id.APIPort, id.Address)
	}
	if !near(id.HashRate, 142400.81429465002e9) {
		t.Errorf("hash rate %v", id.HashRate)
	}
	if got := rpc.Commands(); len(got) != 1 || got[0] != "version" {
		t.Errorf("RPC commands %q", got)
	}
}

// BOS names the S19j Pro "Antminer S19J Pro"; hearth says "S19j Pro".
func TestIdentifyNormalisesModel(t *testing.T) {
	bos := newFakeBOS(t)
	identity := protowire.AppendTag(nil, 3, protowire.BytesType)
	identity = protowire.AppendString(identity, "Antminer S19J Pro")
	identity = protowire.AppendTag(identity, 4, protowire.BytesType)
	identity = protowire.AppendString(identity, "Antminer S19J Pro")
	details := protowire.AppendTag(nil, 2, protowire.BytesType)
	details = protowire.AppendBytes(details, identity)
	details = protowire.AppendTag(details, 16, protowire.BytesType)
	details = protowire.AppendString(details, "SN123")
	bos.Reply(svc+"MinerService/GetMinerDetails", details)
	rpc := rpcServer(t, "version.json")

	id, err := newDriver(t).Identify(context.Background(), bos.target(t, rpc.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if id.Model != "Antminer S19j Pro" || id.Serial != "SN123" || id.Firmware != "Braiins OS" {
		t.Errorf("identity %+v", id)
	}
}

// LuxOS and stock Antminers answer version on 4028 too; the driver must
// leave them to their own drivers and never touch the gRPC port.
func TestIdentifyLeavesOtherFirmware(t *testing.T) {
	for _, name := range []string{"luxos_version.json", "antminer_version.json"} {
		t.Run(name, func(t *testing.T) {
			bos := newFakeBOS(t)
			rpc := rpcServer(t, name)
			_, err := newDriver(t).Identify(context.Background(), bos.target(t, rpc.Addr))
			wantCode(t, err, hearth.EUNSUPPORTED)
			if n := len(bos.Requests()); n != 0 {
				t.Errorf("%d gRPC calls to a machine that is not BOS", n)
			}
		})
	}
}

func TestIdentifyNoRPC(t *testing.T) {
	bos := newFakeBOS(t)
	target := bos.target(t, "")
	target.Port = 1 // nothing listens
	_, err := newDriver(t).Identify(context.Background(), target)
	if code := hearth.ErrorCode(err); code != hearth.EUNAVAILABLE && code != hearth.ETIMEOUT {
		t.Fatalf("error %v", err)
	}
}

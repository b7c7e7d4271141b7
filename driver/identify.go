package driver

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearth-fleet/hearth"
)

// Standard management ports. A farm LAN uses these; a simulator or a lab
// behind port forwarding may not, hence Ports.
const (
	StandardRPCPort  = 4028
	StandardHTTPPort = 80
)

// Ports says which ports to probe. Zero fields mean the standard ports.
type Ports struct {
	// RPC is the port of TCP APIs such as CGMiner RPC (standard 4028).
	RPC int
	// HTTP is the port of web interfaces and HTTP APIs (standard 80).
	HTTP int
	// API is the port of a family's second management API, where the
	// family has one (Whatsminer API v3 on 4433, Braiins OS gRPC on
	// 50051); zero means each family's own default.
	API int
}

// Target returns where driver d should look for a miner at address: its
// primary port taken from p according to the kind of port the driver
// speaks on, and the web port.
func (p Ports) Target(d hearth.Driver, address string) hearth.Target {
	t := hearth.Target{Address: address, WebPort: p.HTTP, APIPort: p.API}
	switch d.DefaultPort() {
	case StandardHTTPPort:
		t.Port = p.HTTP
	case StandardRPCPort:
		t.Port = p.RPC
	}
	return t
}

// Identify asks every registered driver, at once, whether the machine at
// address speaks its family, and returns the first identity in registry
// order among those that answered. A machine no driver recognises gives an
// EUNSUPPORTED error; one that does not answer at all gives the most
// telling of the drivers' errors (a timeout or a refusal).
func Identify(ctx context.Context, address string, ports Ports) (*hearth.Identity, error) {
	return IdentifyWith(ctx, address, ports, nil)
}

// CredentialsFunc returns the credentials to try on a machine of family f;
// zero credentials mean the family's defaults.
type CredentialsFunc func(f hearth.Family) hearth.Credentials

// IdentifyWith is Identify giving each driver the credentials creds
// returns for its family, for the families whose identification logs in
// (Braiins OS's gRPC API, an Antminer's web CGI): a fleet whose operator
// changed the factory password is identified in full. A nil creds means
// the defaults everywhere.
func IdentifyWith(ctx context.Context, address string, ports Ports, creds CredentialsFunc) (*hearth.Identity, error) {
	drivers := All()
	type result struct {
		id  *hearth.Identity
		err error
	}
	results := make([]result, len(drivers))
	done := make(chan int, len(drivers))
	for i, d := range drivers {
		go func() {
			t := ports.Target(d, address)
			if creds != nil {
				t.Credentials = creds(d.Family())
			}
			id, err := d.Identify(ctx, t)
			results[i] = result{id, err}
			done <- i
		}()
	}
	for range drivers {
		<-done
	}
	var errs []error
	for i, r := range results {
		if r.err == nil && r.id != nil {
			if r.id.Address == "" {
				r.id.Address = address
			}
			if r.id.Family == "" {
				r.id.Family = drivers[i].Family()
			}
			if r.id.Port == 0 {
				r.id.Port = ports.Target(drivers[i], address).Port
				if r.id.Port == 0 {
					r.id.Port = drivers[i].DefaultPort()
				}
			}
			if r.id.WebPort == 0 && ports.HTTP != 0 && drivers[i].DefaultPort() != StandardHTTPPort {
				r.id.WebPort = ports.HTTP
			}
			if r.id.APIPort == 0 {
				r.id.APIPort = ports.API
			}
			return r.id, nil
		}
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return nil, explain(address, errs)
}

// explain picks the error a user learns most from: a miner that answered
// but was not recognised says more than one that refused, which says more
// than a timeout.
func explain(address string, errs []error) error {
	rank := map[string]int{hearth.EAUTH: 5, hearth.EPROTOCOL: 4, hearth.ETOOLARGE: 4, hearth.EUNSUPPORTED: 3, hearth.ETIMEOUT: 2, hearth.EUNAVAILABLE: 1}
	var best error
	for _, err := range errs {
		if best == nil || rank[hearth.ErrorCode(err)] > rank[hearth.ErrorCode(best)] {
			best = err
		}
	}
	if best == nil {
		return hearth.Errorf(hearth.EUNSUPPORTED, "No miner recognised at %s.", address)
	}
	code := hearth.ErrorCode(best)
	if code == hearth.EUNSUPPORTED {
		return hearth.WrapError(code, errors.Join(errs...), "No miner recognised at %s.", address)
	}
	return hearth.WrapError(code, best, "%s", fmt.Sprintf("No miner identified at %s: %s", address, hearth.ErrorMessage(best)))
}

package http_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
)

// bareHostName is a lower-case DNS name without port or path.
var bareHostName = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$`)

// FuzzCreateMiner sends arbitrary bodies to POST /api/v1/miners. Whatever
// the bytes, the answer is a JSON success or a JSON client error (never a
// 500 or a panic), and a miner that was added passes validation.
func FuzzCreateMiner(f *testing.F) {
	for _, seed := range []string{
		`{"address":"10.0.0.5","family":"antminer"}`,
		`{"address":"127.1.0.1","port":4028,"web_port":8080,"family":"antminer","site":"barn","tags":["row-1"],"id":"sim-00000"}`,
		`{"address":"bitaxe.lan","family":"axeos"}`,
		`{"address":"fe80::1%eth0","family":"axeos"}`,
		`{"address":"10.0.0.5:4028"}`,
		`{"address":"http://10.0.0.5/"}`,
		`{"address":"10.0.0.5","port":1e100}`,
		`{"address":"\u0000","tags":[""]}`,
		`{"address":"10.0.0.5"} trailing`,
		`[]`, `null`, `"x"`, `{`, ``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fx := newFixture(t)
		fx.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			if strings.HasPrefix(address, "10.") {
				return &hearth.Identity{Address: address, Port: 4028, Family: hearth.FamilyAntminer, Model: "Antminer S21"}, nil
			}
			return nil, hearth.Errorf(hearth.EUNSUPPORTED, "No miner recognised at %s.", address)
		}
		rec := serve(fx.Server.Handler(), withToken(request("POST", "/api/v1/miners", body), validToken))
		switch rec.Code {
		case http.StatusCreated:
			var m minerItem
			decode(t, rec, &m)
			stored, err := fx.Miners.FindMinerByID(t.Context(), m.ID)
			if err != nil {
				t.Fatalf("201 but not stored: %v", err)
			}
			if err := stored.Validate(); err != nil {
				t.Fatalf("stored an invalid miner %+v: %v", stored, err)
			}
			if _, err := netip.ParseAddr(stored.Address); err != nil && !bareHostName.MatchString(stored.Address) {
				t.Fatalf("stored address %q is neither an IP address nor a host name", stored.Address)
			}
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			var e apiError
			decode(t, rec, &e)
			if e.Code == "" || e.Error == "" {
				t.Fatalf("error without code or message: %s", rec.Body.String())
			}
		default:
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}

// FuzzListMiners sends arbitrary query strings to GET /api/v1/miners: the
// answer is 200 with at most limit miners, or a JSON 400.
func FuzzListMiners(f *testing.F) {
	for _, seed := range []string{
		"", "site=barn", "family=axeos", "status=online", "status=offline,unknown", "q=s21",
		"sort=-hashrate&limit=2&offset=1", "sort=efficiency", "limit=-1", "offset=x", "status=,",
		"sort=-", "limit=99999999999999999999", "sort=-id&offset=1&limit=9223372036854775807", "q=%00", "status=ONLINE",
	} {
		f.Add(seed)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := request("GET", "/api/v1/miners", nil)
		req.URL.RawQuery = query
		rec := serve(fx.Handler, req)
		switch rec.Code {
		case http.StatusOK:
			var l minerList
			decode(t, rec, &l)
			if l.Limit > 0 && len(l.Miners) > l.Limit || len(l.Miners) > l.Total {
				t.Fatalf("%d miners for limit %d, total %d", len(l.Miners), l.Limit, l.Total)
			}
		case http.StatusBadRequest:
			var e apiError
			decode(t, rec, &e)
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body.String())
		}
	})
}

// FuzzAuthorization sends arbitrary Authorization and Host headers: a read
// is either served or refused with a JSON 401, and only the valid token
// opens a write.
func FuzzAuthorization(f *testing.F) {
	for _, seed := range [][2]string{
		{"Bearer " + validToken, "localhost"}, {"bearer " + validToken, "127.0.0.1:8080"}, {"Basic dXNlcjpwYXNz", "[::1]"},
		{"Bearer", "evil.example"}, {"Bearer  x  y", ""}, {"", "LOCALHOST."}, {"Bearer \x00", "a.localhost:1"},
	} {
		f.Add(seed[0], seed[1])
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, authorization, host string) {
		for _, method := range []string{"GET", "DELETE"} {
			req := request(method, "/api/v1/miners/does-not-exist", nil)
			req.Host = host
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			rec := serve(fx.Handler, req)
			switch rec.Code {
			case http.StatusNotFound:
				// Let through: a write must have carried the valid token.
				scheme, token, _ := strings.Cut(strings.TrimSpace(authorization), " ")
				if method == "DELETE" && (!strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) != validToken) {
					t.Fatalf("write let through with Authorization %q", authorization)
				}
			case http.StatusUnauthorized:
				var e apiError
				decode(t, rec, &e)
			default:
				t.Fatalf("%s with Authorization %q, Host %q: status %d", method, authorization, host, rec.Code)
			}
		}
	})
}

// FuzzSetProfile sends arbitrary bodies and names to PUT
// /api/v1/profiles/{name}: the answer is 200 with a profile that validates
// and resolves for every model it lists, or a JSON 400.
func FuzzSetProfile(f *testing.F) {
	for _, seed := range [][2]string{
		{"eco", `{"mode":"eco","watts":3000,"model_watts":{"Antminer S21":3000,"Antminer S19j Pro":2600}}`},
		{"night", `{"mode":"target","model_watts":{"Antminer S21":2500}}`},
		{"off", `{"mode":"sleep"}`},
		{"x", `{"mode":"eco"}`},
		{"x", `{"mode":"eco","watts":1,"model_watts":{"":5}}`},
		{"x", `{"mode":"max","watts":-1}`},
		{"x", `{"mode":"eco","watts":1e400}`},
		{"x", `{"mode":"eco","watts":1,"model_watts":{"S21":0}}`},
		{" padded", `{"mode":"max"}`},
		{"x", `{"name":"y","mode":"max"}`},
		{"x", `{"mode":"max"} trailing`},
		{"x", `[]`}, {"x", `null`}, {"x", `{`}, {"x", ``},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, body string) {
		if name == "" || strings.ContainsAny(name, "/?#%") || name == "." || name == ".." {
			return // not one path segment; the mux answers those
		}
		fx := newFixture(t)
		rec := serve(fx.Handler, withToken(request("PUT", "/api/v1/profiles/"+url.PathEscape(name), body), validToken))
		switch rec.Code {
		case http.StatusOK:
			p, err := fx.Profiles.FindProfileByName(t.Context(), name)
			if err != nil {
				t.Fatalf("200 but not stored: %v", err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("stored an invalid profile %+v: %v", p, err)
			}
			for model := range p.ModelWatts {
				if pp, err := p.Resolve(model); err != nil || pp.Validate() != nil {
					t.Fatalf("profile %+v does not resolve for its own model %q: %+v, %v", p, model, pp, err)
				}
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var e apiError
			decode(t, rec, &e)
			if e.Code == "" || e.Error == "" {
				t.Fatalf("error without code or message: %s", rec.Body.String())
			}
		default:
			t.Fatalf("status %d for %q %q: %s", rec.Code, name, body, rec.Body.String())
		}
	})
}

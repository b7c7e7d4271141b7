package vtntest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/openadr"
	"github.com/hearth-fleet/hearth/openadr/vtntest"
)

// token gets a bearer token with the given client.
func token(t *testing.T, vtn *vtntest.VTN, id, secret string) string {
	t.Helper()
	resp, err := http.PostForm(vtn.URL()+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&tr) != nil || tr.TokenType != "Bearer" || tr.ExpiresIn <= 0 {
		t.Fatalf("token answer %d %+v", resp.StatusCode, tr)
	}
	return tr.AccessToken
}

func do(t *testing.T, method, u, tok, body string) (int, openadr.Problem) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p openadr.Problem
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &p); err != nil || p.Status != resp.StatusCode || p.Title == "" {
			t.Errorf("%s %s: error body %q is not a problem", method, u, b)
		}
	}
	return resp.StatusCode, p
}

func TestStrictRejections(t *testing.T) {
	for _, version := range []openadr.Version{openadr.Version301, openadr.Version310} {
		t.Run(string(version), func(t *testing.T) {
			vtn := vtntest.New(version)
			defer vtn.Close()
			vtn.AddClient("bl", "bl-secret", vtntest.ScopeReadAll, vtntest.ScopeWriteEvents, vtntest.ScopeWritePrograms, vtntest.ScopeWriteReports)
			vtn.AddClient("ven", "ven-secret", vtntest.ScopeWriteReports)
			bl, ven := token(t, vtn, "bl", "bl-secret"), token(t, vtn, "ven", "ven-secret")
			prog, err := vtn.CreateProgram(openadr.Program{ProgramName: "p"})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := vtn.CreateEvent(openadr.Event{ProgramID: prog.ID, Intervals: []openadr.Interval{{ID: 0, Payloads: []openadr.ValuesMap{{Type: "SIMPLE", Values: []any{1.0}}}}}})
			if err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name, method, path, tok, body string
				want                          int
			}{
				{"bad JSON", "POST", "/events", bl, `{"programID":`, 400},
				{"no programID", "POST", "/events", bl, `{"intervals":[]}`, 400},
				{"interval without id", "POST", "/events", bl, `{"programID":"` + prog.ID + `","intervals":[{"payloads":[]}]}`, 400},
				{"payload without values", "POST", "/events", bl, `{"programID":"` + prog.ID + `","intervals":[{"id":0,"payloads":[{"type":"SIMPLE"}]}]}`, 400},
				{"bad duration", "POST", "/events", bl, `{"programID":"` + prog.ID + `","intervalPeriod":{"start":"2025-01-01T00:00:00Z","duration":"1 hour"},"intervals":[]}`, 400},
				{"report without resources", "POST", "/reports", ven, `{"programID":"` + prog.ID + `","eventID":"` + ev.ID + `","clientName":"v"}`, 400},
				{"limit above 50", "GET", "/events?limit=51", bl, "", 400},
				{"missing scope", "GET", "/events", ven, "", 403},
				{"no token", "GET", "/events", "nope", "", 401},
				{"unknown event", "GET", "/events/999", bl, "", 404},
			}
			for _, c := range cases {
				if got, _ := do(t, c.method, vtn.URL()+c.path, c.tok, c.body); got != c.want {
					t.Errorf("%s: %s %s answered %d, want %d", c.name, c.method, c.path, got, c.want)
				}
			}
			// The version's report shape is accepted.
			rep := `{"eventID":"` + ev.ID + `","clientName":"v","resources":[{"resourceName":"AGGREGATED_REPORT","intervals":[{"id":0,"payloads":[{"type":"USAGE","values":[1.5]}]}]}]}`
			if version == openadr.Version301 {
				rep = `{"programID":"` + prog.ID + `",` + rep[1:]
			}
			if got, p := do(t, "POST", vtn.URL()+"/reports", ven, rep); got != 201 {
				t.Errorf("a valid report answered %d %+v", got, p)
			}
			// 3.0.1 requires the programID that 3.1.0 dropped.
			if version == openadr.Version301 {
				if got, _ := do(t, "POST", vtn.URL()+"/reports", ven, `{"eventID":"`+ev.ID+`","clientName":"v","resources":[]}`); got != 400 {
					t.Errorf("3.0.1 report without programID answered %d", got)
				}
			}
		})
	}
}

func TestTokenErrorsFollowRFC6749(t *testing.T) {
	vtn := vtntest.New(openadr.Version310)
	defer vtn.Close()
	vtn.AddClient("c", "s", vtntest.ScopeReadTargets)
	for _, c := range []struct {
		form url.Values
		want int
		code string
	}{
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"wrong"}}, 401, "invalid_client"},
		{url.Values{"grant_type": {"password"}, "client_id": {"c"}, "client_secret": {"s"}}, 400, "unsupported_grant_type"},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"s"}, "scope": {"write_events"}}, 400, "invalid_scope"},
	} {
		resp, err := http.PostForm(vtn.URL()+"/auth/token", c.form)
		if err != nil {
			t.Fatal(err)
		}
		var ae struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&ae)
		resp.Body.Close()
		if resp.StatusCode != c.want || ae.Error != c.code {
			t.Errorf("%v answered %d %q, want %d %q", c.form, resp.StatusCode, ae.Error, c.want, c.code)
		}
	}
	resp, err := http.Get(vtn.URL() + "/auth/server")
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ TokenURL string }
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info.TokenURL != vtn.URL()+"/auth/token" {
		t.Errorf("/auth/server gave %q", info.TokenURL)
	}
}

func TestSubscriptionNeedsTheEcho(t *testing.T) {
	vtn := vtntest.New(openadr.Version310)
	defer vtn.Close()
	vtn.AddClient("ven", "s", vtntest.VENScopes(openadr.Version310)...)
	tok := token(t, vtn, "ven", "s")
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "not-the-echo") }))
	defer liar.Close()
	for _, callback := range []string{liar.URL + "/cb", vtn.URL() + "/nowhere"} {
		body := `{"clientName":"v","objectOperations":[{"objects":["EVENT"],"operations":["CREATE"],"callbackUrl":"` + callback + `"}]}`
		if got, _ := do(t, "POST", vtn.URL()+"/subscriptions", tok, body); got != 400 {
			t.Errorf("callback %s that fails the echo check answered %d, want 400", callback, got)
		}
	}
	if n := len(vtn.Subscriptions()); n != 0 {
		t.Errorf("%d subscriptions stored after a failed echo", n)
	}
}

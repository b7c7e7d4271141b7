package http_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	hearthhttp "github.com/hearth-fleet/hearth/http"
)

// minerList is the decoded body of GET /api/v1/miners.
type minerList struct {
	Miners []minerItem `json:"miners"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
	Now    time.Time   `json:"now"`
}

type minerItem struct {
	hearth.Miner
	Status struct {
		State          string    `json:"state"`
		LastSeen       time.Time `json:"last_seen"`
		LastError      string    `json:"last_error"`
		ErrorCode      string    `json:"error_code"`
		Failures       int       `json:"failures"`
		HashRate       float64   `json:"hashrate_hs"`
		Power          float64   `json:"power_w"`
		PowerEstimated bool      `json:"power_estimated"`
		Efficiency     float64   `json:"efficiency_j_per_th"`
		HottestChip    float64   `json:"hottest_chip_c"`
	} `json:"status"`
	Latest *hearth.Reading `json:"latest"`
	Now    time.Time       `json:"now"`
}

func listMiners(t *testing.T, h http.Handler, query string) minerList {
	t.Helper()
	rec := serve(h, request("GET", "/api/v1/miners"+query, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET miners%s: status %d: %s", query, rec.Code, rec.Body.String())
	}
	var l minerList
	decode(t, rec, &l)
	return l
}

func ids(l minerList) []string {
	var out []string
	for _, m := range l.Miners {
		out = append(out, m.ID)
	}
	return out
}

func TestListMiners(t *testing.T) {
	f := newFixture(t)

	t.Run("All", func(t *testing.T) {
		l := listMiners(t, f.Handler, "")
		if got, want := ids(l), []string{"bitaxe-1", "s19-a", "s21-b", "s21-c", "s21-d"}; !slices.Equal(got, want) {
			t.Fatalf("ids = %v, want %v", got, want)
		}
		if l.Total != 5 || !l.Now.Equal(testNow) {
			t.Fatalf("total = %d, now = %v", l.Total, l.Now)
		}
	})

	t.Run("StatusSummary", func(t *testing.T) {
		l := listMiners(t, f.Handler, "")
		byID := map[string]minerItem{}
		for _, m := range l.Miners {
			byID[m.ID] = m
		}
		a := byID["s19-a"]
		if a.Model != "Antminer S19j Pro" || a.Address != "10.0.0.2" || a.Family != hearth.FamilyAntminer {
			t.Fatalf("miner fields not at top level: %+v", a.Miner)
		}
		s := a.Status
		if s.State != "online" || s.HashRate != 104e12 || s.Power != 3068 || !s.PowerEstimated || s.HottestChip != 74 {
			t.Fatalf("s19-a status = %+v", s)
		}
		if want := 3068 / 104.0; s.Efficiency < want-1e-9 || s.Efficiency > want+1e-9 {
			t.Fatalf("efficiency = %v, want %v", s.Efficiency, want)
		}
		if !s.LastSeen.Equal(testNow.Add(-time.Second)) {
			t.Fatalf("last_seen = %v", s.LastSeen)
		}
		if a.Latest != nil {
			t.Fatal("list items must not carry the full reading")
		}

		// An offline miner shows its state, when it was last seen and
		// why, but no figure from its old reading as if it were current.
		c := byID["s21-c"].Status
		if c.State != "offline" || c.HashRate != 0 || c.Power != 0 || c.HottestChip != 0 || c.Efficiency != 0 {
			t.Fatalf("offline status = %+v", c)
		}
		if c.LastError == "" || c.ErrorCode != hearth.ETIMEOUT || c.Failures != 4 || !c.LastSeen.Equal(testNow.Add(-10*time.Minute)) {
			t.Fatalf("offline status = %+v", c)
		}
		if d := byID["s21-d"].Status; d.State != "unknown" || !d.LastSeen.IsZero() {
			t.Fatalf("never polled status = %+v", d)
		}
	})

	for _, tc := range []struct {
		name, query string
		want        []string
		total       int
	}{
		{"Site", "?site=barn", []string{"s19-a", "s21-b", "s21-c"}, 3},
		{"Family", "?family=axeos", []string{"bitaxe-1"}, 1},
		{"StatusOnline", "?status=online", []string{"bitaxe-1", "s19-a", "s21-b"}, 3},
		{"StatusOffline", "?status=offline", []string{"s21-c"}, 1},
		{"StatusUnknown", "?status=unknown", []string{"s21-d"}, 1},
		{"StatusSeveral", "?status=offline,unknown", []string{"s21-c", "s21-d"}, 2},
		{"SiteAndStatus", "?site=barn&status=online", []string{"s19-a", "s21-b"}, 2},
		{"Limit", "?limit=2", []string{"bitaxe-1", "s19-a"}, 5},
		{"LimitOffset", "?limit=2&offset=2", []string{"s21-b", "s21-c"}, 5},
		{"OffsetPastEnd", "?offset=10", nil, 5},
		{"StatusWithPaging", "?status=online&limit=1&offset=1", []string{"s19-a"}, 3},
		{"TextModel", "?q=s21", []string{"s21-b", "s21-c", "s21-d"}, 3},
		{"TextTag", "?q=HEATER", []string{"bitaxe-1"}, 1},
		{"TextAddress", "?q=10.0.0.1", []string{"s21-b", "s21-d"}, 2},
		{"SortHashrateDesc", "?sort=-hashrate", []string{"s21-b", "s19-a", "bitaxe-1", "s21-c", "s21-d"}, 5},
		{"SortEfficiencyUnknownLast", "?sort=efficiency", []string{"bitaxe-1", "s21-b", "s19-a", "s21-c", "s21-d"}, 5},
		{"SortEfficiencyDescUnknownLast", "?sort=-efficiency", []string{"s19-a", "s21-b", "bitaxe-1", "s21-c", "s21-d"}, 5},
		{"SortAddressNumeric", "?sort=address&site=barn", []string{"s19-a", "s21-c", "s21-b"}, 3},
		{"SortStateProblemsFirst", "?sort=state", []string{"s21-c", "s21-d", "bitaxe-1", "s19-a", "s21-b"}, 5},
		{"SortHottestChip", "?sort=-hottest_chip&limit=2", []string{"s21-b", "s19-a"}, 5},
		{"SortLastSeenDesc", "?sort=-last_seen", []string{"bitaxe-1", "s19-a", "s21-b", "s21-c", "s21-d"}, 5},
		{"SortIDDesc", "?sort=-id&limit=2", []string{"s21-d", "s21-c"}, 5},
		{"HugeLimit", "?sort=-id&offset=3&limit=9223372036854775807", []string{"s19-a", "bitaxe-1"}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listMiners(t, f.Handler, tc.query)
			if got := ids(l); !slices.Equal(got, tc.want) {
				t.Fatalf("ids = %v, want %v", got, tc.want)
			}
			if l.Total != tc.total {
				t.Fatalf("total = %d, want %d", l.Total, tc.total)
			}
		})
	}

	for _, query := range []string{"?status=sleeping", "?limit=-1", "?limit=ten", "?offset=-5", "?sort=color", "?sort=--id"} {
		t.Run("Invalid"+query, func(t *testing.T) {
			rec := serve(f.Handler, request("GET", "/api/v1/miners"+query, nil))
			msg := expectError(t, rec, http.StatusBadRequest, hearth.EINVALID)
			param := strings.TrimLeft(strings.SplitN(query, "=", 2)[0], "?")
			if !strings.Contains(msg, param) {
				t.Fatalf("message %q does not name the parameter %q", msg, param)
			}
		})
	}

	t.Run("EmptyFleetIsAnEmptyArray", func(t *testing.T) {
		s := &hearthhttp.Server{MinerService: NewMinerService()}
		rec := serve(s.Handler(), request("GET", "/api/v1/miners", nil))
		if body := rec.Body.String(); !strings.Contains(body, `"miners":[]`) {
			t.Fatalf("body = %s, want an empty miners array rather than null", body)
		}
	})

	t.Run("NoStatusService", func(t *testing.T) {
		s := &hearthhttp.Server{MinerService: f.Miners}
		l := listMiners(t, s.Handler(), "?status=unknown")
		if l.Total != 5 {
			t.Fatalf("without a status service every miner is unknown; total = %d", l.Total)
		}
	})
}

// TestListMinersLargeFleet checks that filtering and sorting page a large
// fleet correctly: pages do not overlap and cover every match once.
func TestListMinersLargeFleet(t *testing.T) {
	const n = 2500
	miners := NewMinerService()
	status := StatusService{}
	for i := range n {
		id := fmt.Sprintf("sim-%05d", i)
		miners.miners[id] = antminer(id, fmt.Sprintf("127.1.%d.%d", i/254, i%254+1), "Antminer S21", "")
		if i%10 != 0 {
			status[id] = onlineStatus(id, float64(100+i%37), 3000, true, 60+float64(i%20))
		}
	}
	h := (&hearthhttp.Server{MinerService: miners, StatusService: status}).Handler()
	seen := map[string]bool{}
	prev := -1.0
	for offset := 0; ; offset += 200 {
		l := listMiners(t, h, fmt.Sprintf("?status=online&sort=-hashrate&limit=200&offset=%d", offset))
		if l.Total != n-n/10 {
			t.Fatalf("total = %d, want %d", l.Total, n-n/10)
		}
		if len(l.Miners) == 0 {
			break
		}
		for _, m := range l.Miners {
			if seen[m.ID] {
				t.Fatalf("%s on two pages", m.ID)
			}
			seen[m.ID] = true
			if prev >= 0 && m.Status.HashRate > prev {
				t.Fatalf("not sorted by descending hash rate at %s", m.ID)
			}
			prev = m.Status.HashRate
		}
	}
	if len(seen) != n-n/10 {
		t.Fatalf("pages covered %d miners, want %d", len(seen), n-n/10)
	}
}

func TestGetMiner(t *testing.T) {
	f := newFixture(t)

	t.Run("Online", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/s21-b", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		var m minerItem
		decode(t, rec, &m)
		if m.ID != "s21-b" || m.Model != "Antminer S21" || m.Status.State != "online" || m.Status.HashRate != 200e12 {
			t.Fatalf("miner = %+v", m)
		}
		if m.Latest == nil || len(m.Latest.Boards) != 3 || m.Latest.Boards[2].ChipTemp != 80 || len(m.Latest.Fans) != 2 || len(m.Latest.Pools) != 1 {
			t.Fatalf("latest reading = %+v", m.Latest)
		}
		if !m.Now.Equal(testNow) {
			t.Fatalf("now = %v", m.Now)
		}
	})

	t.Run("OfflineKeepsLastReading", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/s21-c", nil))
		var m minerItem
		decode(t, rec, &m)
		if m.Status.State != "offline" || m.Latest == nil || !m.Latest.Time.Equal(testNow.Add(-10*time.Minute)) {
			t.Fatalf("offline detail: status %+v, latest %+v", m.Status, m.Latest)
		}
		if m.Status.HashRate != 0 {
			t.Fatal("the summary of an offline miner must not show its old hash rate")
		}
	})

	t.Run("NeverPolled", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/s21-d", nil))
		if strings.Contains(rec.Body.String(), `"latest"`) {
			t.Fatalf("a miner never read has no latest reading: %s", rec.Body.String())
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		rec := serve(f.Handler, request("GET", "/api/v1/miners/nope", nil))
		expectError(t, rec, http.StatusNotFound, hearth.ENOTFOUND)
	})
}

func TestDeleteMiner(t *testing.T) {
	f := newFixture(t)
	rec := serve(f.Handler, withToken(request("DELETE", "/api/v1/miners/s21-d", nil), validToken))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
	}
	if _, err := f.Miners.FindMinerByID(context.Background(), "s21-d"); hearth.ErrorCode(err) != hearth.ENOTFOUND {
		t.Fatalf("miner still there: %v", err)
	}
	rec = serve(f.Handler, withToken(request("DELETE", "/api/v1/miners/s21-d", nil), validToken))
	expectError(t, rec, http.StatusNotFound, hearth.ENOTFOUND)
}

func TestCreateMiner(t *testing.T) {
	post := func(t *testing.T, h http.Handler, body any) (int, minerItem, string, string) {
		t.Helper()
		rec := serve(h, withToken(request("POST", "/api/v1/miners", body), validToken))
		var m minerItem
		if rec.Code == http.StatusCreated {
			decode(t, rec, &m)
			return rec.Code, m, rec.Header().Get("Location"), ""
		}
		var e apiError
		decode(t, rec, &e)
		return rec.Code, m, "", e.Code + ": " + e.Error
	}

	t.Run("WithFamily", func(t *testing.T) {
		f := newFixture(t)
		f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			t.Fatal("a miner with a family must be added without probing")
			return nil, nil
		}
		h := f.Server.Handler()
		code, m, loc, msg := post(t, h, map[string]any{
			"address": "10.0.0.77", "port": 4029, "web_port": 8080, "family": "antminer",
			"site": "barn", "tags": []string{"row-3", " row-3 ", "spare"}, "id": "rack3-slot7",
		})
		if code != http.StatusCreated {
			t.Fatalf("status %d: %s", code, msg)
		}
		if m.ID != "rack3-slot7" || m.Address != "10.0.0.77" || m.Port != 4029 || m.WebPort != 8080 ||
			m.Family != hearth.FamilyAntminer || m.Site != "barn" || !slices.Equal(m.Tags, []string{"row-3", "spare"}) {
			t.Fatalf("created %+v", m.Miner)
		}
		if loc != "/api/v1/miners/rack3-slot7" {
			t.Fatalf("Location = %q", loc)
		}
		if m.Status.State != "unknown" {
			t.Fatalf("a new miner is unknown until polled, got %q", m.Status.State)
		}
		if _, err := f.Miners.FindMinerByID(context.Background(), "rack3-slot7"); err != nil {
			t.Fatalf("not stored: %v", err)
		}
	})

	t.Run("Identified", func(t *testing.T) {
		f := newFixture(t)
		var gotAddr string
		var gotPort int
		f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			gotAddr, gotPort = address, port
			if _, ok := ctx.Deadline(); !ok {
				t.Error("identification must run under a deadline")
			}
			return &hearth.Identity{Address: address, Port: 4028, Family: hearth.FamilyAntminer,
				Firmware: "bmminer 49.0.1.3", Model: "Antminer S21 XP", Serial: "SN123", MAC: "02:00:00:00:00:01",
				Hostname: "sim-00042", HashRate: 270e12}, nil
		}
		code, m, _, msg := post(t, f.Server.Handler(), map[string]any{"address": " 127.1.0.43 "})
		if code != http.StatusCreated {
			t.Fatalf("status %d: %s", code, msg)
		}
		if gotAddr != "127.1.0.43" || gotPort != 0 {
			t.Fatalf("Identify(%q, %d)", gotAddr, gotPort)
		}
		if m.Family != hearth.FamilyAntminer || m.Model != "Antminer S21 XP" || m.Firmware != "bmminer 49.0.1.3" ||
			m.Serial != "SN123" || m.MAC != "02:00:00:00:00:01" || m.Hostname != "sim-00042" || m.Port != 4028 {
			t.Fatalf("identity not applied: %+v", m.Miner)
		}
		if m.ID != "sim-00042" {
			t.Fatalf("id = %q, want the service's choice from the host name", m.ID)
		}
	})

	t.Run("APIPortReachesIdentifyAndStore", func(t *testing.T) {
		f := newFixture(t)
		var gotAPI int
		f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			gotAPI = apiPort
			return &hearth.Identity{Address: address, Port: 4028, APIPort: apiPort, Family: hearth.FamilyBraiins, Model: "Antminer S21"}, nil
		}
		code, m, _, msg := post(t, f.Server.Handler(), map[string]any{"address": "10.0.0.9", "api_port": 50052})
		if code != http.StatusCreated || gotAPI != 50052 || m.APIPort != 50052 {
			t.Fatalf("status %d %s: Identify got api port %d, stored %+v", code, msg, gotAPI, m.Miner)
		}
		if code, _, _, msg := post(t, f.Server.Handler(), map[string]any{"address": "10.0.0.10", "family": "braiins", "api_port": 70000}); code != http.StatusBadRequest || !strings.Contains(msg, "api_port") {
			t.Fatalf("api_port 70000: status %d %s", code, msg)
		}
	})

	t.Run("IdentifyKeepsGivenPort", func(t *testing.T) {
		f := newFixture(t)
		f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			return &hearth.Identity{Port: port, Family: hearth.FamilyAxeOS, Model: "Bitaxe Gamma"}, nil
		}
		code, m, _, msg := post(t, f.Server.Handler(), map[string]any{"address": "bitaxe.lan", "port": 8081})
		if code != http.StatusCreated || m.Port != 8081 || m.Family != hearth.FamilyAxeOS {
			t.Fatalf("status %d %s: %+v", code, msg, m.Miner)
		}
	})

	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"NothingRecognised", hearth.Errorf(hearth.EUNSUPPORTED, "No miner recognised at 10.0.0.99."), http.StatusUnprocessableEntity, hearth.EUNSUPPORTED},
		{"Timeout", hearth.Errorf(hearth.ETIMEOUT, "No answer within 5s."), http.StatusGatewayTimeout, hearth.ETIMEOUT},
		{"Refused", hearth.Errorf(hearth.EUNAVAILABLE, "Connection refused."), http.StatusBadGateway, hearth.EUNAVAILABLE},
		{"Garbage", hearth.Errorf(hearth.EPROTOCOL, "Reply is not JSON."), http.StatusBadGateway, hearth.EPROTOCOL},
	} {
		t.Run("Unidentified"+tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
				return nil, tc.err
			}
			rec := serve(f.Server.Handler(), withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.99"}), validToken))
			msg := expectError(t, rec, tc.status, tc.code)
			if !strings.Contains(msg, "10.0.0.99") || !strings.Contains(msg, hearth.ErrorMessage(tc.err)) || !strings.Contains(msg, `"family"`) {
				t.Fatalf("message %q should name the address, say why, and suggest giving the family", msg)
			}
			if l := listMiners(t, f.Server.Handler(), ""); l.Total != 5 {
				t.Fatal("an unidentified miner must not be added")
			}
		})
	}

	t.Run("IdentifyInternalError", func(t *testing.T) {
		f := newFixture(t)
		f.Server.Identify = func(ctx context.Context, address string, port, webPort, apiPort int) (*hearth.Identity, error) {
			return nil, errors.New("dial tcp: driver table corrupted at 0xdeadbeef")
		}
		rec := serve(f.Server.Handler(), withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.99"}), validToken))
		msg := expectError(t, rec, http.StatusInternalServerError, hearth.EINTERNAL)
		if strings.Contains(msg, "deadbeef") {
			t.Fatalf("internal detail leaked: %q", msg)
		}
	})

	t.Run("NoIdentifierNoFamily", func(t *testing.T) {
		f := newFixture(t)
		rec := serve(f.Handler, withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.99"}), validToken))
		msg := expectError(t, rec, http.StatusBadRequest, hearth.EINVALID)
		if !strings.Contains(msg, "family") {
			t.Fatalf("message %q should ask for the family", msg)
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		f := newFixture(t)
		rec := serve(f.Handler, withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.5", "family": "antminer", "id": "s19-a"}), validToken))
		expectError(t, rec, http.StatusConflict, hearth.ECONFLICT)
		rec = serve(f.Handler, withToken(request("POST", "/api/v1/miners", map[string]any{"address": "10.0.0.2", "family": "antminer"}), validToken))
		expectError(t, rec, http.StatusConflict, hearth.ECONFLICT)
	})

	for _, tc := range []struct {
		name string
		body any
		want string // a fragment the message must hold
	}{
		{"NoAddress", map[string]any{"family": "antminer"}, "address"},
		{"URL", map[string]any{"address": "http://10.0.0.5/", "family": "antminer"}, "http://"},
		{"AddressWithPort", map[string]any{"address": "10.0.0.5:4028", "family": "antminer"}, `"port"`},
		{"IPv6WithPort", map[string]any{"address": "[fd00::5]:4028", "family": "antminer"}, `"port"`},
		{"BadIPv4", map[string]any{"address": "10.0.0.256", "family": "antminer"}, "not a valid IP address"},
		{"BadHostName", map[string]any{"address": "miner!.lan", "family": "antminer"}, "host name"},
		{"Broadcast", map[string]any{"address": "255.255.255.255", "family": "antminer"}, "single machine"},
		{"Path", map[string]any{"address": "10.0.0.5/admin", "family": "antminer"}, "path"},
		{"PortRange", map[string]any{"address": "10.0.0.5", "family": "antminer", "port": 70000}, "port"},
		{"WebPortRange", map[string]any{"address": "10.0.0.5", "family": "antminer", "web_port": -1}, "web_port"},
		{"BadID", map[string]any{"address": "10.0.0.5", "family": "antminer", "id": "a b/c"}, "id"},
		{"BadFamily", map[string]any{"address": "10.0.0.5", "family": "Ant Miner!"}, "family"},
		{"EmptyTag", map[string]any{"address": "10.0.0.5", "family": "antminer", "tags": []string{""}}, "Tag"},
		{"UnknownField", map[string]any{"address": "10.0.0.5", "familly": "antminer"}, `"familly"`},
		{"WrongType", map[string]any{"address": "10.0.0.5", "family": "antminer", "port": "4028"}, "port"},
		{"NotJSON", "address=10.0.0.5", "not valid JSON"},
		{"Truncated", `{"address": "10.0.0.5"`, "not valid JSON"},
		{"Empty", "", "empty"},
		{"Array", `[{"address": "10.0.0.5"}]`, "object"},
		{"TwoObjects", `{"address": "10.0.0.5", "family": "antminer"} {}`, "single JSON object"},
	} {
		t.Run("Invalid"+tc.name, func(t *testing.T) {
			f := newFixture(t)
			req := withToken(request("POST", "/api/v1/miners", nil), validToken)
			if s, ok := tc.body.(string); ok {
				req = withToken(request("POST", "/api/v1/miners", s), validToken)
			} else {
				req = withToken(request("POST", "/api/v1/miners", tc.body), validToken)
			}
			msg := expectError(t, serve(f.Handler, req), http.StatusBadRequest, hearth.EINVALID)
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q does not mention %q", msg, tc.want)
			}
		})
	}

	t.Run("HostNameAccepted", func(t *testing.T) {
		f := newFixture(t)
		code, m, _, msg := post(t, f.Handler, map[string]any{"address": "Miner-7.Farm.LAN.", "family": "antminer"})
		if code != http.StatusCreated || m.Address != "miner-7.farm.lan" {
			t.Fatalf("status %d %s, address %q", code, msg, m.Address)
		}
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		f := newFixture(t)
		big := `{"address": "10.0.0.5", "family": "antminer", "site": "` + strings.Repeat("x", 100<<10) + `"}`
		rec := serve(f.Handler, withToken(request("POST", "/api/v1/miners", big), validToken))
		expectError(t, rec, http.StatusRequestEntityTooLarge, "request_too_large")
	})
}

// BenchmarkListMiners20k measures the fleet page's request on a fleet of
// 20,000 miners: one page of 200, filtered by state and sorted by hash
// rate, which loads and sorts every miner.
func BenchmarkListMiners20k(b *testing.B) {
	const n = 20000
	miners := NewMinerService()
	status := StatusService{}
	for i := range n {
		id := fmt.Sprintf("sim-%05d", i)
		miners.miners[id] = antminer(id, fmt.Sprintf("127.1.%d.%d", i/254, i%254+1), "Antminer S21", "")
		status[id] = onlineStatus(id, float64(100+i%37), 3000, true, 60+float64(i%20), 61, 62)
	}
	h := (&hearthhttp.Server{MinerService: miners, StatusService: status}).Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := serve(h, request("GET", "/api/v1/miners?status=online&sort=-hashrate&limit=200&offset=400", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

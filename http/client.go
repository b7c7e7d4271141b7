package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/aggregate"
)

// Client speaks to a hearth server's REST API. The CLI is built on it, so
// that the command line sees exactly what any other API client sees.
type Client struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Token is sent as a bearer token when set; writes need it.
	Token string
	// HTTP is the client used; nil means one with a 60 s timeout.
	HTTP *http.Client
}

// NewClient returns a client for the server at baseURL.
func NewClient(baseURL, token string) *Client {
	return &Client{URL: strings.TrimRight(baseURL, "/"), Token: token}
}

// MinerQuery selects miners for ListMiners. Zero fields select everything.
type MinerQuery struct {
	Site, Group, Family, Status, Query, Sort string
	Limit, Offset                            int
}

// ListMiners returns the miners matching q with their live status.
func (c *Client) ListMiners(ctx context.Context, q MinerQuery) (*MinerList, error) {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("site", q.Site)
	set("group", q.Group)
	set("family", q.Family)
	set("status", q.Status)
	set("q", q.Query)
	set("sort", q.Sort)
	if q.Limit > 0 {
		v.Set("limit", fmt.Sprint(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", fmt.Sprint(q.Offset))
	}
	var out MinerList
	path := "/api/v1/miners"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// GetMiner returns one miner with its status and latest reading.
func (c *Client) GetMiner(ctx context.Context, id string) (*MinerView, error) {
	var out MinerView
	return &out, c.do(ctx, http.MethodGet, "/api/v1/miners/"+url.PathEscape(id), nil, &out)
}

// MinerLogs fetches the firmware log of miner id, through the server.
func (c *Client) MinerLogs(ctx context.Context, id string) (*hearth.MinerLog, error) {
	var out hearth.MinerLog
	return &out, c.do(ctx, http.MethodGet, "/api/v1/miners/"+url.PathEscape(id)+"/logs", nil, &out)
}

// CreateMiner adds a miner; the server identifies it when Family is empty.
func (c *Client) CreateMiner(ctx context.Context, req CreateMinerRequest) (*MinerView, error) {
	var out MinerView
	return &out, c.do(ctx, http.MethodPost, "/api/v1/miners", req, &out)
}

// DeleteMiner removes a miner.
func (c *Client) DeleteMiner(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/miners/"+url.PathEscape(id), nil, nil)
}

// DoAction applies a control verb to the miners req.Selector names.
func (c *Client) DoAction(ctx context.Context, req ActionRequest) (*hearth.AuditEntry, error) {
	var out hearth.AuditEntry
	return &out, c.do(ctx, http.MethodPost, "/api/v1/actions", req, &out)
}

// Audit returns the audit entries f keeps, newest first: the fleet's, or
// one miner's with f.Miner; f.Limit 0 leaves the count to the server, and
// f.BeforeID set to the last ID of a page fetches the next, older one.
func (c *Client) Audit(ctx context.Context, f hearth.AuditFilter) (*AuditList, error) {
	v := url.Values{}
	if f.Miner != "" {
		v.Set("miner", f.Miner)
	}
	if f.Limit > 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.BeforeID > 0 {
		v.Set("before", strconv.FormatInt(f.BeforeID, 10))
	}
	path := "/api/v1/audit"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out AuditList
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// SetCredential stores a miner credential; the reply has no password.
func (c *Client) SetCredential(ctx context.Context, mc hearth.MinerCredential) (*hearth.MinerCredential, error) {
	var out hearth.MinerCredential
	return &out, c.do(ctx, http.MethodPut, "/api/v1/credentials", mc, &out)
}

// Credentials lists the stored credentials, without passwords.
func (c *Client) Credentials(ctx context.Context) (*CredentialList, error) {
	var out CredentialList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/credentials", nil, &out)
}

// DeleteCredential removes the credential of a family for a site, a miner
// or (both empty) the fleet.
func (c *Client) DeleteCredential(ctx context.Context, family hearth.Family, site, miner string) error {
	v := url.Values{"family": {string(family)}}
	if site != "" {
		v.Set("site", site)
	}
	if miner != "" {
		v.Set("miner", miner)
	}
	return c.do(ctx, http.MethodDelete, "/api/v1/credentials?"+v.Encode(), nil, nil)
}

// Sites lists the sites with their miner counts.
func (c *Client) Sites(ctx context.Context) (*SiteList, error) {
	var out SiteList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/sites", nil, &out)
}

// GetSite returns one site.
func (c *Client) GetSite(ctx context.Context, name string) (*hearth.Site, error) {
	var out hearth.Site
	return &out, c.do(ctx, http.MethodGet, "/api/v1/sites/"+url.PathEscape(name), nil, &out)
}

// CreateSite adds a site.
func (c *Client) CreateSite(ctx context.Context, req SiteRequest) (*hearth.Site, error) {
	var out hearth.Site
	return &out, c.do(ctx, http.MethodPost, "/api/v1/sites", req, &out)
}

// UpdateSite replaces the facts of the site req.Name.
func (c *Client) UpdateSite(ctx context.Context, req SiteRequest) (*hearth.Site, error) {
	var out hearth.Site
	return &out, c.do(ctx, http.MethodPut, "/api/v1/sites/"+url.PathEscape(req.Name), req, &out)
}

// DeleteSite removes a site that has no miners.
func (c *Client) DeleteSite(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/sites/"+url.PathEscape(name), nil, nil)
}

// Groups lists the groups with their members.
func (c *Client) Groups(ctx context.Context) (*GroupList, error) {
	var out GroupList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/groups", nil, &out)
}

// GetGroup returns one group with its members.
func (c *Client) GetGroup(ctx context.Context, name string) (*hearth.Group, error) {
	var out hearth.Group
	return &out, c.do(ctx, http.MethodGet, "/api/v1/groups/"+url.PathEscape(name), nil, &out)
}

// CreateGroup adds a group, with req.Miners as its first members.
func (c *Client) CreateGroup(ctx context.Context, req GroupRequest) (*hearth.Group, error) {
	var out hearth.Group
	return &out, c.do(ctx, http.MethodPost, "/api/v1/groups", req, &out)
}

// DeleteGroup removes a group; its miners stay.
func (c *Client) DeleteGroup(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/groups/"+url.PathEscape(name), nil, nil)
}

// AddGroupMembers adds miners to a group, all or none.
func (c *Client) AddGroupMembers(ctx context.Context, name string, minerIDs []string) (*hearth.Group, error) {
	var out hearth.Group
	return &out, c.do(ctx, http.MethodPost, "/api/v1/groups/"+url.PathEscape(name)+"/members", MembersRequest{Miners: minerIDs}, &out)
}

// RemoveGroupMembers removes miners from a group.
func (c *Client) RemoveGroupMembers(ctx context.Context, name string, minerIDs []string) (*hearth.Group, error) {
	var out hearth.Group
	v := url.Values{"miner": minerIDs}
	return &out, c.do(ctx, http.MethodDelete, "/api/v1/groups/"+url.PathEscape(name)+"/members?"+v.Encode(), nil, &out)
}

// ExportPositions returns the positions CSV of every miner, or of one
// site's when site is not "".
func (c *Client) ExportPositions(ctx context.Context, site string) ([]byte, error) {
	path := "/api/v1/positions"
	if site != "" {
		path += "?" + url.Values{"site": {site}}.Encode()
	}
	var out []byte
	return out, c.send(ctx, http.MethodGet, path, "", nil, "text/csv", func(data []byte) error {
		out = data
		return nil
	})
}

// ImportPositions sends a positions CSV file; with dryRun nothing is
// stored and the report says what would change.
func (c *Client) ImportPositions(ctx context.Context, csv []byte, dryRun bool) (*hearth.PositionImport, error) {
	path := "/api/v1/positions"
	if dryRun {
		path += "?dry_run=1"
	}
	var out hearth.PositionImport
	return &out, c.send(ctx, http.MethodPost, path, "text/csv", bytes.NewReader(csv), "application/json", func(data []byte) error {
		return json.Unmarshal(data, &out)
	})
}

// SetDesired replaces the desired state of one scope; the reply has pool
// passwords redacted.
func (c *Client) SetDesired(ctx context.Context, d hearth.DesiredRecord) (*hearth.DesiredRecord, error) {
	var out hearth.DesiredRecord
	return &out, c.do(ctx, http.MethodPut, "/api/v1/desired", d, &out)
}

// Desired lists the desired states, of one kind of scope when kind is set.
func (c *Client) Desired(ctx context.Context, kind hearth.ScopeKind) (*DesiredList, error) {
	path := "/api/v1/desired"
	if kind != "" {
		path += "?" + url.Values{"kind": {string(kind)}}.Encode()
	}
	var out DesiredList
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// DeleteDesired removes the desired state of one scope.
func (c *Client) DeleteDesired(ctx context.Context, sc hearth.Scope) error {
	v := url.Values{"kind": {string(sc.Kind)}, "id": {sc.ID}}
	return c.do(ctx, http.MethodDelete, "/api/v1/desired?"+v.Encode(), nil, nil)
}

// Drift reports the miners that differ from their desired state (all
// compared miners with all).
func (c *Client) Drift(ctx context.Context, all bool) (*DriftReport, error) {
	path := "/api/v1/drift"
	if all {
		path += "?all=true"
	}
	var out DriftReport
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// Fleet returns the fleet's counts and totals.
func (c *Client) Fleet(ctx context.Context) (*FleetSummary, error) {
	var out FleetSummary
	return &out, c.do(ctx, http.MethodGet, "/api/v1/fleet", nil, &out)
}

// do sends one request with a JSON body (when body is not nil) and
// decodes the JSON reply into out (when out is not nil). API errors come
// back as *hearth.Error with the server's code and message, so the CLI can
// show them as they are and exit accordingly.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	contentType := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd, contentType = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, method, path, contentType, rd, "application/json", func(data []byte) error {
		if out == nil {
			return nil
		}
		return json.Unmarshal(data, out)
	})
}

// send sends one request and hands a successful reply's body to read; a
// reply read cannot take is EPROTOCOL.
func (c *Client) send(ctx context.Context, method, path, contentType string, body io.Reader, accept string, read func([]byte) error) error {
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, body)
	if err != nil {
		return hearth.WrapError(hearth.EINVALID, err, "Invalid server URL %q.", c.URL)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", accept)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Cannot reach the hearth server at %s: %v", c.URL, rootCause(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Reading the reply from %s failed.", c.URL)
	}
	if resp.StatusCode >= 400 {
		return errorReply(resp, data)
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := read(data); err != nil {
		return hearth.WrapError(hearth.EPROTOCOL, err, "The server's reply could not be read.")
	}
	return nil
}

// rootCause strips the url.Error wrapping so messages read "connection
// refused" rather than repeating the method and URL.
func rootCause(err error) error {
	for {
		u, ok := err.(*url.Error)
		if !ok {
			return err
		}
		err = u.Err
	}
}

// Schedules lists the stored schedules.
func (c *Client) Schedules(ctx context.Context) (*ScheduleList, error) {
	var out ScheduleList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/schedules", nil, &out)
}

// GetSchedule returns one schedule.
func (c *Client) GetSchedule(ctx context.Context, id string) (*hearth.Schedule, error) {
	var out hearth.Schedule
	return &out, c.do(ctx, http.MethodGet, "/api/v1/schedules/"+url.PathEscape(id), nil, &out)
}

// CreateSchedule stores a new schedule and returns it with its ID.
func (c *Client) CreateSchedule(ctx context.Context, req ScheduleRequest) (*hearth.Schedule, error) {
	var out hearth.Schedule
	return &out, c.do(ctx, http.MethodPost, "/api/v1/schedules", req, &out)
}

// UpdateSchedule replaces the schedule id.
func (c *Client) UpdateSchedule(ctx context.Context, id string, req ScheduleRequest) (*hearth.Schedule, error) {
	var out hearth.Schedule
	return &out, c.do(ctx, http.MethodPut, "/api/v1/schedules/"+url.PathEscape(id), req, &out)
}

// DeleteSchedule removes the schedule id.
func (c *Client) DeleteSchedule(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/schedules/"+url.PathEscape(id), nil, nil)
}

// Power returns where each site's power stands and the requests in force
// now or later.
func (c *Client) Power(ctx context.Context) (*PowerReport, error) {
	var out PowerReport
	return &out, c.do(ctx, http.MethodGet, "/api/v1/power", nil, &out)
}

// AggregateChildren lists the child hearths of an aggregator.
func (c *Client) AggregateChildren(ctx context.Context) ([]aggregate.ChildStatus, error) {
	var out childrenBody
	if err := c.do(ctx, http.MethodGet, "/api/v1/aggregate/children", nil, &out); err != nil {
		return nil, err
	}
	return out.Children, nil
}

// PowerRequests lists stored power requests of one site and source (both
// optional), only those in force when active.
func (c *Client) PowerRequests(ctx context.Context, site string, source hearth.PowerSource, active bool) (*PowerRequestList, error) {
	q := url.Values{}
	if site != "" {
		q.Set("site", site)
	}
	if source != "" {
		q.Set("source", string(source))
	}
	if active {
		q.Set("active", "true")
	}
	var out PowerRequestList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/power/requests?"+q.Encode(), nil, &out)
}

// Override stores an operator's override of a site's power.
func (c *Client) Override(ctx context.Context, cmd PowerCommand) (*hearth.PowerRequest, error) {
	var out hearth.PowerRequest
	return &out, c.do(ctx, http.MethodPost, "/api/v1/power/requests", cmd, &out)
}

// PowerSignal sends a plain power signal, which lapses unless sent again.
func (c *Client) PowerSignal(ctx context.Context, cmd PowerCommand) (*hearth.PowerRequest, error) {
	var out hearth.PowerRequest
	return &out, c.do(ctx, http.MethodPost, "/api/v1/power/signal", cmd, &out)
}

// DeletePowerRequest withdraws a power request of source (an override
// when empty).
func (c *Client) DeletePowerRequest(ctx context.Context, source hearth.PowerSource, site, id string) error {
	q := url.Values{"site": {site}, "id": {id}}
	if source != "" {
		q.Set("source", string(source))
	}
	return c.do(ctx, http.MethodDelete, "/api/v1/power/requests?"+q.Encode(), nil, nil)
}

// Profiles lists the named power profiles with what uses each.
func (c *Client) Profiles(ctx context.Context) (*ProfileList, error) {
	var out ProfileList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/profiles", nil, &out)
}

// GetProfile returns one power profile with what uses it.
func (c *Client) GetProfile(ctx context.Context, name string) (*ProfileItem, error) {
	var out ProfileItem
	return &out, c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(name), nil, &out)
}

// SetProfile creates or replaces the power profile name.
func (c *Client) SetProfile(ctx context.Context, name string, req ProfileRequest) (*ProfileItem, error) {
	var out ProfileItem
	return &out, c.do(ctx, http.MethodPut, "/api/v1/profiles/"+url.PathEscape(name), req, &out)
}

// DeleteProfile removes a power profile that nothing refers to.
func (c *Client) DeleteProfile(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/profiles/"+url.PathEscape(name), nil, nil)
}

// PowerPrograms lists the power programs, secrets redacted, with their
// runners' status.
func (c *Client) PowerPrograms(ctx context.Context) (*PowerProgramList, error) {
	var out PowerProgramList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/power/programs", nil, &out)
}

// GetPowerProgram returns one power program, secret redacted.
func (c *Client) GetPowerProgram(ctx context.Context, name string) (*PowerProgramItem, error) {
	var out PowerProgramItem
	return &out, c.do(ctx, http.MethodGet, "/api/v1/power/programs/"+url.PathEscape(name), nil, &out)
}

// SetPowerProgram creates or replaces a power program.
func (c *Client) SetPowerProgram(ctx context.Context, p hearth.PowerProgram) (*PowerProgramItem, error) {
	var out PowerProgramItem
	return &out, c.do(ctx, http.MethodPut, "/api/v1/power/programs/"+url.PathEscape(p.Name), p, &out)
}

// DeletePowerProgram removes a power program and withdraws its requests.
func (c *Client) DeletePowerProgram(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/power/programs/"+url.PathEscape(name), nil, nil)
}

// errorReply turns a failed reply with body data into the server's own
// error (its code and message) where it sent one.
func errorReply(resp *http.Response, data []byte) error {
	var e struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return &hearth.Error{Code: e.Code, Message: e.Error}
	}
	return hearth.Errorf(hearth.EINTERNAL, "The server answered %s.", resp.Status)
}

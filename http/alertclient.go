package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Receivers lists the notification receivers, secrets redacted, with
// their delivery status.
func (c *Client) Receivers(ctx context.Context) (*ReceiverList, error) {
	var out ReceiverList
	return &out, c.do(ctx, http.MethodGet, "/api/v1/receivers", nil, &out)
}

// SetReceiver creates or replaces a receiver.
func (c *Client) SetReceiver(ctx context.Context, r hearth.Receiver) (*ReceiverItem, error) {
	var out ReceiverItem
	return &out, c.do(ctx, http.MethodPut, "/api/v1/receivers/"+url.PathEscape(r.Name), r, &out)
}

// DeleteReceiver removes a receiver.
func (c *Client) DeleteReceiver(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/receivers/"+url.PathEscape(name), nil, nil)
}

// Silences lists the silences not yet ended, or every one kept.
func (c *Client) Silences(ctx context.Context, all bool) (*SilenceList, error) {
	var out SilenceList
	path := "/api/v1/silences"
	if all {
		path += "?all=true"
	}
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// CreateSilence creates a silence.
func (c *Client) CreateSilence(ctx context.Context, req SilenceRequest) (*hearth.Silence, error) {
	var out hearth.Silence
	return &out, c.do(ctx, http.MethodPost, "/api/v1/silences", req, &out)
}

// DeleteSilence ends a silence at once.
func (c *Client) DeleteSilence(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/silences/"+strconv.FormatInt(id, 10), nil, nil)
}

// ActiveAlerts returns the alerts pending and firing now; state, when not
// empty, keeps those of one state.
func (c *Client) ActiveAlerts(ctx context.Context, state hearth.AlertState) (*ActiveAlertList, error) {
	path := "/api/v1/alerts"
	if state != "" {
		path += "?" + url.Values{"state": {string(state)}}.Encode()
	}
	var out ActiveAlertList
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// AlertHistory returns state changes of alerts, newest first.
func (c *Client) AlertHistory(ctx context.Context, f hearth.AlertHistoryFilter) (*AlertHistory, error) {
	v := url.Values{}
	if !f.Since.IsZero() {
		v.Set("since", f.Since.UTC().Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		v.Set("until", f.Until.UTC().Format(time.RFC3339))
	}
	if f.Name != "" {
		v.Set("name", f.Name)
	}
	if f.Open {
		v.Set("open", "true")
	}
	if f.Limit > 0 {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	path := "/api/v1/alerts/history"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out AlertHistory
	return &out, c.do(ctx, http.MethodGet, path, nil, &out)
}

// GetReceiver returns one receiver, secret redacted.
func (c *Client) GetReceiver(ctx context.Context, name string) (*ReceiverItem, error) {
	var out ReceiverItem
	return &out, c.do(ctx, http.MethodGet, "/api/v1/receivers/"+url.PathEscape(name), nil, &out)
}

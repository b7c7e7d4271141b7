package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hearth-fleet/hearth"
)

// post sends body to url with the headers and reports a reply outside
// 2xx as an error naming the status and the start of the reply body.
func post(ctx context.Context, client *http.Client, url, contentType string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post %s: %w", redactURL(url), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "hearth")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", redactURL(url), redactErr(err))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return hearth.Errorf(hearth.EUNAVAILABLE, "post %s: %s: %s", redactURL(url), resp.Status, bytes.TrimSpace(reply))
	}
	return nil
}

// postJSON posts v as JSON.
func postJSON(ctx context.Context, client *http.Client, url string, v any, header http.Header) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	return post(ctx, client, url, "application/json", body, header)
}

// redactURL keeps a URL's scheme and host only, since its path or query
// may carry a token (a Slack webhook, a Telegram bot token).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(receiver URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// redactErr drops the URL that *url.Error repeats, for the same reason.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// checkURL reports an EINVALID error unless raw is an absolute http(s) URL.
func checkURL(receiver, what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return hearth.Errorf(hearth.EINVALID, "Receiver %s: %s must be an http or https URL.", receiver, what)
	}
	return nil
}

// decodeSettings reads r's settings into v, refusing unknown fields so
// that a typo is caught when the receiver is stored.
func decodeSettings(r *hearth.Receiver, v any) error {
	if len(r.Settings) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hearth.WrapError(hearth.EINVALID, err, "Receiver %s: settings of a %s receiver: %v.", r.Name, r.Kind, err)
	}
	return nil
}

// bearer returns the Authorization header for a token, or none.
func bearer(token string) http.Header {
	if token == "" {
		return nil
	}
	return http.Header{"Authorization": {"Bearer " + token}}
}

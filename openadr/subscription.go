package openadr

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hearth-fleet/hearth"
)

// MaxNotificationBytes caps a notification body the webhook accepts.
const MaxNotificationBytes = 1 << 20

// Subscribe creates, for every configured program that has none yet, a
// subscription to the creation, update and deletion of its events and of
// the program itself, with the webhook at CallbackURL and CallbackToken as
// the bearer token the VTN must present. The VTN checks the callback
// (GET ?echo=) while it creates the subscription, so the webhook must be
// served already. Without a CallbackURL it does nothing.
func (v *VEN) Subscribe(ctx context.Context) error {
	if v.cfg.CallbackURL == "" {
		return nil
	}
	for i := range v.cfg.Programs {
		pc := &v.cfg.Programs[i]
		label := pc.label()
		v.mu.Lock()
		prog, done := v.progs[label], v.subbed[label]
		v.mu.Unlock()
		if done {
			continue
		}
		if prog == nil {
			return wrapProgram(pc, hearth.Errorf(hearth.ENOTFOUND, "The program is not known yet; it is subscribed after its first poll."))
		}
		if id, err := v.existingSubscription(ctx, prog.ID); err != nil {
			return wrapProgram(pc, fmt.Errorf("list subscriptions: %w", err))
		} else if id != "" {
			// A subscription of an earlier run still calls this webhook.
			v.mu.Lock()
			v.subbed[label] = true
			v.subIDs = append(v.subIDs, id)
			v.mu.Unlock()
			continue
		}
		ops := []string{"CREATE", "UPDATE", "DELETE"}
		sub := Subscription{
			ClientName: v.cfg.VENName,
			ProgramID:  prog.ID,
			ObjectOperations: []ObjectOperation{{
				Objects: []ObjectType{ObjectEvent, ObjectProgram}, Operations: ops,
				CallbackURL: v.cfg.CallbackURL, BearerToken: v.cfg.CallbackToken,
			}},
		}
		var stored Subscription
		if err := v.client.call(ctx, "POST", "/subscriptions", nil, &sub, &stored); err != nil {
			return wrapProgram(pc, fmt.Errorf("subscribe: %w", err))
		}
		v.mu.Lock()
		v.subbed[label] = true
		v.subIDs = append(v.subIDs, stored.ID)
		v.mu.Unlock()
	}
	return nil
}

// existingSubscription returns the ID of a subscription this VEN already
// holds for the program and the callback, so that a restart does not pile
// up subscriptions.
func (v *VEN) existingSubscription(ctx context.Context, programID string) (string, error) {
	subs, err := pages[Subscription](ctx, v.client, "/subscriptions", url.Values{})
	if err != nil {
		return "", err
	}
	for _, s := range subs {
		if s.ClientName != v.cfg.VENName || s.ProgramID != programID {
			continue
		}
		for _, oo := range s.ObjectOperations {
			if oo.CallbackURL == v.cfg.CallbackURL && slices.Contains(oo.Objects, ObjectEvent) && slices.Contains(oo.Operations, "DELETE") {
				return s.ID, nil
			}
		}
	}
	return "", nil
}

// Unsubscribe deletes the subscriptions this VEN created, so that a VEN
// going away does not leave the VTN calling a dead webhook.
func (v *VEN) Unsubscribe(ctx context.Context) error {
	v.mu.Lock()
	ids := v.subIDs
	v.subIDs, v.subbed = nil, map[string]bool{}
	v.mu.Unlock()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := v.client.call(ctx, "DELETE", "/subscriptions/"+id, nil, nil, nil); err != nil && hearth.ErrorCode(err) != hearth.ENOTFOUND {
			return fmt.Errorf("unsubscribe %s: %w", id, err)
		}
	}
	return nil
}

// WebhookHandler serves the subscription callback. A GET with an echo
// parameter is the VTN's ownership check and gets the value back. A POST
// must carry the CallbackToken as a bearer token and a notification; a
// notification of an event or program makes Run poll at once.
func (v *VEN) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			echo := r.URL.Query().Get("echo")
			if echo == "" {
				http.Error(w, "missing echo", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, echo)
		case http.MethodPost:
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(v.cfg.CallbackToken)) != 1 {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxNotificationBytes))
			if err != nil {
				http.Error(w, "notification too large or unreadable", http.StatusRequestEntityTooLarge)
				return
			}
			n, err := ParseNotification(body)
			if err != nil {
				http.Error(w, hearth.ErrorMessage(err), http.StatusBadRequest)
				return
			}
			if n.ObjectType == ObjectEvent || n.ObjectType == ObjectProgram {
				v.Wake()
			}
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// ParseNotification reads a notification a VTN POSTed, of either version.
// Anything that is not one is an EPROTOCOL error.
func ParseNotification(b []byte) (*Notification, error) {
	var n Notification
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, hearth.WrapError(hearth.EPROTOCOL, err, "OpenADR notification is not valid JSON.")
	}
	if !n.ObjectType.Valid() {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR notification has unknown objectType %q.", clip(string(n.ObjectType)))
	}
	switch n.Operation {
	case "CREATE", "READ", "UPDATE", "DELETE", "GET", "POST", "PUT":
	default:
		return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR notification has unknown operation %q.", clip(n.Operation))
	}
	var obj map[string]json.RawMessage
	if len(n.Object) == 0 || json.Unmarshal(n.Object, &obj) != nil || obj == nil {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "OpenADR notification carries no object.")
	}
	return &n, nil
}

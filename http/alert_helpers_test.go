package http_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// receiverStore is an in-memory hearth.ReceiverService that keeps
// secrets as the real stores do: redacted in lists, kept on "***".
type receiverStore struct {
	mu        sync.Mutex
	receivers map[string]hearth.Receiver
}

func (s *receiverStore) FindReceivers(context.Context) ([]*hearth.Receiver, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.Receiver{}
	for _, r := range s.receivers {
		red := r.Redacted()
		out = append(out, &red)
	}
	slices.SortFunc(out, func(a, b *hearth.Receiver) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *receiverStore) FindReceiverByName(_ context.Context, name string) (*hearth.Receiver, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.receivers[name]
	if !ok {
		return nil, hearth.Errorf(hearth.ENOTFOUND, "Receiver %q not found.", name)
	}
	return &r, nil
}

func (s *receiverStore) SetReceiver(_ context.Context, r *hearth.Receiver) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.receivers == nil {
		s.receivers = map[string]hearth.Receiver{}
	}
	old, exists := s.receivers[r.Name]
	if r.Secret == hearth.RedactedSecret {
		if !exists || old.Secret == "" {
			return hearth.Errorf(hearth.EINVALID, "Receiver %q has no stored secret to keep.", r.Name)
		}
		r.Secret = old.Secret
	}
	r.CreatedAt, r.UpdatedAt = testNow, testNow
	s.receivers[r.Name] = *r
	return nil
}

func (s *receiverStore) DeleteReceiver(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.receivers[name]; !ok {
		return hearth.Errorf(hearth.ENOTFOUND, "Receiver %q not found.", name)
	}
	delete(s.receivers, name)
	return nil
}

// silenceStore is an in-memory hearth.SilenceService.
type silenceStore struct {
	mu       sync.Mutex
	silences []*hearth.Silence
}

func (s *silenceStore) FindSilences(_ context.Context, since time.Time) ([]*hearth.Silence, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hearth.Silence{}
	for _, sl := range s.silences {
		if since.IsZero() || sl.EndsAt.After(since) {
			c := *sl
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *silenceStore) CreateSilence(_ context.Context, sl *hearth.Silence) error {
	if err := sl.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sl.ID, sl.CreatedAt = int64(len(s.silences)+1), testNow
	c := *sl
	s.silences = append(s.silences, &c)
	return nil
}

func (s *silenceStore) DeleteSilence(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sl := range s.silences {
		if sl.ID == id {
			s.silences = slices.Delete(s.silences, i, i+1)
			return nil
		}
	}
	return hearth.Errorf(hearth.ENOTFOUND, "Silence %d not found.", id)
}

// historyStore is an in-memory hearth.AlertHistoryService that returns
// its events, filtered by name and open, newest first.
type historyStore struct {
	events []*hearth.AlertEvent
	last   hearth.AlertHistoryFilter
}

func (s *historyStore) RecordAlertEvents(_ context.Context, events []*hearth.AlertEvent) error {
	s.events = append(s.events, events...)
	return nil
}

func (s *historyStore) FindAlertHistory(_ context.Context, f hearth.AlertHistoryFilter) ([]*hearth.AlertEvent, error) {
	s.last = f
	out := []*hearth.AlertEvent{}
	for i := len(s.events) - 1; i >= 0; i-- {
		e := s.events[i]
		if (f.Name == "" || e.Name == f.Name) && (!f.Open || e.State == hearth.AlertFiring) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *historyStore) PruneAlertHistory(context.Context, time.Time) (int64, error) { return 0, nil }

package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// request is one request a fake receiver got.
type request struct {
	Path   string
	Header http.Header
	Body   []byte
}

// fakeServer is an HTTP receiver that records what it gets.
type fakeServer struct {
	*httptest.Server
	mu   sync.Mutex
	got  []request
	recv chan request
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{recv: make(chan request, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
		f.mu.Lock()
		f.got = append(f.got, req)
		f.mu.Unlock()
		f.recv <- req
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(f.Close)
	return f
}

// next waits for the next request, failing the test after a while.
func (f *fakeServer) next(t *testing.T) request {
	t.Helper()
	select {
	case r := <-f.recv:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no notification within 5s")
		return request{}
	}
}

// none checks that no request comes within d.
func (f *fakeServer) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-f.recv:
		t.Fatalf("unexpected notification: %s", r.Body)
	case <-time.After(d):
	}
}

// nextNotification decodes the next webhook payload.
func (f *fakeServer) nextNotification(t *testing.T) *notify.Notification {
	t.Helper()
	r := f.next(t)
	var n notify.Notification
	if err := json.Unmarshal(r.Body, &n); err != nil {
		t.Fatalf("payload %s: %v", r.Body, err)
	}
	return &n
}

var t0 = time.Date(2026, 7, 1, 14, 0, 0, 0, time.UTC)

// firing returns a firing alert of the named rule on a miner.
func firing(name, miner string) *hearth.Alert {
	return &hearth.Alert{Name: name, Labels: map[string]string{"miner": miner, "site": "barn"},
		Annotations: map[string]string{"summary": miner + " is in trouble"}, State: hearth.AlertFiring,
		Value: 1, ActiveAt: t0, FiredAt: t0.Add(time.Minute)}
}

// resolved returns a's resolution.
func resolved(a *hearth.Alert) *hearth.Alert {
	c := *a
	c.State, c.ResolvedAt = hearth.AlertResolved, t0.Add(10*time.Minute)
	return &c
}

// startDispatcher runs a fast dispatcher with the receivers until the
// test ends.
func startDispatcher(t *testing.T, cfg notify.Config, rs ...*hearth.Receiver) *notify.Dispatcher {
	t.Helper()
	if cfg.Tick == 0 {
		cfg.Tick = 5 * time.Millisecond
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 10 * time.Millisecond
	}
	d := notify.NewDispatcher(cfg)
	if err := d.SetReceivers(rs); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

// fastRoute groups by alertname with short timings.
func fastRoute() hearth.Route {
	return hearth.Route{GroupBy: []string{"alertname"}, GroupWait: 50 * time.Millisecond,
		GroupInterval: 100 * time.Millisecond, RepeatInterval: time.Hour, SendResolved: true}
}

func send(t *testing.T, s hearth.AlertSink, alerts ...*hearth.Alert) {
	t.Helper()
	if err := s.SendAlerts(context.Background(), alerts); err != nil {
		t.Fatal(err)
	}
}

// memSilences is a SilenceService in memory.
type memSilences struct {
	mu   sync.Mutex
	list []*hearth.Silence
}

func (m *memSilences) FindSilences(ctx context.Context, since time.Time) ([]*hearth.Silence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*hearth.Silence, len(m.list))
	for i, s := range m.list {
		c := *s
		out[i] = &c
	}
	return out, nil
}

func (m *memSilences) CreateSilence(ctx context.Context, s *hearth.Silence) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = int64(len(m.list) + 1)
	m.list = append(m.list, s)
	return nil
}

func (m *memSilences) DeleteSilence(ctx context.Context, id int64) error { return nil }

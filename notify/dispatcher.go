package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

var _ hearth.AlertSink = (*Dispatcher)(nil)

// Config tunes a Dispatcher; zero fields take the defaults named.
type Config struct {
	// Silences mute alerts; nil mutes none.
	Silences hearth.SilenceService
	// ExternalURL is where hearth is reached, for links in notifications.
	ExternalURL string
	Logger      *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Tick is how often groups are looked at; default 1s. Group timings
	// are honoured to within a tick.
	Tick time.Duration
	// QueueSize bounds the rule evaluations waiting to be routed, and
	// the notifications waiting for each receiver; default 64. What does
	// not fit is dropped and logged, so that neither the rule engine nor
	// the other receivers wait for a slow one.
	QueueSize int
	// Timeout bounds one delivery attempt; default 10s.
	Timeout time.Duration
	// Attempts is how many times a notification is tried; default 3.
	Attempts int
	// Backoff is the wait before the first retry, doubled before each
	// next one; default 2s.
	Backoff time.Duration
	// ResolveTimeout resolves a firing alert the rule engine has not
	// sent again for that long (its rule was removed, or hearth lost
	// it); default 5m, as in Alertmanager.
	ResolveTimeout time.Duration
	// SilenceRefresh is how often silences are read again; default 10s.
	// Reload and SilencesChanged read them at the next tick.
	SilenceRefresh time.Duration
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Tick, time.Second)
	def(&c.Timeout, DefaultTimeout)
	def(&c.Backoff, 2*time.Second)
	def(&c.ResolveTimeout, 5*time.Minute)
	def(&c.SilenceRefresh, 10*time.Second)
	if c.QueueSize <= 0 {
		c.QueueSize = 64
	}
	if c.Attempts <= 0 {
		c.Attempts = 3
	}
}

// Dispatcher is the hearth.AlertSink that notifies the receivers: it
// routes each alert to every enabled receiver whose route matches it,
// groups the alerts of a receiver by the route's group_by labels, and
// sends each group after group_wait, again after group_interval when
// alerts were added or resolved, and every repeat_interval while
// unchanged alerts fire, leaving out silenced alerts. It is the
// Alertmanager model with one route per receiver and no inhibition.
//
// SendAlerts only queues; Run routes and times the groups, and one
// worker per receiver delivers, with a timeout and retries, so that a
// dead receiver delays nobody.
type Dispatcher struct {
	cfg      Config
	incoming chan []*hearth.Alert
	base     context.Context
	stop     context.CancelFunc

	mu        sync.Mutex
	receivers map[string]*receiverState
	silences  []*hearth.Silence
	silenceAt time.Time // when silences were read; zero forces a read
	// silenceGen counts the changes of the set of active silences, so
	// that a group looks at its alerts again only when it may matter.
	silenceGen int
	silenceSig string
}

// receiverState is one receiver with its notifier, groups and worker.
type receiverState struct {
	r        *hearth.Receiver
	notifier Notifier
	groups   map[string]*group
	queue    chan *Notification
	cancel   context.CancelFunc

	statusMu sync.Mutex
	status   ReceiverStatus
}

// ReceiverStatus is how deliveries to a receiver went, for the API.
type ReceiverStatus struct {
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Sent        int64     `json:"sent"`
	Failed      int64     `json:"failed"`
	Dropped     int64     `json:"dropped"`
}

// group is the alerts of one receiver that share the group_by labels.
type group struct {
	key       string
	labels    map[string]string
	alerts    map[string]*hearth.Alert // by fingerprint
	seen      map[string]time.Time     // when the rule engine last sent each
	sent      map[string]bool          // fingerprints last told as firing
	created   time.Time
	lastFlush time.Time
	// dirty is set when an alert joined or resolved since the group was
	// last told; lastScan and silenceGen say when, and under which
	// silences, its alerts were last looked at. A quiet group is skipped.
	dirty      bool
	lastScan   time.Time
	silenceGen int
}

// NewDispatcher returns a Dispatcher without receivers; give it some
// with SetReceivers or Reload, and start Run.
func NewDispatcher(cfg Config) *Dispatcher {
	cfg.defaults()
	base, stop := context.WithCancel(context.Background())
	return &Dispatcher{cfg: cfg, incoming: make(chan []*hearth.Alert, cfg.QueueSize), base: base, stop: stop,
		receivers: map[string]*receiverState{}}
}

// SendAlerts queues one rule evaluation's alerts and returns at once. It
// returns an EUNAVAILABLE error, dropping them, when the queue is full;
// the rule engine sends firing alerts again at its next evaluation.
func (d *Dispatcher) SendAlerts(ctx context.Context, alerts []*hearth.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	batch := make([]*hearth.Alert, len(alerts))
	for i, a := range alerts {
		c := *a
		c.Labels = maps.Clone(a.Labels)
		c.Annotations = maps.Clone(a.Annotations)
		batch[i] = &c
	}
	select {
	case d.incoming <- batch:
		return nil
	default:
		d.cfg.Logger.Warn("notify: queue full, dropping alerts", "alerts", len(alerts))
		return hearth.Errorf(hearth.EUNAVAILABLE, "Notification queue full: %d alerts dropped.", len(alerts))
	}
}

// Reload reads the receivers from rs, with their secrets, and replaces
// the dispatcher's. A receiver whose settings no longer build is left
// out and named in the returned error; the others run.
func (d *Dispatcher) Reload(ctx context.Context, rs hearth.ReceiverService) error {
	list, err := rs.FindReceivers(ctx)
	if err != nil {
		return fmt.Errorf("reload receivers: %w", err)
	}
	full := make([]*hearth.Receiver, 0, len(list))
	for _, r := range list {
		if !r.Enabled {
			continue
		}
		r, err := rs.FindReceiverByName(ctx, r.Name)
		if hearth.ErrorCode(err) == hearth.ENOTFOUND {
			continue
		} else if err != nil {
			return fmt.Errorf("reload receivers: %w", err)
		}
		full = append(full, r)
	}
	d.SilencesChanged()
	return d.SetReceivers(full)
}

// SetReceivers replaces the receivers. A receiver kept by name, with
// the same settings, keeps its groups, so that a reload does not notify
// again; a changed or new one starts afresh. Disabled receivers are left
// out. Receivers that do not build are named in the returned error.
func (d *Dispatcher) SetReceivers(rs []*hearth.Receiver) error {
	var errs []error
	next := map[string]*receiverState{}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range rs {
		if !r.Enabled {
			continue
		}
		if old, ok := d.receivers[r.Name]; ok && sameReceiver(old.r, r) {
			next[r.Name] = old
			continue
		}
		n, err := New(r, Env{Client: newClient(d.cfg.Timeout), ExternalURL: d.cfg.ExternalURL})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		next[r.Name] = d.start(r, n)
	}
	for name, old := range d.receivers {
		if next[name] != old {
			old.cancel()
		}
	}
	d.receivers = next
	return errors.Join(errs...)
}

// sameReceiver reports whether a and b would notify alike.
func sameReceiver(a, b *hearth.Receiver) bool {
	return a.Kind == b.Kind && a.Secret == b.Secret && string(a.Settings) == string(b.Settings) &&
		fmt.Sprint(a.Route) == fmt.Sprint(b.Route)
}

// start starts r's delivery worker.
func (d *Dispatcher) start(r *hearth.Receiver, n Notifier) *receiverState {
	ctx, cancel := context.WithCancel(d.base)
	rs := &receiverState{r: r, notifier: n, groups: map[string]*group{}, queue: make(chan *Notification, d.cfg.QueueSize), cancel: cancel}
	go d.deliver(ctx, rs)
	return rs
}

// Status returns how deliveries to the named receiver went; ok is false
// for a receiver the dispatcher does not run.
func (d *Dispatcher) Status(name string) (ReceiverStatus, bool) {
	d.mu.Lock()
	rs, ok := d.receivers[name]
	d.mu.Unlock()
	if !ok {
		return ReceiverStatus{}, false
	}
	rs.statusMu.Lock()
	defer rs.statusMu.Unlock()
	return rs.status, true
}

// SilencesChanged makes the next tick read the silences again, as the
// API calls after adding or removing one.
func (d *Dispatcher) SilencesChanged() {
	d.mu.Lock()
	d.silenceAt = time.Time{}
	d.mu.Unlock()
}

// Run routes queued alerts and sends due groups until ctx ends, then
// stops the delivery workers.
func (d *Dispatcher) Run(ctx context.Context) error {
	defer d.stop()
	tick := time.NewTicker(d.cfg.Tick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case batch := <-d.incoming:
			d.route(batch)
		case <-tick.C:
			d.refreshSilences(ctx)
			d.flush()
		}
	}
}

// route puts each alert in the matching group of every receiver whose
// route selects it. A resolved alert the group never held is ignored.
func (d *Dispatcher) route(alerts []*hearth.Alert) {
	now := d.cfg.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range alerts {
		fp := a.Fingerprint()
		for _, rs := range d.receivers {
			if !routeMatches(&rs.r.Route, a) {
				continue
			}
			key, labels := groupKey(rs.r, a)
			g := rs.groups[key]
			if g == nil {
				if a.State == hearth.AlertResolved {
					continue
				}
				g = &group{key: key, labels: labels, alerts: map[string]*hearth.Alert{}, seen: map[string]time.Time{},
					sent: map[string]bool{}, created: now}
				rs.groups[key] = g
			}
			if _, held := g.alerts[fp]; !held && a.State == hearth.AlertResolved {
				continue
			}
			if old, held := g.alerts[fp]; !held || old.State != a.State {
				g.dirty = true
			}
			g.alerts[fp], g.seen[fp] = a, now
		}
	}
}

// routeMatches reports whether every matcher of route selects a.
func routeMatches(route *hearth.Route, a *hearth.Alert) bool {
	for _, m := range route.Matchers {
		if !m.Matches(a) {
			return false
		}
	}
	return true
}

// groupKey returns the key of a's group in r, and the group's labels.
func groupKey(r *hearth.Receiver, a *hearth.Alert) (string, map[string]string) {
	labels := map[string]string{}
	all := alertLabels(a)
	for _, l := range r.Route.GroupBy {
		labels[l] = all[l]
	}
	return r.Name + ":" + hearth.Fingerprint("", labels), labels
}

// refreshSilences reads the silences when they are due.
func (d *Dispatcher) refreshSilences(ctx context.Context) {
	if d.cfg.Silences == nil {
		return
	}
	now := d.cfg.Now()
	d.mu.Lock()
	due := d.silenceAt.IsZero() || now.Sub(d.silenceAt) >= d.cfg.SilenceRefresh
	d.mu.Unlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	list, err := d.cfg.Silences.FindSilences(ctx, now)
	if err != nil {
		d.cfg.Logger.Warn("notify: read silences", "err", err)
		return
	}
	d.mu.Lock()
	var sig strings.Builder
	for _, s := range list {
		if s.Active(now) {
			fmt.Fprintf(&sig, "%d,", s.ID)
		}
	}
	if sig.String() != d.silenceSig {
		d.silenceSig = sig.String()
		d.silenceGen++
	}
	d.silences, d.silenceAt = list, now
	d.mu.Unlock()
}

// muted reports whether an active silence mutes a.
func (d *Dispatcher) muted(a *hearth.Alert, now time.Time) bool {
	for _, s := range d.silences {
		if s.Mutes(a, now) {
			return true
		}
	}
	return false
}

// flush sends the groups that are due.
func (d *Dispatcher) flush() {
	now := d.cfg.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, rs := range d.receivers {
		for key, g := range rs.groups {
			if n := d.flushGroup(rs, g, now); n != nil {
				d.enqueue(rs, n)
			}
			if len(g.alerts) == 0 {
				delete(rs.groups, key)
			}
		}
	}
}

// flushGroup returns g's notification when one is due, updating what g
// has told, and forgets resolved alerts once they are told or cannot be.
func (d *Dispatcher) flushGroup(rs *receiverState, g *group, now time.Time) *Notification {
	route := &rs.r.Route
	wait, interval, repeat := timings(rs.r)
	// Look at the alerts only when something may be due: the first
	// notification after group_wait; alerts joined or resolved (after
	// group_interval); a repeat; silences changed; or, now and then,
	// alerts the rule engine stopped sending. A quiet group of thousands
	// of alerts then costs nothing per tick.
	first := g.lastFlush.IsZero()
	if first && now.Before(g.created.Add(wait)) {
		return nil
	}
	repeatDue := !first && !now.Before(g.lastFlush.Add(repeat))
	intervalDue := first || !now.Before(g.lastFlush.Add(interval))
	staleCheck := now.Sub(g.lastScan) >= d.cfg.ResolveTimeout/4
	if !repeatDue && !staleCheck && (!intervalDue || (!g.dirty && g.silenceGen == d.silenceGen)) {
		return nil
	}
	g.lastScan, g.silenceGen = now, d.silenceGen
	for fp, a := range g.alerts {
		if a.State != hearth.AlertResolved && now.Sub(g.seen[fp]) > d.cfg.ResolveTimeout {
			c := *a
			c.State, c.ResolvedAt = hearth.AlertResolved, now
			g.alerts[fp] = &c
		}
	}
	var visible []*hearth.Alert
	changed, firing := false, false
	for _, fp := range slices.Sorted(maps.Keys(g.alerts)) {
		a := g.alerts[fp]
		if a.State == hearth.AlertResolved {
			if g.sent[fp] && route.SendResolved && !d.muted(a, now) {
				visible, changed = append(visible, a), true
			}
			continue
		}
		if d.muted(a, now) {
			continue
		}
		visible, firing = append(visible, a), true
		if !g.sent[fp] {
			changed = true
		}
	}
	due := false
	switch {
	case g.lastFlush.IsZero():
		due = changed && !now.Before(g.created.Add(wait))
	case changed:
		due = !now.Before(g.lastFlush.Add(interval))
	default:
		due = firing && !now.Before(g.lastFlush.Add(repeat))
	}
	// Alerts resolved while nothing was due, and silenced resolved ones,
	// are kept until the next flush tells them or find they need not be.
	if !due {
		g.dirty = changed
		for fp, a := range g.alerts {
			if a.State == hearth.AlertResolved && (!g.sent[fp] || !route.SendResolved || d.muted(a, now)) {
				delete(g.alerts, fp)
				delete(g.seen, fp)
				delete(g.sent, fp)
			}
		}
		return nil
	}
	g.lastFlush, g.dirty = now, false
	for fp, a := range g.alerts {
		if a.State == hearth.AlertResolved {
			delete(g.alerts, fp)
			delete(g.seen, fp)
			delete(g.sent, fp)
		} else if !d.muted(a, now) {
			g.sent[fp] = true
		}
	}
	return newNotification(rs.r.Name, g.key, g.labels, visible, d.cfg.ExternalURL)
}

// timings returns r's group_wait, group_interval and repeat_interval,
// a zero one taking the default: Alertmanager's (30s, 5m, 4h), or for
// the alertmanager kind, which groups on its own side and must hear
// of firing alerts again before it resolves them, 0, 1m and 1m.
func timings(r *hearth.Receiver) (wait, interval, repeat time.Duration) {
	wait, interval, repeat = hearth.DefaultGroupWait, hearth.DefaultGroupInterval, hearth.DefaultRepeatInterval
	if r.Kind == KindAlertmanager {
		wait, interval, repeat = 0, time.Minute, time.Minute
	}
	if r.Route.GroupWait > 0 {
		wait = r.Route.GroupWait
	}
	if r.Route.GroupInterval > 0 {
		interval = r.Route.GroupInterval
	}
	if r.Route.RepeatInterval > 0 {
		repeat = r.Route.RepeatInterval
	}
	return wait, interval, repeat
}

// enqueue hands n to rs's worker, or drops it when the worker is
// behind.
func (d *Dispatcher) enqueue(rs *receiverState, n *Notification) {
	select {
	case rs.queue <- n:
	default:
		rs.statusMu.Lock()
		rs.status.Dropped++
		rs.statusMu.Unlock()
		d.cfg.Logger.Warn("notify: receiver queue full, dropping notification", "receiver", rs.r.Name, "group", n.GroupKey)
	}
}

// deliver sends rs's notifications one at a time, each attempt bound by
// the timeout, retrying with a doubling backoff.
func (d *Dispatcher) deliver(ctx context.Context, rs *receiverState) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-rs.queue:
			d.deliverOne(ctx, rs, n)
		}
	}
}

func (d *Dispatcher) deliverOne(ctx context.Context, rs *receiverState, n *Notification) {
	backoff := d.cfg.Backoff
	var err error
	for attempt := 1; attempt <= d.cfg.Attempts; attempt++ {
		actx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
		err = rs.notifier.Notify(actx, n)
		cancel()
		if err == nil {
			rs.statusMu.Lock()
			rs.status.Sent++
			rs.status.LastSuccess = d.cfg.Now()
			rs.statusMu.Unlock()
			return
		}
		d.cfg.Logger.Warn("notify: delivery failed", "receiver", rs.r.Name, "attempt", attempt, "err", err)
		if attempt == d.cfg.Attempts {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	rs.statusMu.Lock()
	rs.status.Failed++
	rs.status.LastFailure, rs.status.LastError = d.cfg.Now(), strings.TrimSpace(err.Error())
	rs.statusMu.Unlock()
}

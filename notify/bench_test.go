package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/notify"
)

// BenchmarkDispatcher_FleetOutage measures a whole 20,000-miner fleet
// going offline at once, from SendAlerts to the webhook receiving one
// notification of the group, past a silence: routing, grouping,
// silencing, encoding and posting.
func BenchmarkDispatcher_FleetOutage(b *testing.B) {
	got := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got <- n
	}))
	defer srv.Close()
	silences := &memSilences{}
	silences.CreateSilence(context.Background(), &hearth.Silence{Matchers: []hearth.Matcher{{Name: "miner", Type: hearth.MatchRegexp, Value: "sim-0000[0-9]"}},
		StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(time.Hour)})
	d := notify.NewDispatcher(notify.Config{Silences: silences, Tick: time.Millisecond})
	r := webhookReceiver("ops", srv.URL)
	r.Route.GroupWait = time.Millisecond
	if err := d.SetReceivers([]*hearth.Receiver{r}); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	i := 0
	var bytes int64
	for b.Loop() {
		i++
		alerts := make([]*hearth.Alert, 20000)
		for m := range alerts {
			alerts[m] = &hearth.Alert{Name: fmt.Sprintf("MinerOffline%d", i), Labels: map[string]string{"miner": fmt.Sprintf("sim-%05d", m), "site": "barn"},
				State: hearth.AlertFiring, ActiveAt: t0, FiredAt: t0}
		}
		if err := d.SendAlerts(context.Background(), alerts); err != nil {
			b.Fatal(err)
		}
		bytes = <-got
	}
	b.ReportMetric(float64(bytes), "payload-bytes")
}

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/mqtt/mqtttest"
)

// A home-automation system drives barn over MQTT: OFF on the topic
// curtails the site, ON brings it back, and a publisher that goes silent
// past silent_after leaves the site curtailed by the fail-safe until it
// speaks again.
func TestMQTTProgramDrivesASite(t *testing.T) {
	t.Parallel()
	broker := mqtttest.Start(t)
	d := startProgramDemo(t)
	const topic = "hearth/barn/power"
	d.setProgram("ha", "--kind", "mqtt", "--site", "barn", "--fail-mode", "curtail", "--silent-after", "8s",
		"--settings", `{"broker":"`+broker.URL+`","topic":"`+topic+`","ttl":"10m","debounce":"1s"}`)

	// The runner subscribes shortly after the program is stored: send
	// until the site follows, as a home-automation system repeating its
	// state would.
	following := func(payload string, ok func() bool) func() bool {
		return func() bool {
			broker.Publish(t, topic, payload, false)
			return ok()
		}
	}
	curtailedBy := func(source hearth.PowerSource) func() bool {
		return func() bool {
			total, ok := d.power()
			st, sok := d.status()
			return ok && sok && total < d.full*0.05 && st.Sites[0].Request != nil && st.Sites[0].Request.Source == source
		}
	}
	mining := func() bool {
		total, ok := d.power()
		st, sok := d.status()
		return ok && sok && total >= d.full*0.95 && st.Sites[0].Request == nil
	}
	eventually(t, "barn curtailed on OFF", following("OFF", curtailedBy(hearth.SourceSignal)))
	st, _ := d.status()
	if r := st.Sites[0].Request; r.ID != "ha/signal" || r.Kind != hearth.RequestShed || r.ShedFraction != 1 || !strings.Contains(r.Reason, topic+": OFF") {
		t.Errorf("request %+v", r)
	}
	eventually(t, "barn mining on ON", following("ON", mining))

	// Silence: past 8 s the fail mode curtails the site.
	silentFrom := time.Now()
	eventually(t, "barn curtailed by the fail-safe", curtailedBy(hearth.SourceFailSafe))
	if waited := time.Since(silentFrom); waited < 5*time.Second {
		t.Errorf("curtailed %s into the silence, before silent_after", waited)
	}
	out, _, _ := runCLI(t, append([]string{"power", "programs", "list"}, d.cli...)...)
	if !strings.Contains(out, "silent (fail mode)") {
		t.Errorf("programs list:\n%s", out)
	}
	// The publisher is back: the fail-safe lifts.
	eventually(t, "barn mining once the topic speaks again", following("ON", mining))
}

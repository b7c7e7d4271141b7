package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// `hearth schedules next` shows a night window across the autumn change in
// Berlin keeping its local end: 9 hours that night, 8 the next.
func TestSchedulesNextAcrossDaylightSaving(t *testing.T) {
	out, errOut, code := runCLI(t, "schedules", "next", "22:00-06:00", "--tz", "Europe/Berlin",
		"--from", "2026-10-24T12:00:00Z", "--count", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var windows []struct {
		Start, End time.Time
	}
	if err := json.Unmarshal([]byte(out), &windows); err != nil || len(windows) != 2 {
		t.Fatalf("%v: %s", err, out)
	}
	if got := windows[0].End.Sub(windows[0].Start); got != 9*time.Hour || !windows[0].Start.Equal(time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("fall-back night: %v from %v", got, windows[0].Start)
	}
	if got := windows[1].End.Sub(windows[1].Start); got != 8*time.Hour {
		t.Errorf("next night: %v", got)
	}
	if _, errOut, code := runCLI(t, "schedules", "next", "15:00-17:30 someday", "--tz", "Europe/Berlin"); code == 0 || !strings.Contains(errOut, "someday") {
		t.Errorf("bad spec: exit %d: %s", code, errOut)
	}
}

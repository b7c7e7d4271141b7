package sqlstore

import (
	"testing"
	"time"
)

// A write after a quiet spell commits at once; while writes are flowing a
// new leader waits for company, unless its group is already full.
func TestGroupCommitterLingersOnlyWhileBusy(t *testing.T) {
	var g groupCommitter
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	g.pending = make([]*groupWrite, 1)
	if g.lingers(now) {
		t.Error("the first write ever lingers")
	}
	g.lastCommit = now.Add(-5 * time.Millisecond)
	if !g.lingers(now) {
		t.Error("a write 5 ms after the last commit does not linger")
	}
	g.lastCommit = now.Add(-time.Second)
	if g.lingers(now) {
		t.Error("a write a second after the last commit lingers")
	}
	g.lastCommit = now.Add(-time.Millisecond)
	g.pending = make([]*groupWrite, maxGroup)
	if g.lingers(now) {
		t.Error("a full group lingers")
	}
}

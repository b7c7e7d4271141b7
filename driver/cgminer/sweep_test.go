package cgminer_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
)

func TestSendEach(t *testing.T) {
	srv := cgminertest.NewServer(cgminertest.Replies(map[string][]byte{
		"summary": []byte(`{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{"Elapsed":5}],"id":1}` + "\x00"),
		"stats":   []byte(`{"STATUS":[{"STATUS":"S","Code":70}],"STATS":[{"Elapsed":5,"fan` + "\x00"),
	}))
	defer srv.Close()
	var c cgminer.Client
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sw, err := cgminer.SendEach(ctx, srv.Addr, []string{"summary", "pools", "stats"}, c.Command)
	if err != nil {
		t.Fatal(err)
	}
	if sw.Docs[0] == nil || sw.Docs[1] != nil || sw.Docs[2] != nil {
		t.Errorf("docs %v", sw.Docs)
	}
	if len(sw.PollErrors) != 2 || !strings.HasPrefix(sw.PollErrors[0], "pools: ") || !strings.Contains(sw.PollErrors[1], "cut short") {
		t.Errorf("poll errors %q", sw.PollErrors)
	}
	if sw.Latency <= 0 {
		t.Error("no latency measured")
	}

	// Nothing listening: one connection attempt, then an error.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	calls := 0
	send := func(ctx context.Context, addr, cmd, p string) (*cgminer.Reply, error) {
		calls++
		return c.Command(ctx, addr, cmd, p)
	}
	if _, err := cgminer.SendEach(ctx, addr, []string{"summary", "pools", "stats"}, send); hearth.ErrorCode(err) != hearth.EUNAVAILABLE || calls != 1 {
		t.Errorf("closed port: %v after %d attempts", err, calls)
	}
}

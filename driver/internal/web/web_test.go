package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

func TestBaseURL(t *testing.T) {
	base, hp, err := web.BaseURL(hearth.Target{Address: "10.0.0.7"}, 80)
	if err != nil || base != "http://10.0.0.7:80" || hp != "10.0.0.7:80" {
		t.Errorf("default port: %q %q %v", base, hp, err)
	}
	if base, _, _ := web.BaseURL(hearth.Target{Address: "fe80::1", Port: 4028}, 80); base != "http://[fe80::1]:4028" {
		t.Errorf("IPv6: %q", base)
	}
	for _, tg := range []hearth.Target{{}, {Address: "h", Port: 70000}, {Address: "h", Port: -1}} {
		if _, _, err := web.BaseURL(tg, 80); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%+v: %v", tg, err)
		}
	}
}

func TestWithDeadline(t *testing.T) {
	ctx, cancel := web.WithDeadline(context.Background(), 0, time.Second)
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > time.Second {
		t.Errorf("no default deadline: %v %v", d, ok)
	}
	parent, pcancel := context.WithTimeout(context.Background(), time.Hour)
	defer pcancel()
	ctx, cancel2 := web.WithDeadline(parent, time.Second, time.Second)
	defer cancel2()
	if ctx != parent {
		t.Error("a caller's deadline was replaced")
	}
}

func TestExcerpt(t *testing.T) {
	if got := web.Excerpt([]byte("ok\x1b[31m\n")); got != "ok.[31m." {
		t.Errorf("control bytes: %q", got)
	}
	if got := web.Excerpt([]byte(strings.Repeat("a", 100))); len(got) != 43 || !strings.HasSuffix(got, "...") {
		t.Errorf("long reply: %q", got)
	}
}

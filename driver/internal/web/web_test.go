package web_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

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

func TestReadLog(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)

	t.Run("Whole", func(t *testing.T) {
		l, err := web.ReadLog(ctx, strings.NewReader("boot\nbad \xff byte\n"), "/log", now)
		if err != nil {
			t.Fatal(err)
		}
		if l.Text != "boot\nbad \uFFFD byte\n" || l.Truncated || l.Source != "/log" || !l.FetchedAt.Equal(now) {
			t.Fatalf("got %+v", l)
		}
	})

	t.Run("CutAtLineWithinCap", func(t *testing.T) {
		line := strings.Repeat("x", 99) + "\n"
		huge := strings.Repeat(line, hearth.MaxLogSize/len(line)+10)
		l, err := web.ReadLog(ctx, strings.NewReader(huge), "/log", now)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Truncated || len(l.Text) > hearth.MaxLogSize || !strings.HasSuffix(l.Text, "\n") || len(l.Text) < hearth.MaxLogSize-len(line) {
			t.Fatalf("truncated=%v len=%d", l.Truncated, len(l.Text))
		}
	})

	t.Run("BinaryStaysWithinCap", func(t *testing.T) {
		// Every other byte invalid: cleaning doubles the size (each lone
		// bad byte becomes a three-byte U+FFFD); the cap still holds.
		bin := strings.Repeat("\xffa", hearth.MaxLogSize/2)
		l, err := web.ReadLog(ctx, strings.NewReader(bin), "/log", now)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Truncated || len(l.Text) > hearth.MaxLogSize || !utf8.ValidString(l.Text) {
			t.Fatalf("truncated=%v len=%d valid=%v", l.Truncated, len(l.Text), utf8.ValidString(l.Text))
		}
	})

	t.Run("FailedRead", func(t *testing.T) {
		_, err := web.ReadLog(ctx, io.MultiReader(strings.NewReader("a"), iotest.ErrReader(io.ErrUnexpectedEOF)), "/log", now)
		if hearth.ErrorCode(err) != hearth.EUNAVAILABLE {
			t.Fatalf("err = %v, want EUNAVAILABLE", err)
		}
	})
}

package whatsminer_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer/cgminertest"
	"github.com/hearth-fleet/hearth/driver/whatsminer"
)

// hostileV2 starts a cgminer-style fake with handler h on 4028 and no v3.
func hostileV2(t *testing.T, h cgminertest.Handler) (*whatsminer.Driver, hearth.Target) {
	t.Helper()
	srv := cgminertest.NewServer(h)
	t.Cleanup(srv.Close)
	d := newDriver(closedPort(t))
	d.RPC.Timeout, d.Timeout = 300*time.Millisecond, 300*time.Millisecond
	return d, targetOf(t, srv.Addr)
}

// hostileV3 starts a v3 fake serving connections with h, 4028 closed.
func hostileV3(t *testing.T, h func(net.Conn)) (*whatsminer.Driver, hearth.Target) {
	t.Helper()
	m := newV3Miner(t)
	m.mu.Lock()
	m.Handler = h
	m.mu.Unlock()
	d := newDriver(m.Port)
	d.RPC.Timeout, d.Timeout = 300*time.Millisecond, 300*time.Millisecond
	return d, hearth.Target{Address: "127.0.0.1", Port: closedPort(t)}
}

// encHandler answers plain commands like the v2 fake and every encrypted
// write with reply.
func encHandler(t *testing.T, reply cgminertest.Handler) cgminertest.Handler {
	plain := cgminertest.Replies(map[string][]byte{
		"get_version": fixture(t, "v2/get_version.json"),
		"get_token":   []byte(`{"STATUS":"S","When":1,"Code":134,"Msg":{"time":"1","salt":"abcdefgh","newsalt":"ijklmnop"},"Description":""}`),
	})
	return func(conn net.Conn, req []byte) {
		var enc struct{ Enc int }
		if json.Unmarshal(req, &enc) == nil && enc.Enc == 1 {
			reply(conn, req)
			return
		}
		plain(conn, req)
	}
}

func TestHostile(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T) error
		want string
	}{
		{"v2 flood", func(t *testing.T) error {
			d, tg := hostileV2(t, cgminertest.Flood(100<<20))
			_, err := d.Poll(ctx, tg)
			return err
		}, hearth.ETOOLARGE},
		{"v2 trickle", func(t *testing.T) error {
			d, tg := hostileV2(t, cgminertest.Trickle(50*time.Millisecond))
			_, err := d.Poll(ctx, tg)
			return err
		}, hearth.ETIMEOUT},
		{"v2 garbage", func(t *testing.T) error {
			d, tg := hostileV2(t, cgminertest.Static([]byte("\x01\x02 not json at all")))
			_, err := d.Identify(ctx, tg)
			return err
		}, hearth.EPROTOCOL},
		{"v2 encrypted reply flood", func(t *testing.T) error {
			d, tg := hostileV2(t, encHandler(t, cgminertest.Flood(100<<20)))
			return d.Reboot(ctx, tg)
		}, hearth.ETOOLARGE},
		{"v2 encrypted reply silent", func(t *testing.T) error {
			d, tg := hostileV2(t, encHandler(t, cgminertest.Silent()))
			return d.Reboot(ctx, tg)
		}, hearth.ETIMEOUT},
		{"v2 encrypted reply undecryptable", func(t *testing.T) error {
			d, tg := hostileV2(t, encHandler(t, cgminertest.Static([]byte(`{"enc":"AAAAAAAAAAAAAAAAAAAAAA=="}`))))
			return d.Reboot(ctx, tg)
		}, hearth.EPROTOCOL},
		{"v2 token without salts", func(t *testing.T) error {
			d, tg := hostileV2(t, cgminertest.Replies(map[string][]byte{
				"get_version": fixture(t, "v2/get_version.json"),
				"get_token":   []byte(`{"STATUS":"S","Code":134,"Msg":{}}`),
			}))
			return d.Reboot(ctx, tg)
		}, hearth.EPROTOCOL},
		{"v3 huge frame", func(t *testing.T) error {
			d, tg := hostileV3(t, func(c net.Conn) {
				readFrame(c)
				c.Write(binary.LittleEndian.AppendUint32(nil, 100<<20))
				time.Sleep(time.Second)
			})
			_, err := d.Poll(ctx, tg)
			return err
		}, hearth.ETOOLARGE},
		{"v3 silent", func(t *testing.T) error {
			d, tg := hostileV3(t, func(c net.Conn) { readFrame(c); time.Sleep(2 * time.Second) })
			_, err := d.Poll(ctx, tg)
			return err
		}, hearth.ETIMEOUT},
		{"v3 short frame", func(t *testing.T) error {
			d, tg := hostileV3(t, func(c net.Conn) {
				readFrame(c)
				c.Write(binary.LittleEndian.AppendUint32(nil, 100))
				c.Write([]byte(`{"code":0`))
			})
			return d.Reboot(ctx, tg)
		}, hearth.EUNAVAILABLE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.run(t)
			if hearth.ErrorCode(err) != tc.want {
				t.Fatalf("err = %v (%s), want %s", err, hearth.ErrorCode(err), tc.want)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

// TestV3Hostile reaches a hostile v3 port on a miner whose 4028 says it
// runs 2025 firmware, so the v3 failure itself is reported.
func TestV3Hostile(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		h    func(net.Conn)
		want string
	}{
		"huge frame": {func(c net.Conn) {
			readFrame(c)
			c.Write(binary.LittleEndian.AppendUint32(nil, 100<<20))
			time.Sleep(time.Second)
		}, hearth.ETOOLARGE},
		"silent":  {func(c net.Conn) { readFrame(c); time.Sleep(2 * time.Second) }, hearth.ETIMEOUT},
		"garbage": {func(c net.Conn) { readFrame(c); writeFrame(c, []byte("\x00\xffnot json")) }, hearth.EPROTOCOL},
		"refusal": {func(c net.Conn) { readFrame(c); writeFrame(c, []byte(`{"code":-1,"msg":"unknown"}`)) }, hearth.EUNSUPPORTED},
	} {
		t.Run(name, func(t *testing.T) {
			d, tg, m := v3ByVersion(t)
			m.mu.Lock()
			m.Handler = tc.h
			m.mu.Unlock()
			d.Timeout = 300 * time.Millisecond
			_, err := d.Poll(ctx, tg)
			if hearth.ErrorCode(err) != tc.want {
				t.Fatalf("err = %v (%s), want %s", err, hearth.ErrorCode(err), tc.want)
			}
		})
	}
}

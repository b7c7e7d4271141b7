package avalon

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// softDelay is how far ahead softoff and softon are scheduled: Avalons take
// a Unix time at which to act, and pyasic (and the asic-rs fixture, whose
// reply time is 5 s before the scheduled one) use now + 5 s.
const softDelay = 5 * time.Second

// SetLocate switches the fault light of module 1 on or off with
// "ascset|0,led,1-1" / "1-0". The firmware has no timer, so d is ignored:
// the caller switches the light off itself.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	state := "1-0"
	if on {
		state = "1-1"
	}
	return d.ascset(ctx, t, "led,"+state, false)
}

// Pause puts the miner in standby with "ascset|0,softoff,1:<unix time>",
// scheduled 5 s ahead.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.ascset(ctx, t, d.softOption("softoff"), false)
}

// Resume wakes the miner with "ascset|0,softon,1:<unix time>". Some
// firmware closes the connection without replying to it; that counts as
// done.
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.ascset(ctx, t, d.softOption("softon"), true)
}

// softOption returns "<verb>,1:<now+5s as Unix seconds>".
func (d *Driver) softOption(verb string) string {
	return verb + ",1:" + strconv.FormatInt(d.now().Add(softDelay).Unix(), 10)
}

// Reboot restarts the whole machine with "ascset|0,reboot,0" (no delay; the
// option is in the Avalon Q's ascset help, its argument a delay in seconds
// per the third-party AvalonMinerTools). A connection closed without a
// reply counts as done, as the machine may go down before answering.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.ascset(ctx, t, "reboot,0", true)
}

// RestartMining restarts the cgminer process with cgminer's "restart",
// which answers {"STATUS":"RESTART"} (what pyasic and asic-rs check).
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	addr := d.rpcAddr(t)
	reply, err := d.command(ctx, addr, "restart", "")
	if err != nil {
		return fmt.Errorf("restart %s: %w", addr, err)
	}
	if s, _ := reply.Status(); s.Status != "RESTART" {
		return hearth.Errorf(hearth.EPROTOCOL, "Miner at %s answered restart with status %q, not RESTART.", addr, printable(s.Status))
	}
	return nil
}

// SetPools is refused. The protocol reference gives Avalon's setpool
// ("setpool|<web user>,<web password>,<slot 0-2>,<url>,<worker>,<pass>")
// only from the third-party AvalonMinerTools and lists it as unverified;
// besides, it needs the web login, for which hearth has no documented
// default, sets one of three slots per call with no way to escape a comma
// in a URL or worker name, and takes effect only after a reboot.
func (d *Driver) SetPools(context.Context, hearth.Target, []hearth.PoolConfig) error {
	return hearth.Errorf(hearth.EUNSUPPORTED,
		"avalon miners do not support set_pools: Avalon's setpool command needs the web admin password and has no verified format; change pools in the miner's web interface.")
}

package luxos

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Reboot reboots the whole machine with rebootdevice.
func (d *Driver) Reboot(ctx context.Context, t hearth.Target) error {
	return d.simple(ctx, t, true, "reboot", "rebootdevice")
}

// RestartMining restarts LUXminer alone with resetminer.
func (d *Driver) RestartMining(ctx context.Context, t hearth.Target) error {
	return d.simple(ctx, t, true, "restart mining", "resetminer")
}

// SetLocate blinks the red LED (ledset red,blink) or switches it off
// (ledset red,off). LuxOS has no timer for the LED, so d is not used: the
// caller switches it off.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	state := "off"
	if on {
		state = "blink"
	}
	return d.simple(ctx, t, false, "locate", "ledset", "red", state)
}

// Pause curtails the miner to sleep (curtail sleep): the hash boards stop,
// the control board stays reachable.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.simple(ctx, t, false, "pause", "curtail", "sleep")
}

// Resume wakes a curtailed miner (curtail wakeup).
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.simple(ctx, t, false, "resume", "curtail", "wakeup")
}

// simple runs one privileged command in its own session.
func (d *Driver) simple(ctx context.Context, t hearth.Target, restarts bool, verb, command string, args ...string) error {
	err := d.withSession(ctx, t, restarts, func(s *session) error {
		_, err := s.command(ctx, command, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", verb, rpcAddr(t), err)
	}
	return nil
}

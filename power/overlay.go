package power

import "github.com/hearth-fleet/hearth"

// Limit returns base, a miner's desired state with its named power
// profile already resolved, with the controller's setpoint laid over its
// power: a sleeping miner's desired power is sleep, a trimmed one's a
// power target. The controller only ever lowers power, so a stored or
// scheduled sleep, or a stored target below the trim, is kept. A miner
// the controller released asks for its full power back (a resume, and its
// uncurtailed target when it had trimmed it) when nothing stored sets its
// power. It makes the Controller the reconciler's PowerLimit.
func (c *Controller) Limit(id string, base hearth.DesiredState) hearth.DesiredState {
	c.mu.Lock()
	sp, curtailed := c.setpoints[id]
	rel, released := c.released[id]
	c.mu.Unlock()
	switch {
	case curtailed && sp.Mode == ModeSleep:
		base.Power = &hearth.PowerProfile{Mode: hearth.PowerSleep}
	case curtailed && sp.Mode == ModeTrim:
		if p := base.Power; p != nil && (p.Mode == hearth.PowerSleep || (p.Watts > 0 && p.Watts <= sp.Watts)) {
			break
		}
		base.Power = &hearth.PowerProfile{Mode: hearth.PowerTarget, Watts: sp.Watts}
	case released && base.Power == nil:
		base.Power = &hearth.PowerProfile{Mode: hearth.PowerMax, Watts: rel.watts}
	}
	return base
}

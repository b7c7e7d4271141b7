package luxos

import (
	"context"
	"fmt"
	"math"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// maxProfiles bounds the profiles read from one reply; LuxOS lists a few
// dozen frequency steps.
const maxProfiles = 256

// powerProfile is one LuxOS power profile as the profiles command lists it.
type powerProfile struct {
	// Name is the "Profile Name" that profileset takes, e.g. "290MHz".
	Name string
	// Watts is the wall power LuxOS expects at the profile.
	Watts float64
	// HashRate is the hash rate LuxOS expects, in H/s (it reports TH/s).
	HashRate float64
	// FrequencyMHz is the chip clock of the profile.
	FrequencyMHz float64
}

// parseProfiles reads PROFILES from a profiles reply, skipping entries
// without a usable name or power.
func parseProfiles(doc *cgminer.Document) []powerProfile {
	section := doc.Section("PROFILES")
	out := make([]powerProfile, 0, min(section.Len(), maxProfiles))
	for i, v := range section.All() {
		if i == maxProfiles {
			break
		}
		p := v.Object()
		name := p.String("Profile Name")
		if name == "" || cleanText(name, 64) != name || containsSeparator(name) {
			continue
		}
		watts := clamp(p.Float("Watts"), 0, maxPower)
		if watts <= 0 {
			continue
		}
		out = append(out, powerProfile{
			Name:         name,
			Watts:        watts,
			HashRate:     hashes(p.Float("Hashrate"), 1e12),
			FrequencyMHz: clamp(p.Float("Frequency"), 0, 1e5),
		})
	}
	return out
}

// chooseProfile returns the profile with the most watts not above watts,
// or the one with the fewest watts when every profile is above it.
func chooseProfile(profiles []powerProfile, watts float64) (powerProfile, bool) {
	var best, lowest powerProfile
	var found bool
	for i, p := range profiles {
		if p.Watts <= watts && (!found || p.Watts > best.Watts) {
			best, found = p, true
		}
		if i == 0 || p.Watts < lowest.Watts {
			lowest = p
		}
	}
	if found {
		return best, true
	}
	return lowest, len(profiles) > 0
}

// SetPowerTarget applies the LuxOS profile nearest below watts: the one
// with the most watts not above the target, or the lowest profile when
// all draw more. LuxOS's automatic tuning (ATM) would move the miner off
// a fixed profile, so it is switched off first when it is on, and left
// off. The result names the profile and its watts.
func (d *Driver) SetPowerTarget(ctx context.Context, t hearth.Target, watts float64) (*hearth.PowerSetting, error) {
	if math.IsNaN(watts) || watts <= 0 || watts > maxPower {
		return nil, hearth.Errorf(hearth.EINVALID, "Power target must be between 0 and %g W.", float64(maxPower))
	}
	addr := rpcAddr(t)
	reply, err := d.RPC.Command(ctx, addr, "profiles", "")
	if err != nil {
		return nil, fmt.Errorf("set power target %s: profiles: %w", addr, err)
	}
	profile, ok := chooseProfile(parseProfiles(&reply.Document), watts)
	if !ok {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "Miner at %s lists no power profiles.", addr)
	}
	atm, err := d.RPC.Command(ctx, addr, "atm", "")
	if err != nil {
		return nil, fmt.Errorf("set power target %s: atm: %w", addr, err)
	}
	atmOn := atm.First("ATM").Bool("Enabled")
	err = d.withSession(ctx, t, false, func(s *session) error {
		if atmOn {
			if _, err := s.command(ctx, "atmset", "enabled=false"); err != nil {
				return err
			}
		}
		set, err := s.command(ctx, "profileset", profile.Name)
		if err != nil {
			return err
		}
		if got := set.First("PROFILE").String("Profile"); got != "" && got != profile.Name {
			return hearth.Errorf(hearth.EPROTOCOL, "Miner applied profile %q, not %q.", cleanText(got, 64), profile.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("set power target %s: %w", addr, err)
	}
	return &hearth.PowerSetting{RequestedWatts: watts, Watts: profile.Watts, Mechanism: "profile", Value: profile.Name}, nil
}

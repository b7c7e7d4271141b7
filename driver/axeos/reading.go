package axeos

import (
	"net"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// gigahash converts AxeOS's GH/s to hearth's H/s.
const gigahash = 1e9

// reading maps a decoded system info to hearth's base units. model is the
// model hearth identified the miner as, used when the reply does not say
// which board it comes from.
//
// Choices the firmware leaves open:
//   - HashRate is hashRate, the current rate. hashRate_1m/10m/1h are
//     rolling averages, not the average since start that HashRateAvg
//     means, so HashRateAvg stays empty.
//   - The device is one board; its ChipTemp is the hotter of temp and
//     temp2 (the chip sensors) and its VRTemp is vrTemp, the
//     temperature of the core voltage regulator, the hottest part of the
//     PCB. Values of zero or below mean "no reading" and are left out.
//   - FrequencyMHz is the measured actualFrequency (v2.14.0+), else the
//     configured frequency.
//   - Chips is asicCount where sent (until v2.10), else the length of
//     hashrateMonitor.asics, else the board's design count. AxeOS reports
//     the chips a board is built with, not how many answer.
//   - Fan 2 is reported where the firmware sends fan2rpm (v2.11.0+) and
//     the fan turns or the board has a second tachometer (Hex, SupraHex),
//     so that a stopped second fan shows while the constant 0 of a
//     single-fan board does not.
func (s *systemInfo) reading(model string) *hearth.Reading {
	family, familyKnown := familyOf(s.BoardVersion, model)

	r := &hearth.Reading{
		HashRate:      s.HashRate.positive() * gigahash,
		IdealHashRate: s.ExpectedHashrate.positive() * gigahash,
		Power:         s.Power.positive(),
		Uptime:        seconds(s.UptimeSeconds.count()),
		Accepted:      s.SharesAccepted.count(),
		Rejected:      s.SharesRejected.count(),
		Paused:        s.MiningPaused.v,
	}

	board := hearth.Board{
		Index:         0,
		HashRate:      r.HashRate,
		IdealHashRate: r.IdealHashRate,
		ChipTemp:      max(s.Temp.positive(), s.Temp2.positive()),
		VRTemp:        s.VRTemp.positive(),
		FrequencyMHz:  s.ActualFrequency.positive(),
	}
	if board.FrequencyMHz == 0 {
		board.FrequencyMHz = s.Frequency.positive()
	}
	if familyKnown {
		board.ExpectedChips = family.chips
	}
	switch {
	case s.AsicCount.ok:
		board.Chips = s.AsicCount.int()
	case len(s.HashrateMonitor.ASICs) > 0:
		board.Chips = len(s.HashrateMonitor.ASICs)
	default:
		board.Chips = board.ExpectedChips
	}
	r.Boards = []hearth.Board{board}

	if s.FanRPM.ok {
		r.Fans = append(r.Fans, hearth.Fan{Index: 0, RPM: s.FanRPM.positive(), Percent: s.FanSpeed.positive()})
		if s.Fan2RPM.ok && (s.Fan2RPM.positive() > 0 || (familyKnown && family.fans > 1)) {
			// Both tachometers of an EMC2302 share one PWM setting.
			r.Fans = append(r.Fans, hearth.Fan{Index: 1, RPM: s.Fan2RPM.positive(), Percent: s.FanSpeed.positive()})
		}
	}

	r.Pools = s.pools()
	r.Errors = s.faults()
	if s.typeError != "" {
		r.PollErrors = append(r.PollErrors, "system/info: "+s.typeError)
	}
	return r
}

// faults lists what the firmware itself reports as wrong, in its words.
// power_fault and hardware_fault are present only while faulted;
// overheat_mode 1 means the firmware stopped the ASIC to cool down and
// waits for the user.
func (s *systemInfo) faults() []string {
	var out []string
	if f := strings.TrimSpace(s.PowerFault); f != "" {
		out = append(out, "power fault: "+f)
	}
	if f := strings.TrimSpace(s.HardwareFault); f != "" {
		out = append(out, "hardware fault: "+f)
	}
	if s.OverheatMode.v {
		out = append(out, "overheat mode: ASIC stopped to protect the device")
	}
	return out
}

// identity maps the identification fields; model is computed by the caller
// from /api/system/asic where available.
func (s *systemInfo) identity(model string) *hearth.Identity {
	firmware := "AxeOS"
	if v := strings.TrimSpace(s.Version); v != "" {
		firmware += " " + v
	}
	return &hearth.Identity{
		Family:   hearth.FamilyAxeOS,
		Firmware: firmware,
		Model:    model,
		MAC:      normalizeMAC(s.MACAddr),
		Hostname: strings.TrimSpace(s.Hostname),
		HashRate: s.HashRate.positive() * gigahash,
	}
}

// normalizeMAC writes a MAC address as upper-case colon-separated hex, the
// firmware's own format, whatever separator a fork or an edited capture
// uses. Anything unparsable is returned trimmed, as sent.
func normalizeMAC(s string) string {
	s = strings.TrimSpace(s)
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return s
	}
	return strings.ToUpper(hw.String())
}

// seconds converts a count of seconds to a Duration, clamping what a
// hostile reply could make overflow (beyond about 292 years).
func seconds(n uint64) time.Duration {
	const max = uint64(1<<63-1) / uint64(time.Second)
	if n > max {
		n = max
	}
	return time.Duration(n) * time.Second
}

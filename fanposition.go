package hearth

import (
	"strconv"
	"strings"
)

// Fans are named by where they sit on the machine, so that a support chat
// never has to ask "which fan is fan0?". Firmwares count fans in their own
// ways (bmminer's fan1..fan4, btminer's "Fan Speed In"/"Fan Speed Out",
// AxeOS's fanrpm and fan2rpm, ePIC's "Fans Speed 1".."12"); the drivers
// turn each into a 0-based Fan.Index, and the tables below turn the index
// into a name a technician reads off the machine.
//
// A name is short, lowercase and safe as a Prometheus label value. Where
// the physical place of each firmware index is documented, the name is the
// place ("intake", "exhaust"); a machine with one fan calls it "fan". Where
// it is not, the name is "fan" followed by the firmware's own 1-based
// number ("fan1".."fanN"): that is how the firmwares themselves number
// fans in their APIs and web pages, so the name matches what the
// technician sees on the miner's own page, and it never collides with a
// 0-based index read as a position.

// fanLayouts are the fan names of models hearth knows, by model string as
// Miner.Model holds it, in the order of Fan.Index.
//
// Antminers (S19j Pro, S21, S21 XP on stock firmware and on Braiins OS,
// LuxOS, VNish or ePIC): four 120 mm fans, a pair blowing into the
// hashboards' intake side and a pair pulling out at the exhaust side.
// Which firmware number is which corner is not documented publicly, so the
// fans keep the firmware's numbers. For what a technician can trace: repair
// guides give the control-board connectors of the kernel log's fans 0 to 3
// on S17 and S19 boards as J15, J14, J13 and J12, and the log counts from 0
// where the API and hearth's names count from 1 (log fan 0 is fan1). The
// hydro S21 XP Hyd. has no fans and is not listed.
//
// AvalonMiners report Fan1..FanN without saying where each sits, so they
// keep their numbers; the Nano 3 has a single fan.
var fanLayouts = map[string][]string{
	"Antminer S19j Pro": numberedFans(4),
	"Antminer S21":      numberedFans(4),
	"Antminer S21 XP":   numberedFans(4),
	"AvalonMiner 1466":  numberedFans(4),
	"Avalon Nano3":      {"fan"},
}

// fanLayoutFamilies are fan names shared by every model whose model string
// begins with prefix, because the firmware itself names the fans the same
// way on all of them.
//
// Whatsminers report exactly two fans, "Fan Speed In" and "Fan Speed Out"
// (fan-speed-in and fan-speed-out in API v3): the intake and exhaust fans.
// A Bitaxe has one fan on its heat sink; AxeOS reports a second header as
// fan2rpm on boards that have one, and the name keeps that number.
var fanLayoutFamilies = []struct {
	prefix string
	names  []string
}{
	{"Whatsminer ", []string{"intake", "exhaust"}},
	{"Bitaxe ", []string{"fan", "fan2"}},
}

// numberedFans returns "fan1".."fanN", for models whose fans are known only
// by the firmware's numbers.
func numberedFans(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fanNumberName(i)
	}
	return out
}

// fanNumberName is the name of the fan at 0-based index i when its place is
// not known: the firmware's 1-based number.
func fanNumberName(i int) string { return "fan" + strconv.Itoa(i+1) }

// FanName returns the name of the fan with firmware index index on a miner
// of the given model (as Miner.Model holds it): its position from the
// model's fan layout, or "fan" + (index+1) for a model whose layout hearth
// does not know, an index beyond the layout, or an unidentified miner ("").
// A negative index, which no driver produces, gives "fan0" and below
// rather than a name that could be mistaken for a real fan.
func FanName(model string, index int) string {
	if index >= 0 {
		if names, ok := fanLayouts[model]; ok && index < len(names) {
			return names[index]
		}
		for _, f := range fanLayoutFamilies {
			if strings.HasPrefix(model, f.prefix) && index < len(f.names) {
				return f.names[index]
			}
		}
	}
	return fanNumberName(index)
}

// NameFans sets the Name of every fan of r from the fan layout of model,
// the model of the miner the reading came from. The poller calls it for
// every reading it takes, so that every driver's fans are named the same
// way in one place; a fan that already has a name keeps it.
func (r *Reading) NameFans(model string) {
	for i := range r.Fans {
		if r.Fans[i].Name == "" {
			r.Fans[i].Name = FanName(model, r.Fans[i].Index)
		}
	}
}

package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver"
)

// supportedVerbs are the README table's columns, in order.
var supportedVerbs = []hearth.Capability{
	hearth.CapReboot, hearth.CapRestart, hearth.CapLocate, hearth.CapPause, hearth.CapPowerTarget, hearth.CapSetPools, hearth.CapFanMode, hearth.CapLogs,
}

// The README's supported-hardware table says, for every family and verb,
// what the driver declares: a table that drifts from the code misleads
// the people choosing hardware.
func TestReadmeSupportTableMatchesDrivers(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "<!-- support-table -->")
	if !ok {
		t.Fatal("README has no <!-- support-table --> marker")
	}
	table, _, _ = strings.Cut(table, "<!-- /support-table -->")
	rows := map[string][]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != len(supportedVerbs)+1 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[strings.Trim(cells[0], "`")] = cells[1:]
	}
	for _, d := range driver.All() {
		row, ok := rows[string(d.Family())]
		if !ok {
			t.Errorf("README table has no row for family %s", d.Family())
			continue
		}
		caps := d.Capabilities()
		for i, verb := range supportedVerbs {
			want := "no"
			if slices.Contains(caps, verb) {
				want = "yes"
			}
			if !strings.HasPrefix(row[i], want) {
				t.Errorf("README says %s %s: %q; the driver says %s", d.Family(), verb, row[i], want)
			}
		}
	}
}

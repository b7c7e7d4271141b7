package plan_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/econdata"
	"github.com/hearth-fleet/hearth/econ/plan"
)

func catalog(t *testing.T) econ.Catalog {
	t.Helper()
	c, err := econdata.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A rig takes its figures from the catalog unless given, multiplies by the
// count, and needs a capex when the catalog has no price.
func TestRigSpec(t *testing.T) {
	c := catalog(t)
	spec := plan.DefaultRig()
	spec.Count, spec.CapexUSD = 3, 9000
	rig, err := spec.Rig(c)
	if err != nil {
		t.Fatal(err)
	}
	if rig.HashrateTH != 600 || rig.PowerW != 10500 || rig.CapexUSD != 9000 || rig.PoolFee != 0.02 {
		t.Errorf("3 × S21 = %+v", rig)
	}
	spec.HashrateTH = 100
	if rig, _ := spec.Rig(c); rig.HashrateTH != 300 || rig.PowerW != 10500 {
		t.Errorf("hash rate override: %+v", rig)
	}
	for name, bad := range map[string]plan.RigSpec{
		"no price":      plan.DefaultRig(),
		"unknown model": {Model: "Antminer S99", Count: 1, CapexUSD: 0, Uptime: 1},
		"no miners":     {Model: "Antminer S21", Count: 0, CapexUSD: 0, Uptime: 1},
	} {
		if _, err := bad.Rig(c); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// The ROI report keeps every 30th day and the last.
func TestROIReport(t *testing.T) {
	req := plan.DefaultROIRequest()
	req.CapexUSD, req.Years = 3000, 1
	rig, err := req.Rig(catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := econ.Project(rig, req.Outlook())
	if err != nil {
		t.Fatal(err)
	}
	r := plan.NewROIReport(p)
	if len(r.Monthly) != 13 || r.Monthly[0].Day != p.Days[29].Day || r.Monthly[12].Day != p.Days[364].Day {
		t.Errorf("%d monthly rows, first day %d", len(r.Monthly), r.Monthly[0].Day)
	}
	var b strings.Builder
	if err := plan.PaybackChart(p).WriteSVG(&b); err != nil || !strings.Contains(b.String(), "capex 3000 USD") {
		t.Errorf("payback chart: %v", err)
	}
}

// A site request parses MODEL=COUNT and takes the network's hashprice.
func TestSiteRequest(t *testing.T) {
	req := plan.DefaultSiteRequest()
	req.Miners = []string{"Antminer S21 XP=4", "Antminer S21"}
	in, err := req.Inputs(catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Items) != 2 || in.Items[0].Count != 4 || in.Items[1].Count != 0 || in.Items[0].Model.Name != "Antminer S21 XP" {
		t.Errorf("items %+v", in.Items)
	}
	if in.HashpriceUSDPerPHDay < 36.8 || in.HashpriceUSDPerPHDay > 37 {
		t.Errorf("hashprice %g, want ~36.9", in.HashpriceUSDPerPHDay)
	}
	req.Miners = []string{"Antminer S21=0"}
	if _, err := req.Inputs(catalog(t)); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("zero count: %v", err)
	}
}

// Hours outside the series are refused rather than stretched.
func TestHourlyFrom(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := econ.Series{Times: []int64{start.Unix(), start.Add(time.Hour).Unix()}, Values: []float64{1, 2}}
	got, err := plan.HourlyFrom(s, start, 2, "temperature")
	if err != nil || got[0] != 1 || got[1] != 2 {
		t.Errorf("HourlyFrom = %v, %v", got, err)
	}
	if _, err := plan.HourlyFrom(s, start.Add(-time.Hour), 2, "temperature"); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("before the series: %v", err)
	}
	if _, err := plan.HourlyFrom(s, start, 100, "temperature"); hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("past the series: %v", err)
	}
}

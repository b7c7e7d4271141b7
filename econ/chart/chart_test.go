package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/econ/chart"
)

// wellFormed fails the test unless b parses as XML.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestLineChartDrawsLinesBandsAndLegend(t *testing.T) {
	var b bytes.Buffer
	lc := chart.LineChart{
		Title: "Payback <P&L>", XLabel: "day", YLabel: "USD",
		Lines: []chart.Line{{Name: "median", X: []float64{0, 1, 2}, Y: []float64{-100, math.NaN(), 50}}},
		Bands: []chart.Band{{Name: "p5-p95", X: []float64{0, 1, 2}, Lower: []float64{-200, -150, -20}, Upper: []float64{0, 40, 120}}},
	}
	if err := lc.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	s := b.String()
	for _, want := range []string{"<polyline", "<polygon", "median", "p5-p95", "Payback &lt;P&amp;L&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(s, "NaN") {
		t.Error("SVG contains NaN coordinates")
	}
}

func TestBarChartDrawsNegativeBarsBelowZero(t *testing.T) {
	var b bytes.Buffer
	bc := chart.BarChart{Title: "heat", YLabel: "USD", Categories: []string{"2025-01", "2025-02"},
		Groups: []chart.BarGroup{{Name: "miner", Values: []float64{-10, 20}}, {Name: "resistive", Values: []float64{30, 25}}}}
	if err := bc.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
	if n := strings.Count(b.String(), "<rect x="); n < 4 {
		t.Errorf("drew %d rects, want at least 4 bars", n)
	}
}

func TestEmptyChartsStillDraw(t *testing.T) {
	var b bytes.Buffer
	if err := (chart.LineChart{Title: "empty"}).WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.Bytes())
}

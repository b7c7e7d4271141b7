package chart

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// Line is one series of a line chart.
type Line struct {
	Name  string
	X, Y  []float64
	Color string
	// Dashed draws the line dashed, for references such as zero or capex.
	Dashed bool
}

// Band is a shaded area between two curves, such as the 5th–95th
// percentile of a Monte Carlo fan.
type Band struct {
	Name         string
	X            []float64
	Lower, Upper []float64
	Color        string
}

// LineChart is a chart of lines and bands over a numeric x axis.
type LineChart struct {
	Title, XLabel, YLabel string
	Lines                 []Line
	Bands                 []Band
	// Width and Height in pixels; zero means 900×480.
	Width, Height int
	// XTickLabel, when set, labels x ticks (e.g. dates from day numbers).
	XTickLabel func(x float64) string
}

// WriteSVG draws the chart. NaN and infinite points are skipped.
func (lc LineChart) WriteSVG(w io.Writer) error {
	width, height := lc.Width, lc.Height
	if width == 0 {
		width, height = 900, 480
	}
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	see := func(xs, ys []float64) {
		for i := range min(len(xs), len(ys)) {
			if finite(xs[i]) && finite(ys[i]) {
				xmin, xmax = math.Min(xmin, xs[i]), math.Max(xmax, xs[i])
				ymin, ymax = math.Min(ymin, ys[i]), math.Max(ymax, ys[i])
			}
		}
	}
	for _, l := range lc.Lines {
		see(l.X, l.Y)
	}
	for _, b := range lc.Bands {
		see(b.X, b.Lower)
		see(b.X, b.Upper)
	}
	yt, y0, y1 := niceTicks(ymin, ymax, 6)
	xt, _, _ := niceTicks(xmin, xmax, 8)
	if math.IsInf(xmin, 0) {
		xmin, xmax = 0, 1
	}
	px0, px1 := float64(marginLeft), float64(width-marginRight)
	py0, py1 := float64(height-marginBottom), float64(marginTop)
	xs, ys := scale{xmin, xmax, px0, px1}, scale{y0, y1, py0, py1}

	c := &canvas{w: bufio.NewWriter(w)}
	c.begin(width, height, lc.Title)
	c.yAxis(ys, yt, px0, px1, lc.YLabel)
	for _, t := range xt {
		if t < xmin || t > xmax {
			continue
		}
		x := xs.at(t)
		label := formatTick(t)
		if lc.XTickLabel != nil {
			label = lc.XTickLabel(t)
		}
		c.printf(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`+"\n", x, py0, x, py0+4)
		c.printf(`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, py0+18, esc(label))
	}
	c.printf(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", (px0+px1)/2, height-8, esc(lc.XLabel))
	c.printf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", px0, py1, px1-px0, py0-py1)
	legend := 0
	key := func(name, col string, fill bool) {
		y := float64(marginTop + 16*legend)
		if fill {
			c.printf(`<rect x="%.1f" y="%.1f" width="14" height="10" fill="%s" fill-opacity="0.25"/>`+"\n", px1+12, y-9, col)
		} else {
			c.printf(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", px1+12, y-4, px1+26, y-4, col)
		}
		c.printf(`<text x="%.1f" y="%.1f">%s</text>`+"\n", px1+32, y, esc(name))
		legend++
	}
	for i, b := range lc.Bands {
		col := colour(i, b.Color)
		var pts []string
		for j := range min(len(b.X), len(b.Upper)) {
			if finite(b.X[j]) && finite(b.Upper[j]) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs.at(b.X[j]), ys.at(b.Upper[j])))
			}
		}
		for j := min(len(b.X), len(b.Lower)) - 1; j >= 0; j-- {
			if finite(b.X[j]) && finite(b.Lower[j]) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs.at(b.X[j]), ys.at(b.Lower[j])))
			}
		}
		c.printf(`<polygon points="%s" fill="%s" fill-opacity="0.25" stroke="none"><title>%s</title></polygon>`+"\n", strings.Join(pts, " "), col, esc(b.Name))
		key(b.Name, col, true)
	}
	for i, l := range lc.Lines {
		col := colour(i, l.Color)
		var pts []string
		for j := range min(len(l.X), len(l.Y)) {
			if finite(l.X[j]) && finite(l.Y[j]) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs.at(l.X[j]), ys.at(l.Y[j])))
			}
		}
		dash := ""
		if l.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		c.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s><title>%s</title></polyline>`+"\n", strings.Join(pts, " "), col, dash, esc(l.Name))
		key(l.Name, col, false)
	}
	return c.end()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

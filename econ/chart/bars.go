package chart

import (
	"bufio"
	"io"
	"math"
)

// BarGroup is one series of a grouped bar chart: a value per category.
type BarGroup struct {
	Name   string
	Values []float64
	Color  string
}

// BarChart draws, for each category (e.g. a month), one bar per group
// (e.g. a heating option), side by side; negative values hang below zero.
type BarChart struct {
	Title, YLabel string
	Categories    []string
	Groups        []BarGroup
	Width, Height int
}

// WriteSVG draws the chart.
func (bc BarChart) WriteSVG(w io.Writer) error {
	width, height := bc.Width, bc.Height
	if width == 0 {
		width, height = 960, 480
	}
	lo, hi := 0.0, 0.0
	for _, g := range bc.Groups {
		for _, v := range g.Values {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	yt, y0, y1 := niceTicks(lo, hi, 6)
	px0, px1 := float64(marginLeft), float64(width-marginRight)
	py0, py1 := float64(height-marginBottom), float64(marginTop)
	ys := scale{y0, y1, py0, py1}
	c := &canvas{w: bufio.NewWriter(w)}
	c.begin(width, height, bc.Title)
	c.yAxis(ys, yt, px0, px1, bc.YLabel)
	n := max(len(bc.Categories), 1)
	slot := (px1 - px0) / float64(n)
	bw := slot * 0.8 / float64(max(len(bc.Groups), 1))
	zero := ys.at(0)
	for i, cat := range bc.Categories {
		x := px0 + slot*float64(i) + slot*0.1
		for j, g := range bc.Groups {
			if i >= len(g.Values) || !finite(g.Values[i]) {
				continue
			}
			y := ys.at(g.Values[i])
			top, h := math.Min(y, zero), math.Abs(zero-y)
			c.printf(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.2f</title></rect>`+"\n",
				x+bw*float64(j), top, bw, h, colour(j, g.Color), esc(g.Name), esc(cat), g.Values[i])
		}
		c.printf(`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px0+slot*(float64(i)+0.5), py0+18, esc(cat))
	}
	c.printf(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`+"\n", px0, zero, px1, zero)
	for j, g := range bc.Groups {
		y := float64(marginTop + 16*j)
		c.printf(`<rect x="%.1f" y="%.1f" width="14" height="10" fill="%s"/>`+"\n", px1+12, y-9, colour(j, g.Color))
		c.printf(`<text x="%.1f" y="%.1f">%s</text>`+"\n", px1+32, y, esc(g.Name))
	}
	return c.end()
}

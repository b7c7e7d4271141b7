// Package chart draws the planner's charts as standalone SVG: line charts
// with percentile bands (payback curves, Monte Carlo fans, backtests) and
// grouped bar charts (monthly heat cost). It writes the SVG by hand so the
// CLI needs no plotting tool and the server can serve the same bytes.
package chart

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// Palette is the colour cycle for lines and bars without their own colour.
var Palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"}

// Plot area margins in pixels.
const (
	marginLeft   = 80
	marginRight  = 180
	marginTop    = 40
	marginBottom = 50
)

// canvas writes SVG elements to a buffered writer, keeping the first error.
type canvas struct {
	w   *bufio.Writer
	err error
}

func (c *canvas) printf(format string, args ...any) {
	if c.err == nil {
		_, c.err = fmt.Fprintf(c.w, format, args...)
	}
}

func (c *canvas) begin(width, height int, title string) {
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	c.printf(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	c.printf(`<title>%s</title>`+"\n", esc(title))
	c.printf(`<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", marginLeft, esc(title))
}

func (c *canvas) end() error {
	c.printf("</svg>\n")
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}

// esc escapes text for SVG.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// scale maps a data range to pixels.
type scale struct{ d0, d1, p0, p1 float64 }

func (s scale) at(v float64) float64 {
	if s.d1 == s.d0 {
		return (s.p0 + s.p1) / 2
	}
	return s.p0 + (v-s.d0)/(s.d1-s.d0)*(s.p1-s.p0)
}

// niceTicks returns about n round tick values covering [lo, hi] and the
// widened range they span.
func niceTicks(lo, hi float64, n int) (ticks []float64, min, max float64) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	min, max = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	for v := min; v <= max+step/2; v += step {
		ticks = append(ticks, v)
	}
	return ticks, min, max
}

// formatTick prints a tick value compactly (k, M, G, T suffixes).
func formatTick(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e12:
		return trim(v/1e12) + "T"
	case a >= 1e9:
		return trim(v/1e9) + "G"
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e4:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

func trim(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// yAxis draws horizontal grid lines and labels.
func (c *canvas) yAxis(ys scale, ticks []float64, x0, x1 float64, label string) {
	for _, t := range ticks {
		y := ys.at(t)
		c.printf(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0, y, x1, y)
		c.printf(`<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-6, y+4, esc(formatTick(t)))
	}
	mid := (ys.p0 + ys.p1) / 2
	c.printf(`<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", mid, esc(label))
}

func colour(i int, c string) string {
	if c != "" {
		return c
	}
	return Palette[i%len(Palette)]
}

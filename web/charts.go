package web

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Charts drawn on the server as SVG: a page needs no JavaScript library to
// show them, and the page's Content-Security-Policy (no inline styles) is
// kept by drawing with SVG attributes only. Every function here is pure and
// deterministic: the same input gives the same bytes. Every piece of text
// (faction and candidate names) is escaped as XML, and colours are checked
// against #rrggbb before use, so a name such as <script> renders inert.

// chartGroup is one coloured part of a chart: a faction, those of no
// faction, or a candidate.
type chartGroup struct {
	Name   string
	Colour string // #rrggbb; anything else is replaced by a neutral grey
	Count  int
}

// Colours the charts use for what has no faction colour.
const (
	greyColour   = "#9e9e9e"
	vacantColour = "#ffffff"
	inkColour    = "#1d1d1f"
	lineColour   = "#8a8780"
)

// palette colours candidates without a faction, by their place in the
// count.
var palette = []string{"#1f4e8c", "#b3261e", "#2e7d32", "#a15c00", "#6a1b9a", "#00838f", "#5d4037", "#c2185b", "#455a64", "#827717"}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// safeColour returns c if it is a #rrggbb colour, else fallback.
func safeColour(c, fallback string) string {
	if hexColour.MatchString(c) {
		return strings.ToLower(c)
	}
	return fallback
}

// svgBuf writes SVG markup. Element and attribute names come from this
// file's code; every value and text goes through escaping.
type svgBuf struct{ b strings.Builder }

// open writes a start tag with attributes given as name, value pairs.
func (w *svgBuf) open(tag string, attrs ...string) { w.tag(tag, false, attrs) }

// empty writes an element with no content.
func (w *svgBuf) empty(tag string, attrs ...string) { w.tag(tag, true, attrs) }

func (w *svgBuf) tag(tag string, selfClose bool, attrs []string) {
	w.b.WriteString("<" + tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="`)
		w.esc(attrs[i+1])
		w.b.WriteString(`"`)
	}
	if selfClose {
		w.b.WriteString("/>")
	} else {
		w.b.WriteString(">")
	}
}

func (w *svgBuf) close(tag string) { w.b.WriteString("</" + tag + ">") }

// text writes escaped character data.
func (w *svgBuf) text(s string) { w.esc(s) }

// esc escapes s as XML character data or an attribute value; characters
// XML cannot hold become U+FFFD.
func (w *svgBuf) esc(s string) { xml.EscapeText(&w.b, []byte(s)) }

// title writes a <title> child: the tooltip and accessible name.
func (w *svgBuf) title(s string) {
	w.open("title")
	w.text(s)
	w.close("title")
}

// label writes a text element.
func (w *svgBuf) label(x, y float64, s string, attrs ...string) {
	w.open("text", append([]string{"x", num(x), "y", num(y)}, attrs...)...)
	w.text(s)
	w.close("text")
}

func (w *svgBuf) html() template.HTML { return template.HTML(w.b.String()) }

// num formats a coordinate with two decimals at most.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// clip shortens a label to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// seatPos is a seat of a hemicycle: its centre in units of the outer
// radius (the centre of the arcs at 0,0, y upward) and its angle.
type seatPos struct {
	X, Y, Angle float64
	Row         int
}

// hemicycleInner is the inner radius of a hemicycle, in units of the outer
// one: the well in the middle where the speaker would sit.
const hemicycleInner = 0.4

// hemicycleLayout places n seats on concentric half circles: the fewest
// rows that hold them, seats shared among the rows by the length of their
// arcs and spread evenly along each. It returns the seats from left to
// right (by angle, outer rows first at equal angles) and the radius of a
// seat.
func hemicycleLayout(n int) ([]seatPos, float64) {
	if n <= 0 {
		return nil, 0
	}
	var rows int
	var gap float64
	var caps []int
	for rows = 1; ; rows++ {
		gap = 1 - hemicycleInner
		if rows > 1 {
			gap /= float64(rows - 1)
		}
		caps = caps[:0]
		total := 0
		for i := range rows {
			c := int(math.Floor(math.Pi*(1-float64(i)*gap)/gap)) + 1
			caps = append(caps, c)
			total += c
		}
		if total >= n {
			break
		}
	}
	// Seats in proportion to each row's capacity: never more than it
	// holds, since n is at most the capacities' sum.
	counts := shares(caps, n)
	pos := make([]seatPos, 0, n)
	for i, k := range counts {
		radius := 1 - float64(i)*gap
		for j := range k {
			a := math.Pi / 2
			if k > 1 {
				a = math.Pi - float64(j)*math.Pi/float64(k-1)
			}
			pos = append(pos, seatPos{X: radius * math.Cos(a), Y: radius * math.Sin(a), Angle: a, Row: i})
		}
	}
	sort.SliceStable(pos, func(a, b int) bool {
		if d := pos[a].Angle - pos[b].Angle; math.Abs(d) > 1e-9 {
			return d > 0
		}
		return pos[a].Row < pos[b].Row
	})
	// A few seats would be drawn as large as the rows are far apart:
	// beyond 0.15 of the radius a seat looks like a ball, not a seat.
	return pos, min(0.4*gap, 0.15)
}

// shares divides n among weights in proportion by largest remainder,
// ties going to the earlier weight; in integers, so that a drawing never
// depends on rounding. The shares sum to n unless every weight is 0.
func shares(weights []int, n int) []int {
	total := 0
	for _, w := range weights {
		total += max(w, 0)
	}
	out := make([]int, len(weights))
	if total == 0 {
		return out
	}
	rem := make([]int, len(weights))
	order := make([]int, len(weights))
	given := 0
	for i, w := range weights {
		w = max(w, 0)
		out[i], rem[i] = n*w/total, n*w%total
		given += out[i]
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for i := 0; given < n; i++ {
		out[order[i%len(order)]]++
		given++
	}
	return out
}

// maxDots is the most circles a hemicycle draws: past it (a base council
// of thousands of members) each circle stands for several, shared out by
// largest remainder, and the legend keeps the true numbers.
const maxDots = 600

// hemicycle draws a parliament chart: one circle per seat, coloured by
// group, the groups in wedges from left to right in the order given, the
// vacant seats last; with a legend. It handles any number of seats (the
// rows grow with it); with none it says so.
func hemicycle(label string, groups []chartGroup, vacant int) template.HTML {
	counts := make([]int, len(groups)+1)
	total := 0
	for i, g := range groups {
		counts[i] = max(g.Count, 0)
		total += counts[i]
	}
	counts[len(groups)] = max(vacant, 0)
	total += counts[len(groups)]
	dots, scaled := counts, total > maxDots
	if scaled {
		dots = shares(counts, maxDots)
	}
	const width, outer, cx, cy = 400.0, 180.0, 200.0, 185.0
	pos, r := hemicycleLayout(min(total, maxDots))
	// The outer seats' edges, not their centres, touch the outer radius.
	radius := outer / (1 + r)
	legendTop := cy + r*radius + 24
	height := legendTop + 18*float64(len(groups)+boolInt(vacant > 0)+boolInt(scaled)) + 6
	var w svgBuf
	w.open("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "chart hemicycle", "viewBox", "0 0 "+num(width)+" "+num(height),
		"role", "img", "aria-label", label)
	w.title(label)
	if total == 0 {
		w.label(cx, cy-radius/2, "no seats yet", "text-anchor", "middle", "fill", lineColour, "font-size", "16")
	}
	i := 0
	seat := func(name, colour string, vacantSeat bool) {
		p := pos[i]
		i++
		class := "seat"
		if vacantSeat {
			class = "seat vacant"
		}
		attrs := []string{"class", class, "cx", num(cx + p.X*radius), "cy", num(cy - p.Y*radius), "r", num(r * radius), "fill", colour}
		if vacantSeat {
			attrs = append(attrs, "stroke", lineColour, "stroke-width", "1")
		}
		w.open("circle", attrs...)
		w.title(name)
		w.close("circle")
	}
	for gi, g := range groups {
		colour := safeColour(g.Colour, fallbackColour(gi, g.Colour))
		for range dots[gi] {
			seat(g.Name, colour, false)
		}
	}
	for range dots[len(groups)] {
		seat("vacant", vacantColour, true)
	}
	if total > 0 {
		w.label(cx, cy, strconv.Itoa(total), "text-anchor", "middle", "font-size", "28", "font-weight", "700", "fill", inkColour)
	}
	y := legendTop
	legend := func(name, colour string, count int, stroke bool) {
		attrs := []string{"x", "12", "y", num(y - 11), "width", "12", "height", "12", "fill", colour}
		if stroke {
			attrs = append(attrs, "stroke", lineColour)
		}
		w.empty("rect", attrs...)
		w.label(30, y, fmt.Sprintf("%s: %d", clip(name, 48), count), "font-size", "13", "fill", inkColour)
		y += 18
	}
	for gi, g := range groups {
		legend(g.Name, safeColour(g.Colour, fallbackColour(gi, g.Colour)), g.Count, false)
	}
	if vacant > 0 {
		legend("vacant", vacantColour, vacant, true)
	}
	if scaled {
		w.label(12, y, fmt.Sprintf("each circle stands for about %.0f", float64(total)/maxDots), "font-size", "13", "fill", lineColour)
	}
	w.close("svg")
	return w.html()
}

// fallbackColour is the colour of a group with no valid colour of its
// own: grey for those of no faction (an empty colour).
func fallbackColour(i int, colour string) string {
	if colour == "" {
		return greyColour
	}
	return palette[i%len(palette)]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compositionStep is a composition from a moment on, for the chart.
type compositionStep struct {
	Label  string // when, for people
	Counts []int  // by group
	Vacant int
}

// maxSteps is the most columns a composition over time draws.
const maxSteps = 240

// compositionChart draws a composition over time as stacked steps: one
// column per change (of equal width: the changes matter, not the time
// between them), each group's seats stacked from the bottom in the order
// given, the vacant seats on top.
func compositionChart(label string, groups []chartGroup, steps []compositionStep) template.HTML {
	if len(steps) > maxSteps {
		// Thousands of changes would be slivers: show evenly spaced ones,
		// the first and the last among them.
		picked := make([]compositionStep, maxSteps)
		for i := range picked {
			picked[i] = steps[i*(len(steps)-1)/(maxSteps-1)]
		}
		steps = picked
	}
	const left, top, plotW, plotH = 40.0, 10.0, 540.0, 160.0
	height := top + plotH + 30 + 18*float64(len(groups)) + 6
	var w svgBuf
	w.open("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "chart composition", "viewBox", "0 0 600 "+num(height),
		"role", "img", "aria-label", label)
	w.title(label)
	most := 0
	for _, s := range steps {
		n := s.Vacant
		for _, c := range s.Counts {
			n += max(c, 0)
		}
		most = max(most, n)
	}
	w.empty("line", "x1", num(left), "y1", num(top+plotH), "x2", num(left+plotW), "y2", num(top+plotH), "stroke", lineColour)
	if most == 0 {
		w.label(left+plotW/2, top+plotH/2, "no seats yet", "text-anchor", "middle", "fill", lineColour, "font-size", "16")
	} else {
		w.label(left-6, top+10, strconv.Itoa(most), "text-anchor", "end", "font-size", "12", "fill", inkColour)
		w.label(left-6, top+plotH, "0", "text-anchor", "end", "font-size", "12", "fill", inkColour)
		colW := plotW / float64(len(steps))
		unit := plotH / float64(most)
		for i, s := range steps {
			x := left + float64(i)*colW
			y := top + plotH
			bar := func(n int, colour, name string, vacant bool) {
				if n <= 0 {
					return
				}
				h := float64(n) * unit
				y -= h
				attrs := []string{"class", "step", "x", num(x), "y", num(y), "width", num(colW), "height", num(h), "fill", colour}
				if vacant {
					attrs = append(attrs, "stroke", lineColour, "stroke-width", "0.5")
				}
				w.open("rect", attrs...)
				w.title(fmt.Sprintf("%s: %s %d", s.Label, name, n))
				w.close("rect")
			}
			for gi, g := range groups {
				if gi < len(s.Counts) {
					bar(s.Counts[gi], safeColour(g.Colour, fallbackColour(gi, g.Colour)), g.Name, false)
				}
			}
			bar(s.Vacant, vacantColour, "vacant", true)
		}
		w.label(left, top+plotH+16, steps[0].Label, "font-size", "12", "fill", inkColour)
		if len(steps) > 1 {
			w.label(left+plotW, top+plotH+16, steps[len(steps)-1].Label, "text-anchor", "end", "font-size", "12", "fill", inkColour)
		}
	}
	y := top + plotH + 40
	for gi, g := range groups {
		w.empty("rect", "x", num(left), "y", num(y-11), "width", "12", "height", "12", "fill", safeColour(g.Colour, fallbackColour(gi, g.Colour)))
		w.label(left+18, y, clip(g.Name, 60), "font-size", "13", "fill", inkColour)
		y += 18
	}
	w.close("svg")
	return w.html()
}

// transferRound is one column of the transfer chart: every candidate's
// votes and state after a round of the count.
type transferRound struct {
	Label     string
	Votes     []float64 // by candidate
	Status    []string  // hopeful, elected, defeated, withdrawn
	Exhausted float64
	Quota     float64 // 0 when the method has none
}

// transferChart draws a count round by round: a row per candidate (and
// one for the exhausted ballots), a column per round, and in each cell a
// bar of the candidate's votes on a common scale. The part gained in the
// round is drawn lighter and the part lost as an outline, so that the
// transfers show; the quota is a line across each column. Elected
// candidates' bars are outlined, defeated ones faded.
func transferChart(label string, candidates []chartGroup, rounds []transferRound) template.HTML {
	const nameW, colW, rowH, headH = 210.0, 84.0, 24.0, 24.0
	rows := len(candidates) + 1
	width := nameW + colW*float64(max(len(rounds), 1)) + 8
	height := headH + rowH*float64(rows) + 8
	var w svgBuf
	// Drawn at its own size (a count of few rounds stays small), shrunk
	// to fit a narrow screen.
	w.open("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "chart transfers", "viewBox", "0 0 "+num(width)+" "+num(height),
		"width", num(width), "height", num(height), "role", "img", "aria-label", label)
	w.title(label)
	most := 0.0
	for _, rd := range rounds {
		for _, v := range rd.Votes {
			most = math.Max(most, v)
		}
		most = math.Max(most, math.Max(rd.Exhausted, rd.Quota))
	}
	if most <= 0 {
		most = 1
	}
	colours := candidateColours(candidates)
	barW := colW - 10
	scale := func(v float64) float64 { return barW * math.Max(v, 0) / most }
	for i, c := range candidates {
		w.label(nameW-8, headH+rowH*float64(i)+16, clip(c.Name, 26), "text-anchor", "end", "font-size", "12", "fill", inkColour)
	}
	w.label(nameW-8, headH+rowH*float64(len(candidates))+16, "exhausted", "text-anchor", "end", "font-size", "12", "fill", lineColour)
	for ri, rd := range rounds {
		x := nameW + colW*float64(ri)
		w.label(x+colW/2, 16, rd.Label, "text-anchor", "middle", "font-size", "12", "fill", inkColour)
		w.empty("line", "x1", num(x), "y1", num(headH), "x2", num(x), "y2", num(height-8), "stroke", "#dedbd2")
		cell := func(row int, name, colour string, v, prev float64, status string) {
			y := headH + rowH*float64(row) + 5
			h := rowH - 10
			x0 := x + 5
			attrs := []string{"class", "bar " + status, "x", num(x0), "y", num(y), "width", num(scale(v)), "height", num(h), "fill", colour}
			switch status {
			case "elected":
				attrs = append(attrs, "stroke", inkColour, "stroke-width", "1.5")
			case "defeated", "withdrawn":
				attrs = append(attrs, "fill-opacity", "0.3")
			}
			w.open("rect", attrs...)
			w.title(fmt.Sprintf("%s, %s: %s (%s)", name, rd.Label, strconv.FormatFloat(v, 'f', -1, 64), status))
			w.close("rect")
			switch {
			case ri > 0 && v > prev:
				w.empty("rect", "class", "gain", "x", num(x0+scale(prev)), "y", num(y), "width", num(scale(v)-scale(prev)), "height", num(h),
					"fill", "#ffffff", "fill-opacity", "0.45")
			case ri > 0 && v < prev:
				w.empty("rect", "class", "loss", "x", num(x0+scale(v)), "y", num(y+0.5), "width", num(scale(prev)-scale(v)), "height", num(h-1),
					"fill", "none", "stroke", colour, "stroke-dasharray", "2 2")
			}
		}
		for ci, c := range candidates {
			var v, prev float64
			if ci < len(rd.Votes) {
				v = rd.Votes[ci]
			}
			if ri > 0 && ci < len(rounds[ri-1].Votes) {
				prev = rounds[ri-1].Votes[ci]
			}
			status := "hopeful"
			if ci < len(rd.Status) {
				status = rd.Status[ci]
			}
			cell(ci, c.Name, colours[ci], v, prev, statusClass(status))
		}
		prev := 0.0
		if ri > 0 {
			prev = rounds[ri-1].Exhausted
		}
		cell(len(candidates), "exhausted", greyColour, rd.Exhausted, prev, "exhausted")
		if rd.Quota > 0 {
			qx := x + 5 + scale(rd.Quota)
			w.open("line", "class", "quota", "x1", num(qx), "y1", num(headH), "x2", num(qx), "y2", num(height-8),
				"stroke", "#b3261e", "stroke-dasharray", "3 2")
			w.title(fmt.Sprintf("quota, %s: %s", rd.Label, strconv.FormatFloat(rd.Quota, 'f', -1, 64)))
			w.close("line")
		}
	}
	w.close("svg")
	return w.html()
}

// candidateColours gives each candidate their faction's colour, and those
// without one a colour of the palette that no faction of theirs uses, so
// that two candidates' bars are told apart where the palette allows.
func candidateColours(candidates []chartGroup) []string {
	out := make([]string, len(candidates))
	used := map[string]bool{}
	for i, c := range candidates {
		if hexColour.MatchString(c.Colour) {
			out[i] = strings.ToLower(c.Colour)
			used[out[i]] = true
		}
	}
	var free []string
	for _, p := range palette {
		if !used[p] {
			free = append(free, p)
		}
	}
	if len(free) == 0 {
		free = palette
	}
	n := 0
	for i := range out {
		if out[i] == "" {
			out[i] = free[n%len(free)]
			n++
		}
	}
	return out
}

// statusClass keeps a candidate's state to the known names, for the class
// attribute.
func statusClass(s string) string {
	switch s {
	case "elected", "defeated", "withdrawn", "exhausted":
		return s
	}
	return "hopeful"
}

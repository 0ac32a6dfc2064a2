package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// svgElement is an element of a parsed chart.
type svgElement struct {
	Name  string
	Attrs map[string]string
	Text  string // the text of a <text> or <title> element
}

// parseSVG checks that a chart is well-formed XML with an <svg> root and
// returns its elements in document order.
func parseSVG(t *testing.T, h template.HTML) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(h)))
	var out []svgElement
	var stack []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, h)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := svgElement{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			if len(out) == 0 && e.Name != "svg" {
				t.Fatalf("the chart's root is <%s>, not <svg>", e.Name)
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tok)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the chart is empty")
	}
	return out
}

// withClass returns the elements whose class list holds class.
func withClass(es []svgElement, class string) []svgElement {
	var out []svgElement
	for _, e := range es {
		for _, c := range strings.Fields(e.Attrs["class"]) {
			if c == class {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func TestHemicycleSeatsCouncil(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 5, 6, 7, 10, 30, 99, 100, 250, 433, 599, 600} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			red, blue := n/2, n/3
			vacant := n - red - blue
			groups := []chartGroup{{"Bolsheviks", "#b3261e", red}, {"Mensheviks", "#1F4E8C", blue}}
			h := hemicycle("Petrograd Soviet", groups, vacant)
			es := parseSVG(t, h)
			seats := withClass(es, "seat")
			if len(seats) != n {
				t.Fatalf("%d seat circles, want %d", len(seats), n)
			}
			// The factions' wedges come in order, then the vacant seats.
			for i, s := range seats {
				want := "#b3261e"
				switch {
				case i >= red+blue:
					want = vacantColour
				case i >= red:
					want = "#1f4e8c"
				}
				if s.Name != "circle" || s.Attrs["fill"] != want {
					t.Fatalf("seat %d is a %s filled %q, want a circle filled %q", i, s.Name, s.Attrs["fill"], want)
				}
			}
			if got := len(withClass(es, "vacant")); got != vacant {
				t.Errorf("%d vacant seats, want %d", got, vacant)
			}
			// No two seats overlap, and every seat is inside the picture.
			var vb [4]float64
			fmt.Sscan(es[0].Attrs["viewBox"], &vb[0], &vb[1], &vb[2], &vb[3])
			type circle struct{ x, y, r float64 }
			cs := make([]circle, len(seats))
			for i, s := range seats {
				x, _ := strconv.ParseFloat(s.Attrs["cx"], 64)
				y, _ := strconv.ParseFloat(s.Attrs["cy"], 64)
				r, _ := strconv.ParseFloat(s.Attrs["r"], 64)
				cs[i] = circle{x, y, r}
				if r <= 0 || x-r < -0.01 || y-r < -0.01 || x+r > vb[2]+0.01 || y+r > vb[3]+0.01 {
					t.Fatalf("seat %d at (%v, %v) radius %v is outside the view box %v", i, x, y, r, vb)
				}
			}
			for i := range cs {
				for j := i + 1; j < len(cs); j++ {
					// Coordinates are rounded to 0.01: allow for it.
					if d := math.Hypot(cs[i].x-cs[j].x, cs[i].y-cs[j].y); d < cs[i].r+cs[j].r-0.03 {
						t.Fatalf("seats %d and %d overlap: distance %v, radii %v", i, j, d, cs[i].r)
					}
				}
			}
			// Deterministic: the same input draws the same bytes.
			if again := hemicycle("Petrograd Soviet", groups, vacant); again != h {
				t.Error("two drawings of the same hemicycle differ")
			}
		})
	}
}

func TestChartsEscapeTextCouncil(t *testing.T) {
	evil := `<script>alert("x")</script> & 'friends'`
	groups := []chartGroup{{evil, `#fff" onload="alert(1)`, 2}, {"Left SRs", "red", 1}, {"no faction", "", 1}}
	charts := map[string]template.HTML{
		"hemicycle":   hemicycle(evil, groups, 1),
		"composition": compositionChart(evil, groups, []compositionStep{{Label: evil, Counts: []int{1, 1, 0}, Vacant: 1}, {Label: "later", Counts: []int{2, 1, 1}}}),
		"transfers": transferChart(evil, groups, []transferRound{
			{Label: "1 count", Votes: []float64{3, 2, 1}, Status: []string{"hopeful", "hopeful", `"><script>`}, Quota: 2.5},
			{Label: evil, Votes: []float64{2.5, 2.5, 0}, Status: []string{"elected", "hopeful", "defeated"}, Exhausted: 1, Quota: 2.5},
		}),
	}
	for name, h := range charts {
		t.Run(name, func(t *testing.T) {
			s := string(h)
			for _, bad := range []string{"<script", "onload", `"<`} {
				if strings.Contains(s, bad) {
					t.Errorf("the chart holds %q unescaped:\n%s", bad, s)
				}
			}
			es := parseSVG(t, h)
			found := false
			for _, e := range es {
				if strings.Contains(e.Text, evil) {
					found = true
				}
				if f := e.Attrs["fill"]; f != "" && f != "none" && !hexColour.MatchString(f) {
					t.Errorf("<%s> is filled %q, not a #rrggbb colour", e.Name, f)
				}
				if c := e.Attrs["class"]; strings.ContainsAny(c, `<>"`) {
					t.Errorf("<%s> has class %q", e.Name, c)
				}
			}
			if !found {
				t.Errorf("the faction's name does not read back as text from the chart:\n%s", s)
			}
		})
	}
	// Invalid colours fall back; valid ones are kept (in lower case).
	es := parseSVG(t, charts["hemicycle"])
	seats := withClass(es, "seat")
	if got := seats[0].Attrs["fill"]; got != palette[0] {
		t.Errorf("a faction with an invalid colour is filled %q, want the palette's %q", got, palette[0])
	}
	if got := seats[3].Attrs["fill"]; got != greyColour {
		t.Errorf("those of no faction are filled %q, want grey %q", got, greyColour)
	}
	// Inside a page, a chart is markup, not text.
	var buf bytes.Buffer
	template.Must(template.New("p").Parse(`<div>{{.}}</div>`)).Execute(&buf, charts["hemicycle"])
	if !strings.HasPrefix(buf.String(), "<div><svg ") {
		t.Errorf("a page escapes the chart: %.80s", buf.String())
	}
}

func TestCompositionChartCouncil(t *testing.T) {
	groups := []chartGroup{{"Bolsheviks", "#b3261e", 0}, {"Mensheviks", "#1f4e8c", 0}}
	steps := []compositionStep{
		{Label: "1 Mar 1917", Counts: []int{0, 0}, Vacant: 3},
		{Label: "2 Mar 1917", Counts: []int{1, 2}, Vacant: 0},
		{Label: "25 Oct 1917", Counts: []int{3, 0}, Vacant: 1},
	}
	es := parseSVG(t, compositionChart("Petrograd Soviet", groups, steps))
	// One rectangle per non-empty part of each step: 1 + 2 + 2.
	if got := len(withClass(es, "step")); got != 5 {
		t.Errorf("%d step rectangles, want 5", got)
	}
	for _, r := range withClass(es, "step") {
		if h, _ := strconv.ParseFloat(r.Attrs["height"], 64); h <= 0 || h > 160.01 {
			t.Errorf("a step of height %v (the plot is 160 high)", h)
		}
	}
	// Nothing to show is said, not drawn.
	es = parseSVG(t, compositionChart("Empty", nil, []compositionStep{{Label: "now"}}))
	if len(withClass(es, "step")) != 0 || !strings.Contains(fmt.Sprint(es), "no seats yet") {
		t.Errorf("an empty composition draws %v", es)
	}
}

func TestTransferChartCouncil(t *testing.T) {
	cands := []chartGroup{{"Alice", "#b3261e", 0}, {"Bob", "", 0}, {"Clara", "#2e7d32", 0}}
	rounds := []transferRound{
		{Label: "1 count", Votes: []float64{3, 2, 1}, Status: []string{"hopeful", "hopeful", "hopeful"}, Quota: 2},
		{Label: "2 elect", Votes: []float64{3, 2, 1}, Status: []string{"elected", "hopeful", "hopeful"}, Quota: 2},
		{Label: "3 surplus", Votes: []float64{2, 2.5, 1.5}, Status: []string{"elected", "elected", "hopeful"}, Quota: 2},
	}
	es := parseSVG(t, transferChart("count", cands, rounds))
	// A bar per candidate per round, and one for the exhausted ballots.
	if got, want := len(withClass(es, "bar")), len(rounds)*(len(cands)+1); got != want {
		t.Errorf("%d bars, want %d", got, want)
	}
	if got := len(withClass(es, "quota")); got != len(rounds) {
		t.Errorf("%d quota lines, want %d", got, len(rounds))
	}
	// Round 3 moved a surplus: Alice lost 1, Bob and Clara gained.
	if got := len(withClass(es, "gain")); got != 2 {
		t.Errorf("%d gains drawn, want 2", got)
	}
	if got := len(withClass(es, "loss")); got != 1 {
		t.Errorf("%d losses drawn, want 1", got)
	}
	if got := len(withClass(es, "elected")); got != 3 {
		t.Errorf("%d elected bars, want 3 (Alice twice, Bob once)", got)
	}
	for _, b := range withClass(es, "bar") {
		if b.Attrs["fill"] == "" || !hexColour.MatchString(b.Attrs["fill"]) {
			t.Errorf("a bar filled %q", b.Attrs["fill"])
		}
	}
}

// TestHemicycleLargeCouncil: a base council of thousands of members is
// drawn with at most maxDots circles, shared out in proportion, while the
// legend keeps the true numbers.
func TestHemicycleLargeCouncil(t *testing.T) {
	groups := []chartGroup{{"Bolsheviks", "#b3261e", 5001}, {"Mensheviks", "#1f4e8c", 3333}, {"no faction", "", 1666}}
	es := parseSVG(t, hemicycle("Putilov Works", groups, 0))
	seats := withClass(es, "seat")
	if len(seats) != maxDots {
		t.Fatalf("%d circles, want %d", len(seats), maxDots)
	}
	byColour := map[string]int{}
	for _, s := range seats {
		byColour[s.Attrs["fill"]]++
	}
	if byColour["#b3261e"] != 300 || byColour["#1f4e8c"] != 200 || byColour[greyColour] != 100 {
		t.Errorf("circles by colour %v, want 300, 200, 100", byColour)
	}
	text := fmt.Sprint(es)
	for _, want := range []string{"Bolsheviks: 5001", "Mensheviks: 3333", "10000", "each circle stands for about 17"} {
		if !strings.Contains(text, want) {
			t.Errorf("the chart does not say %q", want)
		}
	}
}

func TestSharesCouncil(t *testing.T) {
	for _, tc := range []struct {
		weights []int
		n       int
		want    []int
	}{
		{[]int{1, 1, 1}, 2, []int{1, 1, 0}},
		{[]int{5001, 3333, 1666}, 600, []int{300, 200, 100}},
		{[]int{0, 0}, 5, []int{0, 0}},
		{[]int{7, 0, 3}, 10, []int{7, 0, 3}},
		{[]int{1, 2}, 0, []int{0, 0}},
	} {
		if got := shares(tc.weights, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("shares(%v, %d) = %v, want %v", tc.weights, tc.n, got, tc.want)
		}
	}
}

// TestCompositionChartManyStepsCouncil: thousands of changes are drawn as
// at most maxSteps columns, the first and last among them.
func TestCompositionChartManyStepsCouncil(t *testing.T) {
	var steps []compositionStep
	for i := range 5000 {
		steps = append(steps, compositionStep{Label: "change " + strconv.Itoa(i), Counts: []int{i % 7}, Vacant: 1})
	}
	es := parseSVG(t, compositionChart("busy", []chartGroup{{"Bolsheviks", "#b3261e", 0}}, steps))
	if n := len(withClass(es, "step")); n > 2*maxSteps {
		t.Errorf("%d rectangles for %d columns at most", n, maxSteps)
	}
	labels := map[string]bool{}
	for _, e := range es {
		if e.Name == "text" {
			labels[e.Text] = true
		}
	}
	if !labels["change 0"] || !labels["change 4999"] {
		t.Errorf("the first and last changes are not labelled: %v", labels)
	}
}

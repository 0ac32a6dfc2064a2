package tally

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadPrefLib reads a PrefLib file of ordinal preferences: kind is "soi"
// (strict orders, incomplete), "toi" (orders with ties, incomplete) or
// "soc" (strict complete orders), usually the file's extension; empty means
// the file's "# DATA TYPE" header. Both PrefLib layouts are read:
//
//	# NUMBER ALTERNATIVES: 3          (current: header comments,
//	# ALTERNATIVE NAME 1: Anna         then "count: order")
//	…
//	12: 1,3,2
//	5: 2,{1,3}                        (toi: braces for ties)
//
// and the older one (number of alternatives, "i,name" lines, a line
// "voters,sum,unique", then "count,order"). PrefLib files name no seats:
// the profile has one seat, and callers may ask for more.
//
// A malformed file gives a *SyntaxError naming the line.
func ReadPrefLib(r io.Reader, kind string) (*Profile, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading PrefLib: %w", err)
	}
	if len(data) > maxBallotFile {
		return nil, syntaxErr(0, "file larger than %d bytes", maxBallotFile)
	}
	switch kind {
	case "", "soi", "toi", "soc":
	default:
		return nil, invalidf("unknown PrefLib kind %q (soi, toi or soc)", kind)
	}
	lines := strings.Split(string(data), "\n")
	pr := &preflibParser{kind: kind, names: map[int]string{}, ncand: -1}
	for i, l := range lines {
		pr.line = i + 1
		l = strings.TrimSpace(strings.TrimPrefix(l, "\xef\xbb\xbf"))
		if l == "" {
			continue
		}
		if err := pr.parseLine(l); err != nil {
			return nil, err
		}
	}
	return pr.profile()
}

type preflibParser struct {
	kind     string
	line     int
	ncand    int
	names    map[int]string
	title    string
	old      bool // the older layout
	oldNames int  // old layout: names read so far
	oldCount bool // old layout: the "voters,sum,unique" line was read
	ballots  []Ballot
}

func (pr *preflibParser) parseLine(l string) error {
	if strings.HasPrefix(l, "#") {
		return pr.header(strings.TrimSpace(l[1:]))
	}
	if pr.ncand < 0 {
		// The older layout starts with the number of alternatives.
		n, err := strconv.Atoi(l)
		if err != nil {
			return syntaxErr(pr.line, "expected the header (# NUMBER ALTERNATIVES: n) before the orders; found %q", clipText(l))
		}
		if n < 1 || n > maxCandidates {
			return syntaxErr(pr.line, "number of alternatives %d out of range 1–%d", n, maxCandidates)
		}
		pr.ncand, pr.old = n, true
		return nil
	}
	if pr.old && pr.oldNames < pr.ncand {
		i := strings.IndexByte(l, ',')
		if i < 0 {
			return syntaxErr(pr.line, "expected \"number,name\" for alternative %d; found %q", pr.oldNames+1, clipText(l))
		}
		n, err := strconv.Atoi(strings.TrimSpace(l[:i]))
		if err != nil || n < 1 || n > pr.ncand {
			return syntaxErr(pr.line, "alternative number %q out of range 1–%d", clipText(l[:i]), pr.ncand)
		}
		pr.names[n] = strings.TrimSpace(l[i+1:])
		pr.oldNames++
		return nil
	}
	if pr.old && !pr.oldCount {
		pr.oldCount = true // voters,sum of counts,unique orders: recomputed from the orders
		return nil
	}
	return pr.order(l)
}

func (pr *preflibParser) header(h string) error {
	key, val, ok := strings.Cut(h, ":")
	if !ok {
		return nil // a free comment
	}
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	switch {
	case key == "NUMBER ALTERNATIVES":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > maxCandidates {
			return syntaxErr(pr.line, "NUMBER ALTERNATIVES %q is not a number in 1–%d", clipText(val), maxCandidates)
		}
		pr.ncand = n
	case key == "TITLE":
		pr.title = val
	case key == "DATA TYPE":
		if pr.kind == "" {
			switch val {
			case "soi", "toi", "soc":
				pr.kind = val
			default:
				return syntaxErr(pr.line, "data type %q is not ordinal preferences (soi, toi or soc)", clipText(val))
			}
		}
	case strings.HasPrefix(key, "ALTERNATIVE NAME "):
		n, err := strconv.Atoi(strings.TrimPrefix(key, "ALTERNATIVE NAME "))
		if err != nil || n < 1 {
			return syntaxErr(pr.line, "bad alternative number in %q", clipText(key))
		}
		if pr.ncand >= 0 && n > pr.ncand {
			return syntaxErr(pr.line, "alternative %d named, but there are %d", n, pr.ncand)
		}
		pr.names[n] = val
	}
	return nil
}

// order parses "count: a,b,{c,d}" (or "count,a,b" in the old layout).
func (pr *preflibParser) order(l string) error {
	if pr.ncand < 0 {
		return syntaxErr(pr.line, "an order before the number of alternatives")
	}
	var countStr, rest string
	if i := strings.IndexByte(l, ':'); i >= 0 && !pr.old {
		countStr, rest = l[:i], l[i+1:]
	} else if i := strings.IndexByte(l, ','); i >= 0 {
		countStr, rest = l[:i], l[i+1:]
	} else {
		return syntaxErr(pr.line, "expected \"count: order\"; found %q", clipText(l))
	}
	w, err := strconv.ParseInt(strings.TrimSpace(countStr), 10, 64)
	if err != nil || w < 1 || w > MaxBallots {
		return syntaxErr(pr.line, "count %q must be a whole number of at least 1", clipText(countStr))
	}
	var b Ballot
	b.Weight = w
	inGroup, groupStart := false, false
	strict := true
	for _, tok := range strings.Split(rest, ",") {
		tok = strings.TrimSpace(tok)
		open := strings.HasPrefix(tok, "{")
		if open {
			if inGroup {
				return syntaxErr(pr.line, "nested { in an order")
			}
			inGroup, groupStart = true, true
			tok = strings.TrimSpace(tok[1:])
		}
		closeG := strings.HasSuffix(tok, "}")
		if closeG {
			if !inGroup {
				return syntaxErr(pr.line, "} without {")
			}
			tok = strings.TrimSpace(tok[:len(tok)-1])
		}
		if tok == "" {
			if open && closeG { // {} : an empty group
				inGroup = false
				continue
			}
			return syntaxErr(pr.line, "empty place in the order %q", clipText(rest))
		}
		c, err := strconv.Atoi(tok)
		if err != nil || c < 1 || c > pr.ncand {
			return syntaxErr(pr.line, "alternative %q is not a number in 1–%d", clipText(tok), pr.ncand)
		}
		tied := inGroup && !groupStart
		if tied {
			strict = false
		}
		groupStart = false
		for _, prev := range b.Ranking {
			if prev == c-1 {
				return syntaxErr(pr.line, "alternative %d is ranked twice", c)
			}
		}
		b.Ranking = append(b.Ranking, c-1)
		b.Tied = append(b.Tied, tied)
		if closeG {
			inGroup = false
		}
	}
	if inGroup {
		return syntaxErr(pr.line, "{ without }")
	}
	if strict {
		b.Tied = nil
	} else if pr.kind == "soi" || pr.kind == "soc" {
		return syntaxErr(pr.line, "a .%s file has strict orders; this one ranks alternatives equally", pr.kind)
	}
	if pr.kind == "soc" && len(b.Ranking) != pr.ncand {
		return syntaxErr(pr.line, "a .soc file has complete orders; this one ranks %d of %d alternatives", len(b.Ranking), pr.ncand)
	}
	pr.ballots = append(pr.ballots, b)
	return nil
}

func (pr *preflibParser) profile() (*Profile, error) {
	if pr.ncand < 0 {
		return nil, syntaxErr(0, "no number of alternatives: not a PrefLib file")
	}
	if pr.old && pr.oldNames < pr.ncand {
		return nil, syntaxErr(0, "the file names %d of %d alternatives", pr.oldNames, pr.ncand)
	}
	names := make([]string, pr.ncand)
	for i := range names {
		n, ok := pr.names[i+1]
		if !ok || strings.TrimSpace(n) == "" {
			n = fmt.Sprintf("Alternative %d", i+1)
		}
		names[i] = n
	}
	p, err := NewProfile(pr.title, names, nil, 1, pr.ballots)
	if err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	return p, nil
}

package tally

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// maxBallotFile bounds what the readers accept, so that a hostile file
// cannot exhaust memory through the reader (2 GiB).
const maxBallotFile = 2 << 30

// maxCandidates bounds the candidate count a file may declare, for the
// same reason: no real election comes near it.
const maxCandidates = 1 << 16

// ReadBLT reads a ballot file in the BLT format of OpenSTV and Droop:
//
//	4 2              candidates and seats
//	-2               optional: withdrawn candidates, as negative numbers
//	3 1 3 4 0        weight, then candidates by preference, then 0
//	1 2=3 0          "=" ranks candidates equally
//	0                end of ballots
//	"Anna"           one quoted name per candidate
//	...
//	"Title"          the election's title
//
// It also reads Droop's option lines ([nick a b c] lets ballots use the
// nicknames; [withdrawn 2 3]; [tie …] and [droop …] are accepted and
// ignored) and the dialect of the scot-elex Scottish data: names with
// doubled quotes inside ("Ann ""Party"""), an unquoted title on the last
// line, with or without a final newline, and sometimes a name and its
// party as two quoted strings on the name's line. Blank lines are skipped, and so
// is anything after the title (some published files carry notes there).
//
// A malformed file gives a *SyntaxError naming the line.
func ReadBLT(r io.Reader) (*Profile, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading BLT: %w", err)
	}
	if len(data) > maxBallotFile {
		return nil, syntaxErr(0, "file larger than %d bytes", maxBallotFile)
	}
	p := &bltParser{data: data}
	return p.parse()
}

// readAll reads r whole, up to maxBallotFile+1 bytes, allocating once when
// the size is known beforehand and not at all for a *bytes.Buffer.
func readAll(r io.Reader) ([]byte, error) {
	if bb, ok := r.(*bytes.Buffer); ok {
		// The bytes are already in memory: read them in place (the parsers
		// copy what they keep) and consume them, as a read would.
		data := bb.Next(bb.Len())
		if len(data) > maxBallotFile {
			data = data[:maxBallotFile+1]
		}
		return data, nil
	}
	size := -1
	switch v := r.(type) {
	case interface{ Len() int }:
		size = v.Len()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(min(fi.Size(), maxBallotFile+1))
		}
	}
	if size < 0 || size > maxBallotFile {
		return io.ReadAll(io.LimitReader(r, maxBallotFile+1))
	}
	// One byte more than the size, to see the end of the file without a
	// bytes.Buffer doubling itself for a last empty read.
	buf := make([]byte, size+1)
	n, err := io.ReadFull(r, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return buf[:n], nil
	case nil: // longer than it said: read the rest the slow way
		rest, err := io.ReadAll(io.LimitReader(r, maxBallotFile+1-int64(n)))
		return append(buf, rest...), err
	}
	return nil, err
}

type bltParser struct {
	data []byte
	pos  int
	line int // number of the line last returned by next
}

// next returns the next non-blank line, trimmed, or ok false at the end.
func (p *bltParser) next() (string, bool) {
	l, ok := p.nextBytes()
	return string(l), ok
}

// nextBytes is next without the copy into a string.
func (p *bltParser) nextBytes() ([]byte, bool) {
	for p.pos < len(p.data) {
		end := bytes.IndexByte(p.data[p.pos:], '\n')
		var l []byte
		if end < 0 {
			l = p.data[p.pos:]
			p.pos = len(p.data)
		} else {
			l = p.data[p.pos : p.pos+end]
			p.pos += end + 1
		}
		p.line++
		if p.line == 1 {
			l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
		}
		l = bytes.TrimSpace(l)
		if len(l) > 0 {
			return l, true
		}
	}
	return nil, false
}

// fastLines consumes the ballot lines that hold only ASCII digits and
// spaces ("weight c1 c2 ... 0"), the common case, in one pass over the
// bytes and without allocating, and adds them to g. It stops, without
// consuming it, at the first line it cannot take (the line "0", an option,
// a tie, a mistake): the general parser handles, or explains, that one.
// seen is all false on entry and on return.
func (p *bltParser) fastLines(g *grouper, ncand int, seen []bool, ranks *[]int, total *int64) (int, error) {
	data := p.data
	n := 0
	for p.pos < len(data) {
		start := p.pos
		i := start
		out := (*ranks)[:0]
		var w int64
		tok := 0
		ended, bad := false, false
		for i < len(data) && data[i] != '\n' {
			c := data[i]
			if c == ' ' || c == '\t' || c == '\r' {
				i++
				continue
			}
			if c < '0' || c > '9' || ended {
				bad = true
				break
			}
			var v int64
			digits := 0
			for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
				v = v*10 + int64(data[i]-'0')
				digits++
			}
			if digits > 12 || (i < len(data) && data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n') {
				bad = true
				break
			}
			switch {
			case tok == 0:
				bad = v < 1 || v > MaxBallots
				w = v
			case v == 0:
				ended = true
			case v > int64(ncand) || seen[v-1]:
				bad = true
			default:
				seen[v-1] = true
				out = append(out, int(v-1))
			}
			if bad {
				break
			}
			tok++
		}
		for _, x := range out {
			seen[x] = false
		}
		*ranks = out
		if bad || (tok > 0 && !ended) {
			p.pos = start
			return n, nil
		}
		if i < len(data) {
			i++ // the newline
		}
		p.pos = i
		p.line++
		if tok == 0 {
			continue // a blank line
		}
		*total += w
		if *total > MaxBallots {
			return n, syntaxErr(p.line, "more than %d ballots", int64(MaxBallots))
		}
		g.add(&Ballot{Weight: w, Ranking: out})
		n++
	}
	return n, nil
}

func (p *bltParser) parse() (*Profile, error) {
	head, ok := p.next()
	if !ok {
		return nil, syntaxErr(0, "empty file: expected a first line with the numbers of candidates and seats")
	}
	f := strings.Fields(head)
	if len(f) != 2 {
		return nil, syntaxErr(p.line, "expected two numbers, candidates and seats; found %q", head)
	}
	ncand, err1 := strconv.Atoi(f[0])
	seats, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return nil, syntaxErr(p.line, "expected two whole numbers, candidates and seats; found %q", head)
	}
	if ncand < 1 || ncand > maxCandidates {
		return nil, syntaxErr(p.line, "number of candidates %d out of range 1–%d", ncand, maxCandidates)
	}
	if seats < 1 {
		return nil, syntaxErr(p.line, "number of seats %d; it must be at least 1", seats)
	}
	withdrawn := make([]bool, ncand)
	anyWithdrawn := false
	nicks := map[string]int{}

	// Ballots are grouped as they are read, so that a file of a million
	// ballots costs memory for its distinct rankings only.
	// Every ballot takes a line and every preference at least two bytes.
	g := newGrouper(bytes.Count(p.data[p.pos:], []byte{'\n'})+1, (len(p.data)-p.pos)/2)
	var total int64
	var ranks []int
	var ties []bool
	seen := make([]bool, ncand)
	nballots := 0
	ended := false
	for !ended {
		if len(nicks) == 0 {
			k, err := p.fastLines(g, ncand, seen, &ranks, &total)
			if err != nil {
				return nil, err
			}
			nballots += k
		}
		l, ok := p.next()
		if !ok {
			return nil, syntaxErr(p.line, "unexpected end of file: the ballots must end with a line 0")
		}
		switch {
		case strings.HasPrefix(l, "["):
			if err := p.option(l, ncand, nicks, withdrawn, &anyWithdrawn); err != nil {
				return nil, err
			}
			continue
		case strings.HasPrefix(l, "-") && nballots == 0:
			for _, t := range strings.Fields(l) {
				n, err := strconv.Atoi(t)
				if err != nil || n >= 0 {
					return nil, syntaxErr(p.line, "withdrawn candidates must be negative numbers; found %q", t)
				}
				if -n > ncand {
					return nil, syntaxErr(p.line, "withdrawn candidate %d does not exist (there are %d)", -n, ncand)
				}
				withdrawn[-n-1] = true
				anyWithdrawn = true
			}
			continue
		case l == "0":
			ended = true
			continue
		}
		ranks, ties = ranks[:0], ties[:0]
		b, err := p.ballot(l, ncand, nicks, &ranks, &ties)
		if err != nil {
			return nil, err
		}
		total += b.Weight
		if total > MaxBallots {
			return nil, syntaxErr(p.line, "more than %d ballots", int64(MaxBallots))
		}
		g.add(&b)
		nballots++
	}

	// Names and title: quoted strings (several may share a line) or, for the
	// title only, a bare line.
	var names []string
	title := ""
	haveTitle := false
	for {
		l, ok := p.next()
		if !ok {
			break
		}
		if haveTitle {
			// Published files sometimes carry notes after the title
			// (Droop's M135.blt does); like Droop, ignore them.
			break
		}
		if !strings.HasPrefix(l, `"`) {
			if len(names) < ncand {
				return nil, syntaxErr(p.line, "expected a quoted candidate name (%d of %d); found %q", len(names)+1, ncand, clipText(l))
			}
			title, haveTitle = l, true
			continue
		}
		strs, err := quotedStrings(l)
		if err != nil {
			return nil, syntaxErr(p.line, "%v", err)
		}
		// One name per line. The scot-elex files sometimes write a name and
		// its party as two quoted strings on one line ("Ann" "Party"):
		// that is one candidate, named Ann "Party" like the files that
		// double the quotes.
		s := strs[0]
		for _, more := range strs[1:] {
			s += ` "` + more + `"`
		}
		if len(names) < ncand {
			names = append(names, s)
		} else {
			title, haveTitle = s, true
		}
	}
	if len(names) < ncand {
		return nil, syntaxErr(p.line, "the file names %d candidates; the first line says %d", len(names), ncand)
	}
	if !anyWithdrawn {
		withdrawn = nil
	}
	prof := &Profile{Title: title, Candidates: names, Withdrawn: withdrawn, Seats: seats, Ballots: g.ballots()}
	if err := prof.validateHeader(); err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	return prof, nil
}

// option handles a Droop option line such as [nick a b c].
func (p *bltParser) option(l string, ncand int, nicks map[string]int, withdrawn []bool, any *bool) error {
	if !strings.HasSuffix(l, "]") {
		return syntaxErr(p.line, "option line without a closing ]: %q", clipText(l))
	}
	f := strings.Fields(l[1 : len(l)-1])
	if len(f) == 0 {
		return syntaxErr(p.line, "empty option line")
	}
	switch f[0] {
	case "nick":
		if len(f)-1 != ncand {
			return syntaxErr(p.line, "[nick] gives %d nicknames for %d candidates", len(f)-1, ncand)
		}
		for i, n := range f[1:] {
			if _, dup := nicks[n]; dup {
				return syntaxErr(p.line, "nickname %q given twice", n)
			}
			nicks[n] = i
		}
	case "withdrawn":
		for _, t := range f[1:] {
			c, err := candidateToken(t, ncand, nicks)
			if err != nil {
				return syntaxErr(p.line, "[withdrawn]: %v", err)
			}
			withdrawn[c] = true
			*any = true
		}
	case "tie", "droop":
		// Droop's tie order and its arithmetic options do not apply here:
		// ties follow the method's rule and then the published seed.
	default:
		return syntaxErr(p.line, "unknown option [%s]", f[0])
	}
	return nil
}

func candidateToken(t string, ncand int, nicks map[string]int) (int, error) {
	if c, ok := nicks[t]; ok {
		return c, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a candidate number", clipText(t))
	}
	if n < 1 || n > ncand {
		return 0, fmt.Errorf("candidate %d does not exist (there are %d)", n, ncand)
	}
	return n - 1, nil
}

// ballot parses "weight c1 c2=c3 ... 0".
func (p *bltParser) ballot(l string, ncand int, nicks map[string]int, ranks *[]int, ties *[]bool) (Ballot, error) {
	f := strings.Fields(l)
	if strings.HasPrefix(f[0], "(") { // Droop's optional ballot id
		f = f[1:]
		if len(f) == 0 {
			return Ballot{}, syntaxErr(p.line, "ballot id without a ballot")
		}
	}
	w, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || w < 1 {
		return Ballot{}, syntaxErr(p.line, "ballot weight must be a whole number of at least 1; found %q", clipText(f[0]))
	}
	if w > MaxBallots {
		return Ballot{}, syntaxErr(p.line, "ballot weight %d is more than %d", w, int64(MaxBallots))
	}
	if f[len(f)-1] != "0" {
		return Ballot{}, syntaxErr(p.line, "a ballot must end with 0")
	}
	f = f[1 : len(f)-1]
	start := len(*ranks)
	tstart := len(*ties)
	strict := true
	for _, t := range f {
		for j, part := range strings.Split(t, "=") {
			if part == "-" { // Droop's skipped preference: nothing ranked there
				continue
			}
			c, err := candidateToken(part, ncand, nicks)
			if err != nil {
				return Ballot{}, syntaxErr(p.line, "%v", err)
			}
			for _, prev := range (*ranks)[start:] {
				if prev == c {
					return Ballot{}, syntaxErr(p.line, "candidate %d is ranked twice", c+1)
				}
			}
			*ranks = append(*ranks, c)
			*ties = append(*ties, j > 0)
			if j > 0 {
				strict = false
			}
		}
	}
	b := Ballot{Weight: w, Ranking: (*ranks)[start:len(*ranks):len(*ranks)]}
	if !strict {
		b.Tied = (*ties)[tstart:len(*ties):len(*ties)]
	}
	return b, nil
}

// quotedStrings splits a line of one or more quoted strings; a doubled
// quote inside a string stands for one quote.
func quotedStrings(l string) ([]string, error) {
	var out []string
	i := 0
	for i < len(l) {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		if i == len(l) {
			break
		}
		if l[i] != '"' {
			return nil, fmt.Errorf("expected a quoted name; found %q", clipText(l[i:]))
		}
		i++
		var sb strings.Builder
		closed := false
		for i < len(l) {
			if l[i] == '"' {
				if i+1 < len(l) && l[i+1] == '"' {
					sb.WriteByte('"')
					i += 2
					continue
				}
				i++
				closed = true
				break
			}
			sb.WriteByte(l[i])
			i++
		}
		if !closed {
			return nil, fmt.Errorf("unterminated quoted name %q", clipText(l))
		}
		out = append(out, sb.String())
	}
	return out, nil
}

// clip shortens text quoted in an error message.
func clipText(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// WriteBLT writes p in the BLT format: withdrawn candidates on the second
// line, one ballot per line with "=" between equally ranked candidates,
// names and title quoted with inner quotes doubled. ReadBLT reads it back
// to an equal profile.
func WriteBLT(w io.Writer, p *Profile) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%d %d\n", len(p.Candidates), p.Seats)
	first := true
	for c := range p.Candidates {
		if p.isWithdrawn(c) {
			if !first {
				bw.WriteByte(' ')
			}
			fmt.Fprintf(bw, "-%d", c+1)
			first = false
		}
	}
	if !first {
		bw.WriteByte('\n')
	}
	var buf []byte
	for i := range p.Ballots {
		b := &p.Ballots[i]
		buf = strconv.AppendInt(buf[:0], b.Weight, 10)
		for j, c := range b.Ranking {
			if b.Tied != nil && b.Tied[j] {
				buf = append(buf, '=')
			} else {
				buf = append(buf, ' ')
			}
			buf = strconv.AppendInt(buf, int64(c+1), 10)
		}
		buf = append(buf, " 0\n"...)
		bw.Write(buf)
	}
	bw.WriteString("0\n")
	for _, n := range p.Candidates {
		bw.WriteString(quoteBLT(n))
		bw.WriteByte('\n')
	}
	bw.WriteString(quoteBLT(p.Title))
	bw.WriteByte('\n')
	return bw.Flush()
}

func quoteBLT(s string) string {
	// A line break cannot be written in BLT (ReadBLT never returns one); a
	// space keeps the name readable.
	s = strings.ReplaceAll(s, "\n", " ")
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

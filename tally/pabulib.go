package tally

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PabulibFile is a participatory budget read from a pabulib .pb file
// (https://pabulib.org/format): the META section as keys and values, the
// PROJECTS section's columns, and the budget ready to count.
type PabulibFile struct {
	Meta     map[string]string
	MetaKeys []string // in file order
	// ProjectColumns names the PROJECTS columns; ProjectRows holds each
	// project's fields, in the order of Budget.Projects.
	ProjectColumns []string
	ProjectRows    [][]string
	Budget         *Budget
}

// ProjectField returns project i's value in the named PROJECTS column.
func (f *PabulibFile) ProjectField(i int, column string) (string, bool) {
	for j, c := range f.ProjectColumns {
		if c == column && i >= 0 && i < len(f.ProjectRows) {
			return f.ProjectRows[i][j], true
		}
	}
	return "", false
}

// maxPabulibLine bounds a line of a .pb file, so that a file with no line
// breaks cannot make the reader hold it all in one buffer.
const maxPabulibLine = 16 << 20

// ReadPabulib reads a pabulib .pb file.
//
// The file has three sections, each a title line (META, PROJECTS, VOTES)
// and a header line of column names, with ';'-separated fields; a field may
// be quoted with '"' (a doubled "" inside is a quote), and spaces around
// fields are dropped. Blank lines are skipped, and CRLF line ends and a
// leading byte-order mark are accepted. A quoted field may not span lines.
//
// META must give the budget. Its vote_type must be approval (the default
// when absent) or choose-1; other ballots (ordinal, cumulative, scoring) are
// rejected with a clear error: soviet counts approval ballots. PROJECTS must
// have the columns project_id and cost, VOTES voter_id and vote (approved
// project ids separated by ','). Costs and the budget are exact decimals
// ("1000000", "2500.50", or "2500,50"); they are counted in minor units of
// the largest number of decimal places the file uses. If META gives
// num_projects or num_votes, they must match the sections.
//
// Errors name the line and what is wrong (an *InputError).
func ReadPabulib(r io.Reader) (*PabulibFile, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	p := pbParser{f: &PabulibFile{Meta: map[string]string{}}}
	for line := 1; ; line++ {
		raw, err := readPBLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, errLineTooLong) {
				return nil, lineErrorf(line, "line longer than %d bytes", maxPabulibLine)
			}
			return nil, err
		}
		if raw == nil && errors.Is(err, io.EOF) {
			break
		}
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if perr := p.line(line, raw); perr != nil {
			return nil, perr
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return p.finish()
}

var errLineTooLong = errors.New("line too long")

// readPBLine returns the next line without its line end; nil and io.EOF at
// the end of the input.
func readPBLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxPabulibLine {
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(buf) == 0 {
				return nil, err
			}
			return trimEOL(buf), err
		}
		return trimEOL(buf), nil
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// pbParser reads a .pb file line by line.
type pbParser struct {
	f          *PabulibFile
	section    string // "meta", "projects", "votes", or "" before the first
	seen       map[string]int
	header     []string
	needHeader bool
	headerLine int

	// PROJECTS
	idCol, costCol, nameCol int
	ids                     map[string]int
	costs                   []pbDecimal
	costLines               []int
	// VOTES
	voterCol, voteCol int
	voters            map[string]int
	ballots           []BudgetBallot
	voteType          string
}

func (p *pbParser) line(n int, raw []byte) error {
	if !utf8.Valid(raw) {
		return lineErrorf(n, "not valid UTF-8")
	}
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return nil
	}
	fields, err := splitPBFields(s)
	if err != nil {
		return lineErrorf(n, "%v", err)
	}
	if len(fields) == 1 {
		switch title := strings.ToLower(fields[0]); title {
		case "meta", "projects", "votes":
			return p.startSection(n, title)
		}
	}
	if p.section == "" {
		return lineErrorf(n, "expected the section title META, found %q", clipForError(s))
	}
	if p.needHeader {
		return p.readHeader(n, fields)
	}
	switch p.section {
	case "meta":
		return p.metaRow(n, fields)
	case "projects":
		return p.projectRow(n, fields)
	default:
		return p.voteRow(n, fields)
	}
}

var pbOrder = map[string]int{"meta": 0, "projects": 1, "votes": 2}

func (p *pbParser) startSection(n int, title string) error {
	if p.seen == nil {
		p.seen = map[string]int{}
	}
	if at, dup := p.seen[title]; dup {
		return lineErrorf(n, "second %s section (the first is at line %d)", strings.ToUpper(title), at)
	}
	if p.needHeader {
		return lineErrorf(n, "%s section has no header line", strings.ToUpper(p.section))
	}
	want := len(p.seen)
	if pbOrder[title] != want {
		return lineErrorf(n, "%s section out of order: sections go META, PROJECTS, VOTES", strings.ToUpper(title))
	}
	if title == "projects" {
		if err := p.checkMeta(n); err != nil {
			return err
		}
	}
	p.seen[title] = n
	p.section = title
	p.needHeader = true
	return nil
}

func (p *pbParser) readHeader(n int, fields []string) error {
	p.needHeader = false
	p.headerLine = n
	p.header = fields
	col := func(name string) int {
		for i, f := range fields {
			if strings.EqualFold(f, name) {
				return i
			}
		}
		return -1
	}
	for i, f := range fields {
		if f == "" {
			return lineErrorf(n, "column %d of the header has no name", i+1)
		}
		for j := range i {
			if strings.EqualFold(fields[j], f) {
				return lineErrorf(n, "column %q appears twice in the header", f)
			}
		}
	}
	switch p.section {
	case "meta":
		if len(fields) != 2 || col("key") != 0 || col("value") != 1 {
			return lineErrorf(n, "META header must be key;value")
		}
	case "projects":
		p.idCol, p.costCol, p.nameCol = col("project_id"), col("cost"), col("name")
		if p.idCol < 0 || p.costCol < 0 {
			return lineErrorf(n, "PROJECTS header must have the columns project_id and cost")
		}
		p.f.ProjectColumns = fields
		p.ids = map[string]int{}
	case "votes":
		p.voterCol, p.voteCol = col("voter_id"), col("vote")
		if p.voterCol < 0 || p.voteCol < 0 {
			return lineErrorf(n, "VOTES header must have the columns voter_id and vote")
		}
		p.voters = map[string]int{}
	}
	return nil
}

func (p *pbParser) metaRow(n int, fields []string) error {
	if len(fields) != 2 {
		return lineErrorf(n, "META row has %d fields, want 2 (key;value)", len(fields))
	}
	key, value := fields[0], fields[1]
	if key == "" {
		return lineErrorf(n, "META row has an empty key")
	}
	if _, dup := p.f.Meta[key]; dup {
		return lineErrorf(n, "META key %q appears twice", key)
	}
	p.f.Meta[key] = value
	p.f.MetaKeys = append(p.f.MetaKeys, key)
	return nil
}

// checkMeta checks what the count needs from META, at the PROJECTS title.
func (p *pbParser) checkMeta(n int) error {
	vt := strings.ToLower(p.f.Meta["vote_type"])
	switch vt {
	case "", "approval", "choose-1":
		p.voteType = vt
	default:
		return lineErrorf(n, "META vote_type %q is not supported: soviet counts approval ballots (approval, choose-1)", p.f.Meta["vote_type"])
	}
	if _, ok := p.f.Meta["budget"]; !ok {
		return lineErrorf(n, "META has no budget")
	}
	if _, err := parsePBDecimal(p.f.Meta["budget"]); err != nil {
		return lineErrorf(p.metaLine("budget"), "META budget: %v", err)
	}
	return nil
}

// metaLine returns the line of a META key: the META title line plus its
// position (blank lines aside, close enough to find it).
func (p *pbParser) metaLine(key string) int {
	for i, k := range p.f.MetaKeys {
		if k == key {
			return p.seen["meta"] + 2 + i
		}
	}
	return p.seen["meta"]
}

func (p *pbParser) projectRow(n int, fields []string) error {
	if len(fields) != len(p.header) {
		return lineErrorf(n, "project row has %d fields, the header has %d", len(fields), len(p.header))
	}
	id := fields[p.idCol]
	if id == "" {
		return lineErrorf(n, "project has an empty project_id")
	}
	if strings.Contains(id, ",") {
		return lineErrorf(n, "project_id %q contains a comma, which separates ids in votes", clipForError(id))
	}
	if at, dup := p.ids[id]; dup {
		return lineErrorf(n, "project_id %q appears twice (first at line %d)", clipForError(id), p.costLines[at])
	}
	cost, err := parsePBDecimal(fields[p.costCol])
	if err != nil {
		return lineErrorf(n, "cost of project %q: %v", clipForError(id), err)
	}
	p.ids[id] = len(p.costs)
	p.costs = append(p.costs, cost)
	p.costLines = append(p.costLines, n)
	p.f.ProjectRows = append(p.f.ProjectRows, fields)
	return nil
}

func (p *pbParser) voteRow(n int, fields []string) error {
	if len(fields) != len(p.header) {
		return lineErrorf(n, "vote row has %d fields, the header has %d", len(fields), len(p.header))
	}
	voter := fields[p.voterCol]
	if voter == "" {
		return lineErrorf(n, "vote has an empty voter_id")
	}
	if at, dup := p.voters[voter]; dup {
		return lineErrorf(n, "voter_id %q appears twice (first at line %d)", clipForError(voter), at)
	}
	p.voters[voter] = n
	var approved []int
	if v := fields[p.voteCol]; v != "" {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			c, ok := p.ids[id]
			if !ok {
				return lineErrorf(n, "voter %q approves project %q, which is not in PROJECTS", clipForError(voter), clipForError(id))
			}
			for _, d := range approved {
				if d == c {
					return lineErrorf(n, "voter %q approves project %q twice", clipForError(voter), clipForError(id))
				}
			}
			approved = append(approved, c)
		}
	}
	if p.voteType == "choose-1" && len(approved) > 1 {
		return lineErrorf(n, "voter %q chose %d projects in a choose-1 vote", clipForError(voter), len(approved))
	}
	p.ballots = append(p.ballots, BudgetBallot{Voter: voter, Approved: approved})
	return nil
}

func (p *pbParser) finish() (*PabulibFile, error) {
	for _, s := range []string{"meta", "projects", "votes"} {
		if _, ok := p.seen[s]; !ok {
			return nil, badInputf("the file has no %s section", strings.ToUpper(s))
		}
	}
	if p.needHeader {
		return nil, badInputf("%s section has no header line", strings.ToUpper(p.section))
	}
	for _, check := range []struct {
		key  string
		have int
	}{{"num_projects", len(p.costs)}, {"num_votes", len(p.ballots)}} {
		key, have := check.key, check.have
		v, ok := p.f.Meta[key]
		if !ok {
			continue
		}
		want, err := strconv.Atoi(v)
		if err != nil || want < 0 {
			return nil, lineErrorf(p.metaLine(key), "META %s %q is not a count", key, clipForError(v))
		}
		if want != have {
			return nil, lineErrorf(p.metaLine(key), "META %s is %d, but the file has %d", key, want, have)
		}
	}
	budget, _ := parsePBDecimal(p.f.Meta["budget"]) // checked at PROJECTS
	decimals := budget.places
	for _, c := range p.costs {
		decimals = max(decimals, c.places)
	}
	b := &Budget{Decimals: decimals, Ballots: p.ballots}
	var ok bool
	if b.Limit, ok = budget.scaled(decimals); !ok {
		return nil, lineErrorf(p.metaLine("budget"), "META budget %s is too large", budget.text)
	}
	for i, row := range p.f.ProjectRows {
		cost, ok := p.costs[i].scaled(decimals)
		if !ok {
			return nil, lineErrorf(p.costLines[i], "cost %s is too large", p.costs[i].text)
		}
		name := ""
		if p.nameCol >= 0 {
			name = row[p.nameCol]
		}
		b.Projects = append(b.Projects, BudgetProject{ID: row[p.idCol], Name: name, Cost: cost})
	}
	p.f.Budget = b
	return p.f, nil
}

// splitPBFields splits a line at ';', honouring quotes, and trims spaces
// around each field.
func splitPBFields(s string) ([]string, error) {
	var fields []string
	for {
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return nil, errors.New("quoted field has no closing quote")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if strings.HasPrefix(s[i:], `"`) {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			fields = append(fields, b.String())
			rest := strings.TrimLeft(s[i:], " \t")
			if rest == "" {
				return fields, nil
			}
			if rest[0] != ';' {
				return nil, errors.New("text after a closing quote")
			}
			s = rest[1:]
			continue
		}
		j := strings.IndexByte(s, ';')
		if j < 0 {
			return append(fields, strings.TrimSpace(s)), nil
		}
		if strings.Contains(s[:j], `"`) {
			return nil, errors.New(`a quote inside an unquoted field`)
		}
		fields = append(fields, strings.TrimSpace(s[:j]))
		s = s[j+1:]
	}
}

// pbDecimal is a non-negative decimal read exactly: digits / 10^places.
type pbDecimal struct {
	text   string
	digits string // without the point, no sign
	places int
}

// parsePBDecimal reads "1000000", "2500.50" or "2500,50".
func parsePBDecimal(s string) (pbDecimal, error) {
	d := pbDecimal{text: clipForError(s)}
	if s == "" {
		return d, errors.New("empty, want a number")
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if !hasPoint {
		intPart, frac, hasPoint = strings.Cut(s, ",")
	}
	if intPart == "" || (hasPoint && frac == "") {
		return d, errors.New("not a decimal number: " + strconv.Quote(clipForError(s)))
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			if r == '-' {
				return d, errors.New("negative: " + strconv.Quote(clipForError(s)))
			}
			return d, errors.New("not a decimal number: " + strconv.Quote(clipForError(s)))
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 18 {
		return d, errors.New("more than 18 decimal places: " + strconv.Quote(clipForError(s)))
	}
	d.digits = strings.TrimLeft(intPart+frac, "0")
	d.places = len(frac)
	return d, nil
}

// scaled returns the decimal in units of 10^-places, or false on overflow.
func (d pbDecimal) scaled(places int) (int64, bool) {
	digits := d.digits + strings.Repeat("0", places-d.places)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, true
	}
	if len(digits) > 19 {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// clip shortens a value quoted in an error message.
func clipForError(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

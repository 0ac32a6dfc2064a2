package tally

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadParties reads the rows name,count of a CSV file for Apportion.
//
// The first line is a header, and skipped, if its count field does not
// begin with a digit or a sign ("name,members"). Fields may be quoted as in
// RFC 4180; spaces around them are dropped; blank lines and lines starting
// with '#' are skipped. A row must have exactly two fields, a name that no
// other row has, and a whole count of 0 or more that fits in 64 bits.
// Errors name the line (an *InputError).
func ReadParties(r io.Reader) ([]Party, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	cr.ReuseRecord = true
	var parties []Party
	lines := map[string]int{}
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, lineErrorf(pe.StartLine, "%v", pe.Err)
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		isFirst := first
		first = false
		if len(rec) != 2 {
			return nil, lineErrorf(line, "%d fields, want 2 (name,count)", len(rec))
		}
		name, count := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if isFirst && (count == "" || !strings.ContainsRune("0123456789+-", rune(count[0]))) {
			continue // a header
		}
		if !utf8.ValidString(name) {
			return nil, lineErrorf(line, "the name is not valid UTF-8")
		}
		if name == "" {
			return nil, lineErrorf(line, "the name is empty")
		}
		if at, dup := lines[name]; dup {
			return nil, lineErrorf(line, "%q appears twice (first at line %d)", clipForError(name), at)
		}
		lines[name] = line
		n, err := strconv.ParseInt(count, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return nil, lineErrorf(line, "count %s of %q is too large", clipForError(count), clipForError(name))
		case err != nil:
			return nil, lineErrorf(line, "count %q of %q is not a whole number", clipForError(count), clipForError(name))
		case n < 0:
			return nil, lineErrorf(line, "count %d of %q is negative", n, clipForError(name))
		}
		parties = append(parties, Party{Name: name, Count: n})
	}
	if len(parties) == 0 {
		return nil, badInputf("no rows name,count")
	}
	return parties, nil
}

package store

import (
	"strconv"
	"strings"
	"sync"
)

// Queries are written once with ? placeholders; rebind turns them into
// PostgreSQL's $1, $2… The result is cached per query text.
var rebound sync.Map // string → string

func rebind(e Engine, q string) string {
	if e != Postgres {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	inString := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	r := b.String()
	rebound.Store(q, r)
	return r
}

// boolInt stores a boolean as 0 or 1, alike on both engines.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

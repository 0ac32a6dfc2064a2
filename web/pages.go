package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"soviet"
)

//go:embed templates
var templateFiles embed.FS

// pages holds every page's template, parsed once at start.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"markdown": renderMarkdown,
	"static":   staticURL,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	},
	"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"percent": func(part, whole int64) string {
		if whole == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
	},
	"hasRole": func(roles soviet.Role, name string) bool {
		for _, n := range roleNames(roles) {
			if n == name {
				return true
			}
		}
		return false
	},
	"allowed": func(roles soviet.Role, action string) bool { return soviet.Allowed(soviet.Action(action), roles) },
	"short": func(b []byte) string {
		s := fmt.Sprintf("%x", b)
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
	"hex":  func(b []byte) string { return fmt.Sprintf("%x", b) },
	"add3": func(a, b, c int64) int64 { return a + b + c },
	"bars": bars,
}

// segment is one coloured part of a tally bar, in percent of the voters.
type segment struct {
	Class string
	X, W  string
}

// bars lays out yes, no and abstain as consecutive segments of a bar whose
// full width is the electorate (drawn in SVG: the page's CSP allows no
// inline styles).
func bars(yes, no, abstain, eligible int64) []segment {
	if eligible <= 0 {
		return nil
	}
	var out []segment
	x := 0.0
	for _, p := range []struct {
		class string
		n     int64
	}{{"yes", yes}, {"no", no}, {"abstain", abstain}} {
		w := 100 * float64(p.n) / float64(eligible)
		out = append(out, segment{Class: p.class, X: fmt.Sprintf("%.2f", x), W: fmt.Sprintf("%.2f", w)})
		x += w
	}
	return out
}

// parsePages parses the layout with each page template; a template error
// stops the server from starting.
func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "common" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/common.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// base is what every page shows: the signed-in account, a message from the
// previous action, and the version.
type base struct {
	Title   string
	Actor   soviet.Account
	Flash   string
	Version string
	Path    string
}

// pageData is implemented by every page struct through its embedded base.
type pageData interface{ setBase(b base) }

func (b *base) setBase(v base) {
	title := b.Title
	*b = v
	if title != "" {
		b.Title = title
	}
}

type errorPage struct {
	base
	Status     int
	StatusText string
	Message    string
}

const flashCookie = "soviet_flash"

// flash leaves a message for the next page the browser shows.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
}

// takeFlash reads and clears the message.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if pd, ok := data.(pageData); ok {
		pd.setBase(base{Actor: actorOf(r), Flash: s.takeFlash(w, r), Version: s.version, Path: r.URL.Path})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fragment renders one named template of a page (for live updates).
func (s *Server) fragment(page, name string, data any) (string, error) {
	t, ok := s.pages.byName[page]
	if !ok {
		return "", fmt.Errorf("no template %s", page)
	}
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, name, data)
	return buf.String(), err
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// redirect answers a form post with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// safeNext keeps a ?next= target on this site: a path from the root with
// no control character or backslash. (Browsers drop tabs and newlines from
// a Location and read \ as /, so "/\t/evil.example" would leave the site.)
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

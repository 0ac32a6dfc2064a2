package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sync"
)

//go:embed static
var staticFiles embed.FS

// staticHashes maps each static file to a short hash of its content, used
// in URLs so that browsers may cache the files forever.
var staticHashes = sync.OnceValue(func() map[string]string {
	hs := map[string]string{}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		hs[path.Base(p)] = hex.EncodeToString(sum[:6])
		return nil
	})
	return hs
})

// staticURL returns the URL of a static file with its content hash.
func staticURL(name string) string {
	return "/static/" + name + "?v=" + staticHashes()[name]
}

func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	hash, ok := staticHashes()[name]
	if !ok || path.Base(name) != name {
		return errNoRoute
	}
	b, err := staticFiles.ReadFile("static/" + name)
	if err != nil {
		return errNoRoute
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if r.URL.Query().Get("v") == hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("ETag", `"`+hash+`"`)
	if r.Header.Get("If-None-Match") == `"`+hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Write(b)
	return nil
}

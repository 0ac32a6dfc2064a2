// Package web is soviet's HTTP interface: server-rendered HTML pages that
// work without JavaScript (htmx and Server-Sent Events make them live) and
// the JSON API under /api/v1, side by side over the same domain calls.
// routes.go lists every route; errors.go is the one place that turns an
// error into a status, a page or a JSON body.
package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"soviet"
	"soviet/store"
)

// Config is what a Server needs.
type Config struct {
	Service *soviet.Service
	Store   *store.DB
	Logger  *slog.Logger
	// Version is shown in the footer and /healthz.
	Version string
	// Password sets the cost of password hashing; the zero value is the
	// production setting.
	Password PasswordParams
	// SecureCookies marks cookies Secure (set behind HTTPS).
	SecureCookies bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server serves the pages and the API.
type Server struct {
	svc     *soviet.Service
	db      *store.DB
	log     *slog.Logger
	version string
	pw      PasswordParams
	// dummyHash is checked when a handle does not exist.
	dummyHash string
	secure    bool
	now       func() time.Time

	handler  http.Handler
	routes   []route
	paths    *pathIndex // the methods of each path, for 405s
	pages    *pages
	limiter  *limiter
	auth     *authCache
	metrics  *metrics
	live     *broker
	stopLive func()
}

// New builds a Server: it parses every template and registers every route,
// so a broken template fails here, not on a request.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil || cfg.Store == nil {
		return nil, fmt.Errorf("web: Service and Store are required")
	}
	s := &Server{
		svc:     cfg.Service,
		db:      cfg.Store,
		log:     cfg.Logger,
		version: cfg.Version,
		pw:      cfg.Password.OrDefault(),
		secure:  cfg.SecureCookies,
		now:     cfg.Now,
		limiter: newLimiter(),
		auth:    &authCache{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.dummyHash, err = s.hashPassword(rand.Text()); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s.db)
	s.live = newBroker()
	s.stopLive = s.db.OnCommit(s.live.publish)
	mux := http.NewServeMux()
	s.registerRoutes(mux)
	s.paths = newPathIndex(s.routes)
	s.handler = s.middleware(mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops the live updates.
func (s *Server) Close() {
	s.stopLive()
	s.live.close()
}

// Run closes due votes every interval until ctx is done.
func (s *Server) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.svc.CloseDueVotes(ctx); err != nil {
				s.log.Error("close due votes", "err", err)
			} else if n > 0 {
				s.log.Info("votes closed at their deadline", "count", n)
			}
			if n, err := s.svc.AdvanceElections(ctx); err != nil {
				s.log.Error("advance elections", "err", err)
			} else if n > 0 {
				s.log.Info("elections advanced at their deadline", "count", n)
			}
			if err := s.db.PruneSessions(ctx); err != nil {
				s.log.Error("prune sessions", "err", err)
			}
			s.limiter.prune(s.now())
		}
	}
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"soviet/store"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (no global state).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	votes    prometheus.Counter
	handler  http.Handler
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "soviet_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "soviet_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	m.votes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "soviet_votes_cast_total", Help: "Votes cast (and changed) through this server.",
	})
	logSize := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "soviet_log_events", Help: "Events in the log (the size of its Merkle tree).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		h, err := db.Head(ctx)
		if err != nil {
			return -1
		}
		return float64(h.Size)
	})
	m.reg.MustRegister(m.requests, m.latency, m.votes, logSize,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush (for Server-Sent
// Events).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts a route's requests and times them.
func (s *Server) instrument(rt route, h http.HandlerFunc) http.Handler {
	label := rt.Method + " " + rt.Path
	latency := s.metrics.latency.WithLabelValues(label)
	// Every route's success count exists from the start, at 0: a fresh
	// server exposes soviet_http_requests_total, and rates over a restart
	// see the first request.
	s.metrics.requests.WithLabelValues(label, strconv.Itoa(rt.success()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		h(sw, r)
		if !rt.Stream {
			latency.Observe(time.Since(start).Seconds())
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(label, strconv.Itoa(status)).Inc()
	})
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
	return nil
}

// Package bench holds soviet's load tools: they drive a real server over
// real HTTP and real storage and report rates and latencies.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"soviet"
	"soviet/store"
	"soviet/web"
)

// VotesConfig configures a vote-ingestion run.
type VotesConfig struct {
	DSN      string        // the database; "" means a new SQLite file in a temporary folder
	Voters   int           // concurrent voters, each with its own connection
	Motions  int           // open motions the voters vote on
	Duration time.Duration // how long each phase runs
	Warmup   time.Duration
	Logger   *slog.Logger
}

// Result is one measured phase.
type Result struct {
	Name     string
	Requests int64
	Errors   int64
	Elapsed  time.Duration
	P50, P99 time.Duration
	Max      time.Duration
}

// Rate returns requests per second.
func (r Result) Rate() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%-28s %9.0f req/s  p50 %7s  p99 %7s  max %7s  (%d requests, %d errors)",
		r.Name, r.Rate(), r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(100*time.Microsecond), r.Requests, r.Errors)
}

// Votes measures durable roll-call vote ingestion through the HTTP API
// against a trivial handler on the same machine (the ceiling): the
// server, its store and the load generator run in one process, over
// loopback TCP.
func Votes(ctx context.Context, cfg VotesConfig) (ceiling, votes Result, err error) {
	if cfg.Voters <= 0 {
		cfg.Voters = 256
	}
	if cfg.Motions <= 0 {
		cfg.Motions = 50
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dsn := cfg.DSN
	if dsn == "" {
		dir, err := os.MkdirTemp("", "soviet-bench-")
		if err != nil {
			return ceiling, votes, err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{Logger: cfg.Logger})
	if err != nil {
		return ceiling, votes, err
	}
	defer db.Close()
	svc := soviet.NewService(db)
	tokens, motions, err := seed(ctx, svc, db, cfg.Voters, cfg.Motions)
	if err != nil {
		return ceiling, votes, fmt.Errorf("seed: %w", err)
	}
	srv, err := web.New(web.Config{Service: svc, Store: db, Logger: cfg.Logger})
	if err != nil {
		return ceiling, votes, err
	}
	defer srv.Close()

	// The ceiling: a handler that does nothing, behind the same kind of
	// listener and client.
	trivial := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	ceilURL, stopCeil, err := listen(trivial)
	if err != nil {
		return ceiling, votes, err
	}
	defer stopCeil()
	apiURL, stopAPI, err := listen(srv)
	if err != nil {
		return ceiling, votes, err
	}
	defer stopAPI()

	ceiling = load(ctx, "trivial handler (ceiling)", cfg, func(voter, i int) (*http.Request, int) {
		req, _ := http.NewRequest(http.MethodPut, ceilURL+"/vote", bytes.NewReader([]byte(`{"choice":"yes"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[voter])
		return req, http.StatusNoContent
	})
	// Each voter walks through the motions; on each pass the choice
	// alternates, so every request is a valid vote or change of vote.
	votes = load(ctx, "durable votes via /api/v1", cfg, func(voter, i int) (*http.Request, int) {
		m := motions[(voter+i)%len(motions)]
		choice := "yes"
		if (i/len(motions))%2 == 1 {
			choice = "no"
		}
		req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/api/v1/motions/%d/vote", apiURL, m),
			bytes.NewReader([]byte(`{"choice":"`+choice+`"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[voter])
		return req, http.StatusNoContent
	})
	return ceiling, votes, nil
}

// seed makes a federation with one council of n members, each with an API
// token, and m motions with open votes.
func seed(ctx context.Context, svc *soviet.Service, db *store.DB, n, m int) ([]string, []int64, error) {
	founder, err := svc.Found(ctx, soviet.AccountInput{Handle: "founder", Name: "Founder", PasswordHash: "unused"})
	if err != nil {
		return nil, nil, err
	}
	fed, err := svc.CreateFederation(ctx, founder.ID, "Bench")
	if err != nil {
		return nil, nil, err
	}
	c, err := svc.CreateCouncil(ctx, founder.ID, soviet.CouncilInput{Federation: fed.ID, Name: "Works", Kind: soviet.Base, Join: true})
	if err != nil {
		return nil, nil, err
	}
	tokens := make([]string, n)
	for i := range n {
		a, err := svc.Register(ctx, soviet.AccountInput{Handle: fmt.Sprintf("voter%d", i), Name: fmt.Sprintf("Voter %d", i), PasswordHash: "unused"})
		if err != nil {
			return nil, nil, err
		}
		_, tok, err := svc.IssueInvitation(ctx, founder.ID, c.ID, "")
		if err != nil {
			return nil, nil, err
		}
		if _, err := svc.AcceptInvitation(ctx, a.ID, tok); err != nil {
			return nil, nil, err
		}
		secret, _, err := svc.NewToken()
		if err != nil {
			return nil, nil, err
		}
		tokens[i] = "sv_" + secret
		if _, err := db.CreateAPIToken(ctx, a.ID, secret[:8], "bench", soviet.HashToken(tokens[i])); err != nil {
			return nil, nil, err
		}
	}
	motions := make([]int64, m)
	for i := range m {
		mo, err := svc.ProposeMotion(ctx, founder.ID, soviet.MotionInput{Council: c.ID, Title: fmt.Sprintf("Motion %d", i)})
		if err != nil {
			return nil, nil, err
		}
		if _, err := svc.OpenVote(ctx, founder.ID, mo.ID, time.Now().Add(24*time.Hour)); err != nil {
			return nil, nil, err
		}
		motions[i] = mo.ID
	}
	return tokens, motions, nil
}

func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// load runs cfg.Voters workers for the warm-up and then cfg.Duration,
// each with its own keep-alive connection, and measures the second part.
func load(ctx context.Context, name string, cfg VotesConfig, next func(voter, i int) (*http.Request, int)) Result {
	var measuring atomic.Bool
	var requests, errs atomic.Int64
	lat := make([][]time.Duration, cfg.Voters)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for v := range cfg.Voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}, Timeout: 30 * time.Second}
			defer client.CloseIdleConnections()
			// Workers start at a random point so they do not march in step.
			for i := rand.IntN(1000); ; i++ {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				req, want := next(v, i)
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				ok := err == nil && resp.StatusCode == want
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				if measuring.Load() {
					requests.Add(1)
					if !ok {
						errs.Add(1)
					}
					lat[v] = append(lat[v], d)
				}
			}
		}()
	}
	time.Sleep(cfg.Warmup)
	measuring.Store(true)
	start := time.Now()
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	measuring.Store(false)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := Result{Name: name, Requests: requests.Load(), Errors: errs.Load(), Elapsed: elapsed}
	if len(all) > 0 {
		r.P50 = all[len(all)/2]
		r.P99 = all[len(all)*99/100]
		r.Max = all[len(all)-1]
	}
	return r
}

package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"soviet"
	"soviet/store"
)

// FederationConfig configures the federation at scale: Members members in
// Base base councils, which send delegates to Districts district councils,
// which send to Regions regional councils, which send to one national
// council (four levels), all under the default charter.
type FederationConfig struct {
	DSN       string // the database: a SQLite file or a postgres:// URL
	Members   int
	Base      int
	Districts int
	Regions   int
	// Changes is the number of membership changes measured (joins, moves
	// and departures in turn).
	Changes int
	// Workers is the number of commands submitted at once while building,
	// so that the group-committing writer batches them.
	Workers int
	Seed    uint64
	Logger  *slog.Logger
	// Progress receives a line per phase; nil discards them.
	Progress io.Writer
}

func (c *FederationConfig) defaults() {
	if c.Members <= 0 {
		c.Members = 1_000_000
	}
	if c.Base <= 0 {
		c.Base = 10_000
	}
	if c.Districts <= 0 {
		c.Districts = max(1, c.Base/25)
	}
	if c.Regions <= 0 {
		c.Regions = max(1, c.Districts/20)
	}
	if c.Changes <= 0 {
		c.Changes = 200
	}
	if c.Workers <= 0 {
		c.Workers = 256
	}
	if c.Seed == 0 {
		c.Seed = 1917
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Phase is one timed step.
type Phase struct {
	Name    string
	Elapsed time.Duration
	Events  int64 // events it appended
}

func (p Phase) String() string {
	rate := ""
	if p.Events > 0 {
		rate = fmt.Sprintf("  (%d events, %.0f events/s)", p.Events, float64(p.Events)/p.Elapsed.Seconds())
	}
	return fmt.Sprintf("%-44s %10s%s", p.Name, p.Elapsed.Round(time.Millisecond), rate)
}

// Latencies summarises measured commands.
type Latencies struct {
	Name          string
	N             int
	P50, P99, Max time.Duration
	Events        int64 // events the commands appended
	SeatTables    int64 // seat tables changed (SeatsApportioned events)
}

func newLatencies(name string, ds []time.Duration, events, seats int64) Latencies {
	l := Latencies{Name: name, N: len(ds), Events: events, SeatTables: seats}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) > 0 {
		l.P50, l.P99, l.Max = s[len(s)/2], s[min(len(s)-1, len(s)*99/100)], s[len(s)-1]
	}
	return l
}

func (l Latencies) String() string {
	return fmt.Sprintf("%-26s n=%-4d p50 %8s  p99 %8s  max %8s  (%d events, %d seat tables changed)", l.Name, l.N,
		l.P50.Round(10*time.Microsecond), l.P99.Round(10*time.Microsecond), l.Max.Round(10*time.Microsecond), l.Events, l.SeatTables)
}

// FederationReport is what a run measured.
type FederationReport struct {
	Built       bool    // the federation was built in this run
	Build       []Phase // the build's phases
	Federation  int64
	Councils    int   // councils of the federation
	Members     int64 // members represented by the national council
	LogSize     int64 // events in the log after the run
	Rebuild     Phase // every seat table recomputed and written (the first apportionment after the import)
	RebuildSame Phase // every seat table recomputed again, none out of date
	SeatTables  int   // seat tables the rebuild changed
	Changes     []Latencies
	All         Latencies
}

// The bench federation is found again by its founder's handle and name.
const (
	benchFounder    = "bench-founder"
	benchFederation = "Federation at scale"
)

// Federation builds the federation at scale in cfg.DSN through the domain's
// commands, unless the database holds it already, and measures the full
// rebuild of its seat tables and single membership changes.
func Federation(ctx context.Context, cfg FederationConfig) (*FederationReport, error) {
	cfg.defaults()
	if cfg.DSN == "" {
		return nil, errors.New("bench federation: a database is required")
	}
	db, err := store.Open(ctx, cfg.DSN, store.Options{Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	svc := soviet.NewService(db)
	rep := &FederationReport{}
	fb, err := findFederation(ctx, db)
	if err != nil {
		return nil, err
	}
	if fb == nil {
		if fb, err = build(ctx, svc, db, cfg, rep); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		rep.Built = true
	} else {
		fmt.Fprintf(cfg.Progress, "reusing the federation in %s\n", cfg.DSN)
		// A full rebuild with nothing out of date still reads and
		// recomputes every table.
		if rep.Rebuild, rep.SeatTables, err = rebalanceAll(ctx, svc, db, fb, "rebuild of every seat table"); err != nil {
			return nil, err
		}
	}
	rep.Federation = fb.fed
	if rep.RebuildSame, _, err = rebalanceAll(ctx, svc, db, fb, "rebuild again, nothing out of date"); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.Progress, rep.RebuildSame)
	if err := measureChanges(ctx, svc, db, fb, cfg, rep); err != nil {
		return nil, fmt.Errorf("membership changes: %w", err)
	}
	if rep.LogSize, err = logSize(ctx, db); err != nil {
		return nil, err
	}
	cs, err := db.Councils(ctx, fb.fed)
	if err != nil {
		return nil, err
	}
	rep.Councils = len(cs)
	for _, c := range cs {
		if c.ID == fb.national {
			rep.Members = c.Represented
		}
	}
	return rep, nil
}

// benchFed is the federation's shape as the measurements need it.
type benchFed struct {
	founder, fed, national int64
	base                   []int64
	district               map[int64]int64 // base council → its district
}

func findFederation(ctx context.Context, db *store.DB) (*benchFed, error) {
	var founder soviet.Account
	err := db.View(ctx, func(ctx context.Context, tx soviet.Tx) (err error) {
		founder, err = tx.AccountByHandle(ctx, benchFounder)
		return err
	})
	if errors.Is(err, soviet.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	feds, err := db.FederationsOf(ctx, founder.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range feds {
		if f.Name != benchFederation {
			continue
		}
		cs, err := db.Councils(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		fb := &benchFed{founder: founder.ID, fed: f.ID, district: map[int64]int64{}}
		for _, c := range cs {
			switch {
			case c.Kind == soviet.Base:
				fb.base = append(fb.base, c.ID)
				if len(c.SendsTo) > 0 {
					fb.district[c.ID] = c.SendsTo[0]
				}
			case c.Kind == soviet.Delegate && len(c.SendsTo) == 0:
				fb.national = c.ID
			}
		}
		return fb, nil
	}
	return nil, fmt.Errorf("%s holds the account %q but not the federation %q", "the database", benchFounder, benchFederation)
}

func logSize(ctx context.Context, db *store.DB) (int64, error) {
	h, err := db.Head(ctx)
	return h.Size, err
}

// phase runs fn and times it, counting the events it appended.
func phase(ctx context.Context, db *store.DB, progress io.Writer, name string, fn func() error) (Phase, error) {
	before, err := logSize(ctx, db)
	if err != nil {
		return Phase{}, err
	}
	start := time.Now()
	if err := fn(); err != nil {
		return Phase{}, fmt.Errorf("%s: %w", name, err)
	}
	p := Phase{Name: name, Elapsed: time.Since(start)}
	after, err := logSize(ctx, db)
	p.Events = after - before
	fmt.Fprintln(progress, p)
	return p, err
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns the
// first error.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// sizes divides members among n councils unevenly (log-normal weights, as
// workplaces are), at least one each.
func sizes(members, n int, r *rand.Rand) []int {
	w := make([]float64, n)
	var total float64
	for i := range w {
		w[i] = math.Exp(0.6 * r.NormFloat64())
		total += w[i]
	}
	out := make([]int, n)
	left := members - n
	given := 0
	for i := range out {
		out[i] = 1 + int(float64(left)*w[i]/total)
		given += out[i]
	}
	for i := 0; given < members; i = (i + 1) % n {
		out[i]++
		given++
	}
	return out
}

func build(ctx context.Context, svc *soviet.Service, db *store.DB, cfg FederationConfig, rep *FederationReport) (*benchFed, error) {
	if cfg.Members < cfg.Base || cfg.Base < cfg.Districts || cfg.Districts < cfg.Regions {
		return nil, fmt.Errorf("need members ≥ base councils ≥ districts ≥ regions, got %d, %d, %d, %d", cfg.Members, cfg.Base, cfg.Districts, cfg.Regions)
	}
	fmt.Fprintf(cfg.Progress, "building %d members in %d base councils → %d districts → %d regions → 1 national council\n",
		cfg.Members, cfg.Base, cfg.Districts, cfg.Regions)
	fb := &benchFed{district: map[int64]int64{}}
	add := func(name string, fn func() error) error {
		p, err := phase(ctx, db, cfg.Progress, name, fn)
		rep.Build = append(rep.Build, p)
		return err
	}
	err := add("founder and federation", func() error {
		a, err := svc.Found(ctx, soviet.AccountInput{Handle: benchFounder, Name: "Bench founder", PasswordHash: "bench-no-login"})
		if errors.Is(err, soviet.ErrConflict) {
			a, err = svc.Register(ctx, soviet.AccountInput{Handle: benchFounder, Name: "Bench founder", PasswordHash: "bench-no-login"})
		}
		if err != nil {
			return err
		}
		fb.founder = a.ID
		f, err := svc.FoundFederation(ctx, a.ID, benchFederation, soviet.DefaultCharter())
		fb.fed = f.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	// The councils, level by level from the top, each linked to the one
	// above it as it is created.
	level := func(n int, kind soviet.CouncilKind, name string, above []int64) ([]int64, error) {
		ids := make([]int64, n)
		err := parallel(ctx, n, cfg.Workers, func(i int) error {
			in := soviet.CouncilInput{Federation: fb.fed, Name: fmt.Sprintf("%s %d", name, i+1), Kind: kind}
			if len(above) > 0 {
				in.SendsTo = []int64{above[i*len(above)/n]}
			}
			c, err := svc.CreateCouncil(ctx, fb.founder, in)
			ids[i] = c.ID
			return err
		})
		return ids, err
	}
	var regions, districts []int64
	err = add(fmt.Sprintf("councils: 1 + %d + %d + %d, linked", cfg.Regions, cfg.Districts, cfg.Base), func() error {
		national, err := level(1, soviet.Delegate, "National council", nil)
		if err != nil {
			return err
		}
		fb.national = national[0]
		if regions, err = level(cfg.Regions, soviet.Delegate, "Region", national); err != nil {
			return err
		}
		if districts, err = level(cfg.Districts, soviet.Delegate, "District", regions); err != nil {
			return err
		}
		fb.base, err = level(cfg.Base, soviet.Base, "Workplace", districts)
		for i, b := range fb.base {
			fb.district[b] = districts[i*len(districts)/len(fb.base)]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	accounts := make([]int64, cfg.Members)
	err = add(fmt.Sprintf("accounts: %d registered", cfg.Members), func() error {
		return parallel(ctx, cfg.Members, cfg.Workers, func(i int) error {
			a, err := svc.Register(ctx, soviet.AccountInput{Handle: fmt.Sprintf("m%07d", i), Name: fmt.Sprintf("Member %d", i), PasswordHash: "bench-no-login"})
			accounts[i] = a.ID
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 1))
	size := sizes(cfg.Members, cfg.Base, r)
	from := make([]int, cfg.Base+1)
	for i, n := range size {
		from[i+1] = from[i] + n
	}
	err = add("members: imported, one event each", func() error {
		return parallel(ctx, cfg.Base, cfg.Workers/4+1, func(i int) error {
			return svc.ImportMembers(ctx, fb.founder, fb.base[i], accounts[from[i]:from[i+1]])
		})
	})
	if err != nil {
		return nil, err
	}
	rep.Rebuild, rep.SeatTables, err = rebalanceAll(ctx, svc, db, fb, "full rebuild: every seat table apportioned")
	return fb, err
}

func rebalanceAll(ctx context.Context, svc *soviet.Service, db *store.DB, fb *benchFed, name string) (Phase, int, error) {
	var n int
	p, err := phase(ctx, db, io.Discard, name, func() (err error) {
		n, err = svc.RebalanceAll(ctx, fb.founder, fb.fed)
		return err
	})
	p.Name = fmt.Sprintf("%s (%d changed)", name, n)
	return p, n, err
}

// measureChanges times single membership changes, each a command of its
// own: a new member joins by invitation, a member moves to a base council
// of another district by invitation, a member leaves. Each includes the
// re-apportionment of every delegate council above the councils concerned,
// the elections it opens or cancels, and the durable commit.
func measureChanges(ctx context.Context, svc *soviet.Service, db *store.DB, fb *benchFed, cfg FederationConfig, rep *FederationReport) error {
	r := rand.New(rand.NewPCG(cfg.Seed, uint64(time.Now().UnixNano())))
	kinds := []string{"join (new member)", "move (other district)", "leave"}
	lat := make([][]time.Duration, len(kinds))
	events := make([]int64, len(kinds))
	seats := make([]int64, len(kinds))
	var all []time.Duration
	pick := func() int64 { return fb.base[r.IntN(len(fb.base))] }
	member := func(council int64) (int64, error) {
		ms, err := db.Members(ctx, council)
		if err != nil || len(ms) == 0 {
			return 0, fmt.Errorf("members of %d: %d, %v", council, len(ms), err)
		}
		return ms[r.IntN(len(ms))].Account.ID, nil
	}
	stamp := time.Now().UnixNano()
	for i := range cfg.Changes {
		k := i % len(kinds)
		var run func() error
		switch k {
		case 0:
			a, err := svc.Register(ctx, soviet.AccountInput{Handle: fmt.Sprintf("j%x-%d", stamp, i), Name: fmt.Sprintf("Joiner %d", i), PasswordHash: "bench-no-login"})
			if err != nil {
				return err
			}
			_, tok, err := svc.IssueInvitation(ctx, fb.founder, pick(), "")
			if err != nil {
				return err
			}
			run = func() error { _, err := svc.AcceptInvitation(ctx, a.ID, tok); return err }
		case 1:
			from := pick()
			to := pick()
			for fb.district[to] == fb.district[from] {
				to = pick()
			}
			a, err := member(from)
			if err != nil {
				return err
			}
			_, tok, err := svc.IssueInvitation(ctx, fb.founder, to, "")
			if err != nil {
				return err
			}
			run = func() error { _, err := svc.AcceptInvitation(ctx, a, tok); return err }
		case 2:
			c := pick()
			a, err := member(c)
			if err != nil {
				return err
			}
			run = func() error { return svc.Leave(ctx, a, c) }
		}
		before, err := logSize(ctx, db)
		if err != nil {
			return err
		}
		start := time.Now()
		if err := run(); err != nil {
			return fmt.Errorf("%s: %w", kinds[k], err)
		}
		d := time.Since(start)
		after, err := logSize(ctx, db)
		if err != nil {
			return err
		}
		evs, err := db.Events(ctx, before+1, int(after-before))
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if ev.Type == (soviet.SeatsApportioned{}).EventType() {
				seats[k]++
			}
		}
		events[k] += after - before
		lat[k] = append(lat[k], d)
		all = append(all, d)
	}
	// Single changes rarely move a seat in councils of this size; to time
	// those that do, members move one by one from the largest base council
	// of a district to its smallest until the district's seats change.
	flips, err := seatChanges(ctx, svc, db, fb, cfg.Changes/10+1, member)
	if err != nil {
		return fmt.Errorf("moves that change seats: %w", err)
	}
	var sumEvents, sumSeats int64
	for k, name := range kinds {
		rep.Changes = append(rep.Changes, newLatencies(name, lat[k], events[k], seats[k]))
		sumEvents += events[k]
		sumSeats += seats[k]
	}
	rep.All = newLatencies("all changes", all, sumEvents, sumSeats)
	rep.Changes = append(rep.Changes, flips)
	return nil
}

// seatChanges moves members within one district until want moves have
// changed a seat table, and times those moves.
func seatChanges(ctx context.Context, svc *soviet.Service, db *store.DB, fb *benchFed, want int, member func(int64) (int64, error)) (Latencies, error) {
	cs, err := db.Councils(ctx, fb.fed)
	if err != nil {
		return Latencies{}, err
	}
	district := fb.district[fb.base[0]]
	size := map[int64]int64{}
	for _, c := range cs {
		if c.Kind == soviet.Base && fb.district[c.ID] == district {
			size[c.ID] = c.Members
		}
	}
	seatsType := (soviet.SeatsApportioned{}).EventType()
	var lat []time.Duration
	var events, tables int64
	for moves := 0; len(lat) < want && moves < 100*want; moves++ {
		var big, small int64
		for id, n := range size {
			if big == 0 || n > size[big] || n == size[big] && id < big {
				big = id
			}
			if small == 0 || n < size[small] || n == size[small] && id < small {
				small = id
			}
		}
		if big == small || size[big] < 2 {
			break
		}
		a, err := member(big)
		if err != nil {
			return Latencies{}, err
		}
		_, tok, err := svc.IssueInvitation(ctx, fb.founder, small, "")
		if err != nil {
			return Latencies{}, err
		}
		before, err := logSize(ctx, db)
		if err != nil {
			return Latencies{}, err
		}
		start := time.Now()
		if _, err := svc.AcceptInvitation(ctx, a, tok); err != nil {
			return Latencies{}, err
		}
		d := time.Since(start)
		size[big]--
		size[small]++
		after, err := logSize(ctx, db)
		if err != nil {
			return Latencies{}, err
		}
		evs, err := db.Events(ctx, before+1, int(after-before))
		if err != nil {
			return Latencies{}, err
		}
		changed := int64(0)
		for _, ev := range evs {
			if ev.Type == seatsType {
				changed++
			}
		}
		if changed > 0 {
			lat = append(lat, d)
			events += after - before
			tables += changed
		}
	}
	return newLatencies("move that changes seats", lat, events, tables), nil
}

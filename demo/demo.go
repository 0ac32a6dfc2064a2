// Package demo builds the "Petrograd, 1917" federation: councils of
// factories, districts, the fleet and a regiment sending delegates to the
// Petrograd Soviet; factions; elections; motions; a mandate; and the recall
// of a delegate whose base turned against him, replaced in a by-election —
// the mood of the base changing the Soviet, as in 1917. Everything is done
// through the domain's commands, so the demo's log verifies like any other.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"soviet"
)

// Password is the password of every demo account. The demo is for trying
// soviet on one's own machine; a real instance starts without it.
const Password = "petrograd1917"

// Summary says what the demo made.
type Summary struct {
	Federation int64
	Soviet     int64
	Accounts   []string // handles that can sign in
}

// person is a member of the demo federation.
type person struct {
	handle, name, faction string
}

// demo carries what the build needs.
type demo struct {
	ctx       context.Context
	svc       *soviet.Service
	hash      string
	rng       *rand.Rand
	founder   int64
	fed       int64
	factions  map[string]int64
	ids       map[string]int64
	affil     map[int64]string  // account → faction name
	membersOf map[int64][]int64 // base council → its members
	err       error
}

// must records the first error; later steps are skipped.
func (d *demo) must(err error) bool {
	if d.err == nil && err != nil {
		d.err = err
	}
	return d.err == nil
}

// Build makes the demo federation on a store with no accounts yet: its
// first account founds the instance. passwordHash is the hash of Password.
func Build(ctx context.Context, svc *soviet.Service, passwordHash string) (Summary, error) {
	d := &demo{ctx: ctx, svc: svc, hash: passwordHash, rng: rand.New(rand.NewPCG(1917, 1025)),
		factions: map[string]int64{}, ids: map[string]int64{}, affil: map[int64]string{}, membersOf: map[int64][]int64{}}
	a, err := svc.Found(ctx, soviet.AccountInput{Handle: "chkheidze", Name: "Nikolai Chkheidze", PasswordHash: passwordHash})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	d.founder, d.ids["chkheidze"] = a.ID, a.ID
	ch := soviet.DefaultCharter()
	ch.HouseSize = 15
	ch.MinSeats = 1
	ch.ElectionDays = 14
	f, err := svc.FoundFederation(ctx, a.ID, "Petrograd, 1917", ch)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	d.fed = f.ID
	s := d.build()
	if d.err != nil {
		return Summary{}, fmt.Errorf("demo: %w", d.err)
	}
	return s, nil
}

var factions = []struct{ name, colour string }{
	{"Bolsheviks", "#b3261e"},
	{"Mensheviks", "#1f4e8c"},
	{"Socialist Revolutionaries", "#2e7d32"},
	{"Left SRs", "#ef6c00"},
	{"Anarchists", "#37474f"},
}

// councils and their people: historical figures where they belong, and
// the workers, sailors and soldiers who were the soviets.
var councils = []struct {
	name, description string
	people            []person
	workers           int
	mood              []string // factions of the rank and file, by weight
}{
	{"Putilov Works", "The great engineering works of the Narva district.",
		[]person{{"trotsky", "Leon Trotsky", "Bolsheviks"}, {"tsereteli", "Irakli Tsereteli", "Mensheviks"}},
		14, []string{"Bolsheviks", "Bolsheviks", "Mensheviks", "Socialist Revolutionaries"}},
	{"Vyborg District", "The Vyborg side: metal works, textile mills, the barracks of the Moscow Regiment.",
		[]person{{"lenin", "Vladimir Lenin", "Bolsheviks"}, {"kollontai", "Alexandra Kollontai", "Bolsheviks"}},
		12, []string{"Bolsheviks", "Bolsheviks", "Bolsheviks", "Anarchists"}},
	{"Kronstadt Sailors", "The sailors of the Baltic Fleet at Kronstadt.",
		[]person{{"raskolnikov", "Fyodor Raskolnikov", "Bolsheviks"}, {"dybenko", "Pavel Dybenko", "Bolsheviks"}},
		10, []string{"Bolsheviks", "Anarchists", "Left SRs"}},
	{"Volynsky Regiment", "The guards regiment whose mutiny opened the February Revolution.",
		[]person{{"chernov", "Viktor Chernov", "Socialist Revolutionaries"}},
		9, []string{"Socialist Revolutionaries", "Socialist Revolutionaries", "Mensheviks", "Bolsheviks"}},
	{"Obukhov Works", "The steel and arms works on the Neva.",
		[]person{{"martov", "Julius Martov", "Mensheviks"}, {"spiridonova", "Maria Spiridonova", "Left SRs"}},
		8, []string{"Mensheviks", "Socialist Revolutionaries", "Bolsheviks"}},
}

var firstNames = []string{"Ivan", "Anna", "Pyotr", "Maria", "Sergei", "Olga", "Nikolai", "Vera", "Fyodor", "Yelena",
	"Mikhail", "Daria", "Alexei", "Nadezhda", "Grigory", "Tatiana", "Semyon", "Praskovya", "Vasily", "Klavdia"}
var lastNames = []string{"Ivanov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Kozlov", "Novikova",
	"Morozov", "Petrova", "Volkov", "Solovyova", "Vasiliev", "Zaitseva", "Pavlov", "Semyonova", "Golubev", "Vinogradova"}

func (d *demo) account(p person) int64 {
	if id, ok := d.ids[p.handle]; ok {
		return id
	}
	a, err := d.svc.Register(d.ctx, soviet.AccountInput{Handle: p.handle, Name: p.name, PasswordHash: d.hash})
	if !d.must(err) {
		return 0
	}
	d.ids[p.handle] = a.ID
	d.affil[a.ID] = p.faction
	return a.ID
}

// invite makes an account a member of a council through an invitation of
// its secretary (the founder, until councils elect their secretariats).
func (d *demo) invite(council, account int64) {
	if d.err != nil {
		return
	}
	_, tok, err := d.svc.IssueInvitation(d.ctx, d.founder, council, "")
	if d.must(err) {
		_, err = d.svc.AcceptInvitation(d.ctx, account, tok)
		if d.must(err) {
			d.membersOf[council] = append(d.membersOf[council], account)
			// A member declares their faction once they belong.
			if f := d.factions[d.affil[account]]; f != 0 {
				d.must(d.svc.DeclareAffiliation(d.ctx, account, d.fed, f))
			}
		}
	}
}

func (d *demo) build() Summary {
	ctx, svc := d.ctx, d.svc
	for _, f := range factions {
		// Factions are founded by members; the founder founds them here
		// before anyone has joined.
		x, err := svc.CreateFaction(ctx, d.founder, d.fed, f.name, f.colour)
		if !d.must(err) {
			return Summary{}
		}
		d.factions[f.name] = x.ID
	}
	sov, err := svc.CreateCouncil(ctx, d.founder, soviet.CouncilInput{Federation: d.fed, Name: "Petrograd Soviet",
		Kind: soviet.Delegate, Description: "The Petrograd Soviet of Workers' and Soldiers' Deputies."})
	if !d.must(err) {
		return Summary{}
	}
	base := map[string]int64{}
	members := map[string][]int64{}
	n := 0
	for _, c := range councils {
		bc, err := svc.CreateCouncil(ctx, d.founder, soviet.CouncilInput{Federation: d.fed, Name: c.name, Kind: soviet.Base,
			Description: c.description, SendsTo: []int64{sov.ID}})
		if !d.must(err) {
			return Summary{}
		}
		base[c.name] = bc.ID
		for _, p := range c.people {
			id := d.account(p)
			d.invite(bc.ID, id)
			members[c.name] = append(members[c.name], id)
		}
		for i := 0; i < c.workers; i++ {
			n++
			name := firstNames[n%len(firstNames)] + " " + lastNames[(n*7)%len(lastNames)]
			p := person{handle: fmt.Sprintf("comrade%d", n), name: name, faction: c.mood[d.rng.IntN(len(c.mood))]}
			id := d.account(p)
			d.invite(bc.ID, id)
			members[c.name] = append(members[c.name], id)
		}
	}
	d.invite(base["Vyborg District"], d.founder)
	if d.err != nil {
		return Summary{}
	}

	// Each council elects its delegates to the Soviet. In the spring the
	// moderate socialists still lead the Putilov works.
	for _, c := range councils {
		favourites := []string{c.people[len(c.people)-1].handle}
		if c.name == "Putilov Works" {
			favourites = []string{"tsereteli"}
		}
		d.elect(sov.ID, base[c.name], members[c.name], favourites)
	}

	// The Soviet's business.
	order1 := d.motion(sov.ID, "Order No. 1", "In all companies, battalions, regiments and ships, committees are to be elected by the soldiers and sailors. The orders of the War Commission are to be obeyed only when they do not contradict the orders and resolutions of the Soviet.")
	d.vote(order1, sov.ID, func(int64) soviet.Choice { return soviet.Yes })
	eight := d.motion(base["Putilov Works"], "The eight-hour working day", "The works adopts the **eight-hour day**, without loss of pay, from Monday.")
	d.vote(eight, base["Putilov Works"], func(a int64) soviet.Choice {
		if d.rng.IntN(10) == 0 {
			return soviet.Abstain
		}
		return soviet.Yes
	})
	power := d.motion(sov.ID, "All power to the soviets", "The Soviet calls on the workers, soldiers and peasants to take power into the hands of their soviets.\n\n- Peace without annexations\n- Land to the peasants\n- Workers' control of production")

	// Kronstadt mandates its delegates on the question of power.
	if m, err := svc.ProposeMotion(ctx, members["Kronstadt Sailors"][0], soviet.MotionInput{Council: base["Kronstadt Sailors"],
		Kind: soviet.MandateMotion, Target: power, Instruction: soviet.Yes, Body: "The sailors of Kronstadt instruct their delegates to vote for all power to the soviets."}); d.must(err) {
		d.vote(m.ID, base["Kronstadt Sailors"], func(int64) soviet.Choice { return soviet.Yes })
	}

	// By summer the Putilov workers have turned: they recall Tsereteli,
	// who voted to continue the war, and elect a Bolshevik in his place.
	d.recall(sov.ID, base["Putilov Works"], members["Putilov Works"], d.ids["tsereteli"], "trotsky")

	// The question of power is voted after the recall.
	d.vote(power, sov.ID, func(a int64) soviet.Choice {
		switch {
		case d.affiliation(a) == "Bolsheviks" || d.affiliation(a) == "Left SRs":
			return soviet.Yes
		case d.affiliation(a) == "Anarchists":
			return soviet.Yes
		}
		return soviet.No
	})

	// The Soviet elects its Military Revolutionary Committee.
	if k, err := svc.CreateCouncil(ctx, d.founder, soviet.CouncilInput{Name: "Military Revolutionary Committee", Kind: soviet.Committee,
		Parent: sov.ID, Role: soviet.Commission, Seats: 3, Description: "To defend the revolution and organise the insurrection."}); d.must(err) {
		var delegates []int64
		d.view(func(tx soviet.Tx) error {
			os, err := tx.Offices(ctx, sov.ID, 0)
			for _, o := range os {
				delegates = append(delegates, o.Account)
			}
			return err
		})
		d.elect(k.ID, sov.ID, delegates, []string{"trotsky", "dybenko", "raskolnikov"})
	}
	// A vote still open, for visitors to try.
	if land := d.motion(sov.ID, "Land to the peasants", "The landed estates are confiscated without compensation and handed to the land committees and the soviets of peasants' deputies."); land != 0 {
		_, err := svc.OpenVote(ctx, d.founder, land, time.Time{})
		d.must(err)
	}

	handles := make([]string, 0, len(d.ids))
	for h := range d.ids {
		handles = append(handles, h)
	}
	slices.Sort(handles)
	return Summary{Federation: d.fed, Soviet: sov.ID, Accounts: handles}
}

// affiliation returns the faction name an account declared.
func (d *demo) affiliation(account int64) string { return d.affil[account] }

func (d *demo) view(fn func(tx soviet.Tx) error) {
	if d.err == nil {
		d.must(d.svc.Store().View(d.ctx, func(ctx context.Context, tx soviet.Tx) error { return fn(tx) }))
	}
}

// elect runs the open election of constituency for seats in body: the
// favourites and a few others stand, every voter ranks, and it is counted.
func (d *demo) elect(body, constituency int64, voters []int64, favourites []string) {
	if d.err != nil {
		return
	}
	var e soviet.Election
	d.view(func(tx soviet.Tx) error {
		es, err := tx.OpenElections(d.ctx, body, constituency)
		if err == nil && len(es) > 0 {
			e = es[0]
		}
		return err
	})
	if e.ID == 0 {
		return
	}
	cands := []int64{}
	for _, h := range favourites {
		if id := d.ids[h]; id != 0 && slices.Contains(voters, id) {
			cands = append(cands, id)
		}
	}
	for _, v := range voters {
		if len(cands) >= e.Seats+2 {
			break
		}
		if !slices.Contains(cands, v) {
			cands = append(cands, v)
		}
	}
	for _, c := range cands {
		// Candidates stand for the faction they declared.
		if !d.must(d.svc.Nominate(d.ctx, c, e.ID, c, d.factions[d.affil[c]])) {
			return
		}
	}
	e, err := d.svc.OpenPolling(d.ctx, d.founder, e.ID)
	if !d.must(err) || e.State == soviet.Closed {
		return
	}
	for _, v := range voters {
		ranking := slices.Clone(cands)
		// Most put the favourites first; everyone orders the rest their own way.
		d.rng.Shuffle(len(ranking), func(i, j int) { ranking[i], ranking[j] = ranking[j], ranking[i] })
		if d.rng.IntN(4) != 0 {
			for i := len(favourites) - 1; i >= 0; i-- {
				if id := d.ids[favourites[i]]; slices.Contains(ranking, id) {
					ranking = append([]int64{id}, slices.DeleteFunc(ranking, func(x int64) bool { return x == id })...)
				}
			}
		}
		ranking = ranking[:1+d.rng.IntN(len(ranking))]
		if e.Secret {
			_, err = d.svc.CastRankedBallot(d.ctx, v, e.ID, ranking)
		} else {
			err = d.svc.CastRanking(d.ctx, v, e.ID, ranking)
		}
		if !d.must(err) {
			return
		}
	}
	_, err = d.svc.CloseElection(d.ctx, d.founder, e.ID)
	d.must(err)
}

// motion proposes a motion in a council, by one of its voters.
func (d *demo) motion(council int64, title, body string) int64 {
	if d.err != nil {
		return 0
	}
	var proposer int64
	// A delegate proposes in the Soviet; a member, in a base council.
	d.view(func(tx soviet.Tx) error {
		os, err := tx.Offices(d.ctx, council, 0)
		if len(os) > 0 {
			proposer = os[0].Account
		}
		return err
	})
	if proposer == 0 {
		proposer = d.membersOf[council][0]
	}
	m, err := d.svc.ProposeMotion(d.ctx, proposer, soviet.MotionInput{Council: council, Title: title, Body: body})
	if !d.must(err) {
		return 0
	}
	return m.ID
}

// vote opens a motion's vote (roll-call), has every voter vote as choose
// says, and closes it.
func (d *demo) vote(motion, council int64, choose func(account int64) soviet.Choice) {
	if d.err != nil || motion == 0 {
		return
	}
	m, err := d.svc.OpenVote(d.ctx, d.founder, motion, time.Time{})
	if !d.must(err) {
		return
	}
	var voters []int64
	d.view(func(tx soviet.Tx) error {
		rows, err := tx.VoteRows(d.ctx, m.ID)
		for _, r := range rows {
			voters = append(voters, r.Account)
		}
		return err
	})
	for _, v := range voters {
		if d.rng.IntN(8) == 0 {
			continue // not everyone votes
		}
		if m.Secrecy == soviet.Secret {
			_, err = d.svc.CastBallot(d.ctx, v, m.ID, choose(v))
		} else {
			err = d.svc.CastVote(d.ctx, v, m.ID, choose(v))
		}
		if !d.must(err) {
			return
		}
	}
	_, err = d.svc.CloseVote(d.ctx, d.founder, m.ID)
	d.must(err)
}

// recall has a council's members recall one of its delegates in body and
// elect successor in the by-election.
func (d *demo) recall(body, council int64, members []int64, delegate int64, successor string) {
	if d.err != nil {
		return
	}
	var office int64
	d.view(func(tx soviet.Tx) error {
		os, err := tx.Offices(d.ctx, body, council)
		for _, o := range os {
			if o.Account == delegate {
				office = o.ID
			}
		}
		return err
	})
	if office == 0 {
		return // not elected after all: nothing to recall
	}
	petitioner := members[len(members)-1]
	r, err := d.svc.ProposeMotion(d.ctx, petitioner, soviet.MotionInput{Council: council, Kind: soviet.RecallMotion, Target: office,
		Body: "Our delegate voted in the Soviet to continue the war, against the mandate of the works. We recall him."})
	if !d.must(err) {
		return
	}
	for _, m := range members {
		if m == petitioner || m == delegate {
			continue
		}
		cur, err := d.motionState(r.ID)
		if !d.must(err) || cur != soviet.Submitted {
			break
		}
		d.must(d.svc.SupportMotion(d.ctx, m, r.ID))
	}
	// The recall vote opened by itself; the works vote it through.
	for _, m := range members {
		choice := soviet.Yes
		if m == delegate || d.rng.IntN(6) == 0 {
			choice = soviet.No
		}
		if _, err := d.svc.CastBallot(d.ctx, m, r.ID, choice); !d.must(err) {
			return
		}
	}
	if _, err := d.svc.CloseVote(d.ctx, d.founder, r.ID); !d.must(err) {
		return
	}
	d.elect(body, council, slices.DeleteFunc(slices.Clone(members), func(x int64) bool { return x == delegate }), []string{successor})
}

func (d *demo) motionState(id int64) (soviet.MotionState, error) {
	var s soviet.MotionState
	err := d.svc.Store().View(d.ctx, func(ctx context.Context, tx soviet.Tx) error {
		m, err := tx.Motion(ctx, id)
		s = m.State
		return err
	})
	return s, err
}

package store

import (
	"fmt"
	"strings"

	"soviet"
)

// Replaying a large log is mostly replaying long runs of events of one
// type: the accounts and memberships of an organisation brought in at once.
// A batch projection applies such a run together, in multi-row statements,
// on replay only; what it writes is what the events' own projections
// (apply) would write one by one, and it is built from the same pieces
// (accountRow, countMember, invitationAccepted). When a run is not of the
// simple kind a batch projection handles, it says so before writing
// anything, and the events are applied one by one. Verify compares the
// result with the live tables, written by apply: a batch projection that
// drifted from apply would show there as a difference.
var batchProjections = map[string]func(t *tx, evs []soviet.Event, ps []soviet.Payload) (bool, error){
	soviet.AccountCreated{}.EventType(): batchAccounts,
	soviet.MemberJoined{}.EventType():   batchMembers,
}

const accountRowCols = "id, handle, name, founder, created"

// accountRow is the accounts row an AccountCreated event makes.
func accountRow(ev soviet.Event, p soviet.AccountCreated) []any {
	return []any{ev.Seq, p.Handle, p.Name, boolInt(p.Founder), ev.Time.UnixMicro()}
}

// invitationAccepted records that the invitation a member joined by (if
// any) is used.
func invitationAccepted(t *tx, ev soviet.Event, p soviet.MemberJoined) error {
	if p.Invitation == 0 {
		return nil
	}
	_, err := t.exec("UPDATE invitations SET accepted_by = ?, accepted = ? WHERE id = ?", p.Account, ev.Time.UnixMicro(), p.Invitation)
	return err
}

func batchAccounts(t *tx, evs []soviet.Event, ps []soviet.Payload) (bool, error) {
	rows := make([][]any, len(evs))
	for i, ev := range evs {
		p, ok := ps[i].(*soviet.AccountCreated)
		if !ok {
			return false, nil
		}
		rows[i] = accountRow(ev, *p)
	}
	return true, t.insertRows("accounts", accountRowCols, rows)
}

// batchMembers applies a run of joins of accounts that are not members of
// the federation yet, each once: each adds a row and counts one member.
// Moves, and accounts named twice, are applied one by one.
func batchMembers(t *tx, evs []soviet.Event, ps []soviet.Payload) (bool, error) {
	joins := make([]*soviet.MemberJoined, len(evs))
	accounts := make(map[int64]bool, len(evs))
	federation := map[int64]int64{} // council → federation
	var councils []int64            // in order of first join
	for i := range evs {
		p, ok := ps[i].(*soviet.MemberJoined)
		if !ok || accounts[p.Account] {
			return false, nil
		}
		joins[i], accounts[p.Account] = p, true
		if _, ok := federation[p.Council]; !ok {
			federation[p.Council] = 0
			councils = append(councils, p.Council)
		}
	}
	for _, c := range councils {
		var f int64
		if err := t.queryRow("SELECT federation FROM councils WHERE id = ?", c).Scan(&f); err != nil {
			return false, nil // no such council: apply says what happens
		}
		federation[c] = f
	}
	byFederation := map[int64][]any{}
	for _, p := range joins {
		f := federation[p.Council]
		byFederation[f] = append(byFederation[f], p.Account)
	}
	for f, accs := range byFederation {
		for len(accs) > 0 {
			n := min(len(accs), insertChunk)
			var one int
			err := t.queryRow("SELECT COUNT(*) FROM members WHERE federation = ? AND account IN (?"+strings.Repeat(", ?", n-1)+")",
				append([]any{f}, accs[:n]...)...).Scan(&one)
			if err != nil {
				return false, fmt.Errorf("members already: %w", err)
			}
			if one > 0 {
				return false, nil // a move
			}
			accs = accs[n:]
		}
	}
	rows := make([][]any, len(joins))
	count := map[int64]int{}
	for i, p := range joins {
		rows[i] = []any{federation[p.Council], p.Account, p.Council, evs[i].Time.UnixMicro()}
		count[p.Council]++
	}
	if err := t.insertRows("members", "federation, account, council, since", rows); err != nil {
		return true, err
	}
	for _, c := range councils {
		if err := countMember(t, c, count[c]); err != nil {
			return true, err
		}
	}
	for i, p := range joins {
		if err := invitationAccepted(t, evs[i], *p); err != nil {
			return true, err
		}
	}
	return true, nil
}

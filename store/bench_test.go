package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"soviet"
	"soviet/store"
	"soviet/storetest"
)

// BenchmarkCastVote measures durable roll-call votes through the domain
// and the group-committing writer, without HTTP: many goroutines vote at
// once, as many voters would.
func BenchmarkCastVote(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b, store.Options{})
			svc := soviet.NewService(db)
			ctx := context.Background()
			founder, _ := svc.Found(ctx, soviet.AccountInput{Handle: "founder", Name: "F", PasswordHash: "x"})
			fed, _ := svc.CreateFederation(ctx, founder.ID, "F")
			c, _ := svc.CreateCouncil(ctx, founder.ID, soviet.CouncilInput{Federation: fed.ID, Name: "C", Kind: soviet.Base, Join: true})
			const voters = 256
			ids := make([]int64, voters)
			for i := range ids {
				a, err := svc.Register(ctx, soviet.AccountInput{Handle: fmt.Sprintf("v%d", i), Name: "V", PasswordHash: "x"})
				if err != nil {
					b.Fatal(err)
				}
				_, tok, _ := svc.IssueInvitation(ctx, founder.ID, c.ID, "")
				if _, err := svc.AcceptInvitation(ctx, a.ID, tok); err != nil {
					b.Fatal(err)
				}
				ids[i] = a.ID
			}
			m, _ := svc.ProposeMotion(ctx, founder.ID, soviet.MotionInput{Council: c.ID, Title: "M"})
			if _, err := svc.OpenVote(ctx, founder.ID, m.ID, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.SetParallelism(voters / 2)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				v := ids[int(next.Add(1)-1)%voters]
				choice := []soviet.Choice{soviet.Yes, soviet.No}
				for i := 0; pb.Next(); i++ {
					if err := svc.CastVote(ctx, v, m.ID, choice[i%2]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

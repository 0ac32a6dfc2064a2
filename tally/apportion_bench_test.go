package tally

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkApportion divides 500 seats among 10,000 councils with 10 to
// 5,000 members each, by every method, with a minimum of one seat for
// Huntington–Hill (the domain recomputes this when membership changes; the
// target is well under 10 ms).
func BenchmarkApportion(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1917))
	councils := make([]Party, 10_000)
	for i := range councils {
		councils[i] = Party{Name: "council " + strconv.Itoa(i), Count: 10 + r.Int64N(4991)}
	}
	for _, method := range ApportionMethods {
		b.Run(method, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Apportion(method, 500, councils, ApportionOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("huntington-hill-10000-seats-min-1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Apportion(MethodHuntingtonHill, 20_000, councils, ApportionOptions{Min: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

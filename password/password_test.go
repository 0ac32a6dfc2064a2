package password

import (
	"errors"
	"strings"
	"testing"

	"soviet"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	h, err := Hash(cheap, "all power to the soviets")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if !Verify("all power to the soviets", h) {
		t.Fatal("the right password does not verify")
	}
	if Verify("all power to the duma", h) {
		t.Fatal("a wrong password verifies")
	}
	h2, _ := Hash(cheap, "all power to the soviets")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"short", false}, {"ten chars!", true}, {strings.Repeat("x", 1025), false}, {"ünïcödé pässwörd", true}} {
		_, err := Hash(cheap, tc.pw)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, soviet.ErrInvalid)) {
			t.Errorf("%.20q: %v", tc.pw, err)
		}
	}
}

func TestMalformedHashesMatchNothing(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if Verify("anything at all", h) {
			t.Errorf("%q matched", h)
		}
	}
}

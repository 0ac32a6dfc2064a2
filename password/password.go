// Package password hashes and checks passwords with argon2id, in the PHC
// string format ($argon2id$v=19$m=…,t=…,p=…$salt$key).
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"soviet"
)

// Params are the argon2id parameters. The zero value means the defaults,
// OWASP's: 19 MiB, 2 passes, 1 lane. Tests use cheaper ones.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OrDefault returns p, or the defaults for the zero value.
func (p Params) OrDefault() Params {
	if p.Memory == 0 {
		return Params{Memory: 19 * 1024, Time: 2, Threads: 1}
	}
	return p
}

// slots bounds concurrent hashing, whose memory cost would otherwise let a
// flood of sign-ins exhaust the server.
var slots = make(chan struct{}, 4)

// Check applies the password rules: 10 characters at least, 1024 bytes at
// most.
func Check(password string) error {
	switch n := len([]rune(password)); {
	case n < 10:
		return soviet.Errorf(soviet.ErrInvalid, "a password needs at least 10 characters")
	case len(password) > 1024:
		return soviet.Errorf(soviet.ErrInvalid, "a password may have at most 1024 bytes")
	}
	return nil
}

// Hash checks a password against the rules and returns its hash.
func Hash(p Params, password string) (string, error) {
	if err := Check(password); err != nil {
		return "", err
	}
	p = p.OrDefault()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	slots <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	<-slots
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches an encoded hash. A malformed
// hash, or one with parameters out of bounds, matches nothing.
func Verify(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<21 || t == 0 || t > 20 || p == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	slots <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-slots
	return subtle.ConstantTimeCompare(got, want) == 1
}

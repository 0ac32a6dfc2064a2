package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"soviet"
	"soviet/password"
)

// PasswordParams are the argon2id parameters (see package password).
type PasswordParams = password.Params

// hashPassword checks a password against the rules and hashes it.
func (s *Server) hashPassword(pw string) (string, error) { return password.Hash(s.pw, pw) }

// verifyPassword reports whether pw matches an encoded hash.
func verifyPassword(pw, encoded string) bool { return password.Verify(pw, encoded) }

const (
	sessionCookie = "soviet_session"
	sessionTTL    = 30 * 24 * time.Hour
	tokenPrefix   = "sv_"
)

type actorKey struct{}

// actorOf returns the signed-in account of a request; ID 0 means nobody.
func actorOf(r *http.Request) soviet.Account {
	a, _ := r.Context().Value(actorKey{}).(soviet.Account)
	return a
}

// viaToken marks a request authenticated by an API token.
type viaTokenKey struct{}

// authenticate finds the request's account from its API token or session
// cookie. A bad or expired credential is the same as none, except that an
// API token that does not exist is refused at once (a client that sends
// one expects it to work).
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(token, tokenPrefix) {
			return r, soviet.Errorf(soviet.ErrUnauthenticated, "the Authorization header must be \"Bearer sv_…\"")
		}
		key := "t:" + soviet.HashToken(token)
		a, cached := s.auth.get(key, s.now())
		if !cached {
			var err error
			a, err = s.db.APITokenAccount(ctx, key[2:])
			if errors.Is(err, soviet.ErrNotFound) {
				return r, soviet.Errorf(soviet.ErrUnauthenticated, "unknown or deleted API token")
			} else if err != nil {
				return r, err
			}
			s.auth.put(key, a, s.now())
		}
		ctx = context.WithValue(ctx, actorKey{}, a)
		return r.WithContext(context.WithValue(ctx, viaTokenKey{}, true)), nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r, nil
	}
	key := "s:" + soviet.HashToken(c.Value)
	a, cached := s.auth.get(key, s.now())
	if !cached {
		a, err = s.db.SessionAccount(ctx, key[2:])
		if errors.Is(err, soviet.ErrNotFound) {
			return r, nil
		} else if err != nil {
			return r, err
		}
		s.auth.put(key, a, s.now())
	}
	return r.WithContext(context.WithValue(ctx, actorKey{}, a)), nil
}

// signIn checks a handle and password, under the rate limits, and starts a
// session: it sets the cookie and returns the account.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, handle, password string) (soviet.Account, error) {
	handle = strings.ToLower(strings.TrimSpace(handle))
	now := s.now()
	ip := clientIP(r)
	if wait := s.limiter.check(now, "ip:"+ip, "account:"+handle); wait > 0 {
		return soviet.Account{}, soviet.Errorf(soviet.ErrTooManyRequests, "too many failed sign-ins: try again in %s", wait.Round(time.Second))
	}
	a, hash, err := s.db.Credentials(r.Context(), handle)
	switch {
	case errors.Is(err, soviet.ErrNotFound):
		// Take as long for an unknown handle as for a wrong password.
		verifyPassword(password, s.dummyHash)
	case err != nil:
		return soviet.Account{}, err
	case verifyPassword(password, hash):
		s.limiter.succeed("account:" + handle)
		return a, s.startSession(w, r, a)
	}
	s.limiter.fail(now, "ip:"+ip, "account:"+handle)
	return soviet.Account{}, soviet.Errorf(soviet.ErrUnauthenticated, "wrong handle or password")
}

// startSession creates a session for a and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a soviet.Account) error {
	token, hash, err := s.svc.NewToken()
	if err != nil {
		return err
	}
	expires := s.now().Add(sessionTTL)
	if err := s.db.CreateSession(r.Context(), hash, a.ID, expires); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil,
	})
	return nil
}

// signOut ends the request's session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		s.auth.forget("s:" + soviet.HashToken(c.Value))
		if err := s.db.DeleteSession(r.Context(), soviet.HashToken(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
	return nil
}

// newAPIToken makes a personal API token for an account.
func (s *Server) newAPIToken(ctx context.Context, account int64, name string) (string, any, error) {
	name = strings.TrimSpace(name)
	if err := soviet.ValidText("a token's name", name, 1, 100); err != nil {
		return "", nil, err
	}
	secret, _, err := s.svc.NewToken()
	if err != nil {
		return "", nil, err
	}
	token := tokenPrefix + secret
	hash := soviet.HashToken(token)
	// The id names the token in URLs and logs: random, not a piece of
	// the secret.
	idBytes := make([]byte, 8)
	if _, err := rand.Read(idBytes); err != nil {
		return "", nil, err
	}
	tok, err := s.db.CreateAPIToken(ctx, account, hex.EncodeToString(idBytes), name, hash)
	return token, tok, err
}

// clientIP is the address rate limits count against: the TCP peer.
// (Behind a proxy, run it so that it forwards the real peer; soviet does not
// trust X-Forwarded-For, which any client can set.)
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed sign-ins per key (an address, an account) and
// refuses further attempts for a while once a key has failed too often.
type limiter struct {
	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	count int
	first time.Time
}

const (
	limitWindow     = 15 * time.Minute
	limitPerAccount = 10
	limitPerIP      = 50
)

func newLimiter() *limiter { return &limiter{keys: map[string]*failures{}} }

func limitFor(key string) int {
	if strings.HasPrefix(key, "ip:") {
		return limitPerIP
	}
	return limitPerAccount
}

// check returns how long to wait before another attempt, or 0.
func (l *limiter) check(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		f := l.keys[k]
		if f == nil || now.Sub(f.first) >= limitWindow {
			continue
		}
		if f.count >= limitFor(k) {
			if w := f.first.Add(limitWindow).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		f := l.keys[k]
		if f == nil || now.Sub(f.first) >= limitWindow {
			f = &failures{first: now}
			l.keys[k] = f
		}
		f.count++
	}
}

func (l *limiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

func (l *limiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, f := range l.keys {
		if now.Sub(f.first) >= limitWindow {
			delete(l.keys, k)
		}
	}
}

package web

import (
	"sync"
	"time"

	"soviet"
)

// authCache keeps, for a few seconds, the account that a session or API
// token hash stands for, so that a busy client's requests do not each read
// the database to learn who they are. Signing out, deleting a token or
// changing a password clears this server's entries at once; other servers
// behind the same database see it within authCacheTTL.
type authCache struct {
	mu sync.Mutex
	m  map[string]authEntry
}

type authEntry struct {
	account soviet.Account
	expires time.Time
}

const (
	authCacheTTL = 5 * time.Second
	authCacheMax = 100000
)

func (c *authCache) get(key string, now time.Time) (soviet.Account, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.After(e.expires) {
		return soviet.Account{}, false
	}
	return e.account, true
}

func (c *authCache) put(key string, a soviet.Account, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = map[string]authEntry{}
	}
	c.m[key] = authEntry{account: a, expires: now.Add(authCacheTTL)}
}

// forget drops one key.
func (c *authCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// forgetAccount drops every entry of an account.
func (c *authCache) forgetAccount(account int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.account.ID == account {
			delete(c.m, k)
		}
	}
}

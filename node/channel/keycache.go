package channel

import (
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/script"
)

// keyCache remembers public keys derived from a channel's secrets. A zero
// keyCache is empty and ready.
type keyCache struct {
	pubOnce sync.Once
	pubs    script.Basepoints
	funding *btcec.PublicKey

	mu sync.Mutex
	// points are the last per-commitment points asked for, by number: a
	// channel only ever needs its current and next one.
	points [4]cachedPoint
	next   int
}

type cachedPoint struct {
	n uint64
	p *btcec.PublicKey
}

func (c *keyCache) point(n uint64) *btcec.PublicKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.points {
		if e.p != nil && e.n == n {
			return e.p
		}
	}
	return nil
}

func (c *keyCache) keepPoint(n uint64, p *btcec.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.points[c.next] = cachedPoint{n: n, p: p}
	c.next = (c.next + 1) % len(c.points)
}

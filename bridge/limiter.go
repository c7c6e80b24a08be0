//go:build !js

package bridge

import (
	"net/netip"
	"sync"
	"time"
)

// sweepEvery is how often the limiter forgets idle clients, which bounds
// its memory by the clients seen in that window.
const sweepEvery = time.Minute

// limiter holds per-client-IP stream counts and connect token buckets.
// It is one mutex-guarded map: admission happens once per stream, so
// contention is not a concern.
type limiter struct {
	maxStreams int     // <0: no cap
	rate       float64 // tokens per second; <0: no limit
	burst      float64
	now        func() time.Time

	mu        sync.Mutex
	clients   map[netip.Addr]*clientState
	lastSweep time.Time
}

type clientState struct {
	open   int
	tokens float64
	seen   time.Time // when tokens was last brought up to date
}

func newLimiter(p *Policy, now func() time.Time) *limiter {
	return &limiter{
		maxStreams: p.MaxStreamsPerIP,
		rate:       p.ConnectRate,
		burst:      float64(p.ConnectBurst),
		now:        now,
		clients:    make(map[netip.Addr]*clientState),
		lastSweep:  now(),
	}
}

// clientKey groups IPv6 clients by /64, because one host usually owns a
// whole /64 and could otherwise dodge the per-IP limits.
func clientKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}

// admit takes a stream slot and a connect token for ip, or says which
// limit refused it. On success the caller must call release exactly once.
func (l *limiter) admit(ip netip.Addr) (release func(), refused refuseReason, ok bool) {
	key := clientKey(ip)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybeSweep(now)
	st := l.clients[key]
	if st == nil {
		st = &clientState{tokens: l.burst, seen: now}
		l.clients[key] = st
	}
	if l.maxStreams >= 0 && st.open >= l.maxStreams {
		return nil, reasonPerIPCap, false
	}
	if l.rate >= 0 {
		st.refill(now, l.rate, l.burst)
		if st.tokens < 1 {
			return nil, reasonRateLimit, false
		}
		st.tokens--
	}
	st.open++
	var once sync.Once
	return func() { once.Do(func() { l.release(key) }) }, 0, true
}

func (l *limiter) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.clients[key]; st != nil && st.open > 0 {
		st.open--
	}
}

// refill adds the tokens earned since the last update, up to burst.
func (st *clientState) refill(now time.Time, rate, burst float64) {
	if elapsed := now.Sub(st.seen).Seconds(); elapsed > 0 {
		st.tokens = min(burst, st.tokens+elapsed*rate)
	}
	st.seen = now
}

// maybeSweep forgets clients with no open stream whose bucket has had time
// to refill, since forgetting them then changes nothing.
func (l *limiter) maybeSweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for key, st := range l.clients {
		if st.open > 0 {
			continue
		}
		if l.rate >= 0 {
			st.refill(now, l.rate, l.burst)
			if st.tokens < l.burst {
				continue
			}
		}
		delete(l.clients, key)
	}
}

// size is for tests: how many clients the limiter remembers.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

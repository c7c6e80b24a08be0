package peer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"lnwasm/node/lnwire"
)

// pingState tracks our one outstanding ping.
type pingState struct {
	mu       sync.Mutex
	pending  bool
	wantLen  uint16
	sentAt   time.Time
	lastRTT  time.Duration
	answered uint64
}

// readLoop reads until the connection fails, answering control messages
// itself and handing the rest to the handler.
func (p *Peer) readLoop() {
	for {
		raw, err := p.t.ReadMessage()
		if err != nil {
			p.fail(fmt.Errorf("read: %w", err))
			return
		}
		p.recv.Add(1)
		msg, err := lnwire.ReadMessage(raw)
		var unknownEven *lnwire.ErrUnknownEven
		switch {
		case errors.As(err, &unknownEven):
			// BOLT 1: upon receiving a message of even, unknown type: MUST
			// close the connection.
			p.warn(err.Error())
			p.fail(err)
			return
		case err != nil && isGossip(raw):
			// BOLT 7: a malformed announcement or update SHOULD get a
			// warning and MAY close the connection; relayed gossip is often
			// someone else's fault, so we warn and stay.
			p.warn(err.Error())
			continue
		case err != nil:
			// A message we know but cannot parse: warn and hang up rather
			// than act on half of it.
			p.warn(err.Error())
			p.fail(fmt.Errorf("malformed message from peer: %w", err))
			return
		}
		p.dispatch(msg)
	}
}

// isGossip reports whether a raw message is one of BOLT 7's (256-265).
func isGossip(raw []byte) bool {
	if len(raw) < 2 {
		return false
	}
	t := uint16(raw[0])<<8 | uint16(raw[1])
	return t >= 256 && t <= 265
}

func (p *Peer) dispatch(msg lnwire.Message) {
	switch m := msg.(type) {
	case *lnwire.Unknown:
		// BOLT 1: upon receiving a message of odd, unknown type: MUST
		// ignore the received message.
	case *lnwire.Ping:
		if pong := m.Pong(); pong != nil {
			_ = p.Send(pong)
		}
	case *lnwire.Pong:
		p.gotPong(m)
	case *lnwire.Warning:
		p.log.Warn("peer warning", "text", m.String())
	case *lnwire.Error:
		p.log.Warn("peer error", "text", m.String())
		p.cfg.Handler(p, m)
	case *lnwire.Init:
		p.fail(errors.New("peer sent a second init"))
	default:
		p.cfg.Handler(p, m)
	}
}

// gotPong matches a pong with our ping.
//
// BOLT 1: if num_pong_bytes is less than 65532 the receiver MUST respond
// with byteslen equal to num_pong_bytes; a pong we did not ask for, or of
// the wrong length, is ignored (lnd does the same).
func (p *Peer) gotPong(m *lnwire.Pong) {
	p.pings.mu.Lock()
	defer p.pings.mu.Unlock()
	if !p.pings.pending || len(m.Ignored) != int(p.pings.wantLen) {
		return
	}
	p.pings.pending = false
	p.pings.lastRTT = time.Since(p.pings.sentAt)
	p.pings.answered++
}

// pingLoop sends a ping every PingInterval and closes the connection if the
// previous one is still unanswered after PongTimeout.
func (p *Peer) pingLoop() {
	tick := time.NewTicker(p.cfg.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
		}
		p.pings.mu.Lock()
		late := p.pings.pending && time.Since(p.pings.sentAt) > p.cfg.PongTimeout
		p.pings.mu.Unlock()
		if late {
			p.fail(fmt.Errorf("no pong within %v: peer is gone", p.cfg.PongTimeout))
			return
		}
		p.sendPing()
	}
}

func (p *Peer) sendPing() {
	n, _ := rand.Int(rand.Reader, big.NewInt(64))
	want := uint16(n.Int64())
	p.pings.mu.Lock()
	if p.pings.pending {
		p.pings.mu.Unlock()
		return
	}
	p.pings.pending, p.pings.wantLen, p.pings.sentAt = true, want, time.Now()
	p.pings.mu.Unlock()
	_ = p.Send(&lnwire.Ping{NumPongBytes: want})
}

// Stats is what listpeers shows about a connection.
type Stats struct {
	PingRTT        time.Duration
	PongsReceived  uint64
	MessagesSent   uint64
	MessagesRecv   uint64
	ConnectedSince time.Time
}

// Stats reads the connection's counters.
func (p *Peer) Stats() Stats {
	p.pings.mu.Lock()
	defer p.pings.mu.Unlock()
	return Stats{PingRTT: p.pings.lastRTT, PongsReceived: p.pings.answered,
		MessagesSent: p.sent.Load(), MessagesRecv: p.recv.Load(), ConnectedSince: p.started}
}

package peer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
)

// initTimeout bounds the wait for the peer's init when ctx has no deadline.
const initTimeout = 30 * time.Second

type readResult struct {
	raw []byte
	err error
}

// ErrWrongChain means the peer announced networks that exclude ours.
var ErrWrongChain = errors.New("peer is on another chain")

// exchangeInit sends our init and reads theirs, refusing a peer that
// requires a feature we do not know or lives on another chain.
//
// BOLT 1: The sending node MUST send init as the first Lightning message
// for any connection. The receiving node MUST wait to receive init before
// sending any other messages.
func (p *Peer) exchangeInit(ctx context.Context) error {
	// Read while we write: neither side may wait for the other's init
	// before sending its own, and an unbuffered stream would deadlock.
	first := make(chan readResult, 1)
	go func() {
		raw, err := p.t.ReadMessage()
		first <- readResult{raw, err}
	}()
	ours := &lnwire.Init{Features: p.cfg.Features}
	ours.Networks = lnwire.Some([]chainhash.Hash{p.cfg.Chain})
	if err := p.sendRaw(ours); err != nil {
		return fmt.Errorf("send init: %w", err)
	}
	theirs, err := p.readInit(ctx, first)
	if err != nil {
		return err
	}
	p.theirs = theirs.Combined()
	if nets, ok := theirs.Networks.Get(); ok && len(nets) > 0 && !hasChain(nets, p.cfg.Chain) {
		p.warn(fmt.Sprintf("we only know chain %s", p.cfg.Chain))
		return fmt.Errorf("init: %w (it announced %v)", ErrWrongChain, nets)
	}
	agreed, err := lnwire.Negotiate(p.cfg.Features, p.theirs)
	if err != nil {
		// BOLT 1: upon receiving unknown even feature bits that are
		// non-zero: MUST close the connection.
		p.warn(err.Error())
		return fmt.Errorf("init: %w", err)
	}
	p.agreed = agreed
	return nil
}

// readInit waits for the first message, which must be init; an error or a
// warning instead is the peer telling us why it will not talk.
func (p *Peer) readInit(ctx context.Context, ch <-chan readResult) (*lnwire.Init, error) {
	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	var r readResult
	select {
	case r = <-ch:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for init: %w", ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("wait for init: none within %v", initTimeout)
	}
	if r.err != nil {
		return nil, fmt.Errorf("wait for init: %w", r.err)
	}
	msg, err := lnwire.ReadMessage(r.raw)
	if err != nil {
		return nil, fmt.Errorf("read init: %w", err)
	}
	switch m := msg.(type) {
	case *lnwire.Init:
		return m, nil
	case *lnwire.Error:
		return nil, fmt.Errorf("peer refused the connection: %s", m.String())
	case *lnwire.Warning:
		return nil, fmt.Errorf("peer warned before init: %s", m.String())
	default:
		return nil, fmt.Errorf("peer sent %s before init", msg.Type())
	}
}

func hasChain(nets []chainhash.Hash, want chainhash.Hash) bool {
	for _, n := range nets {
		if n == want {
			return true
		}
	}
	return false
}

// sendRaw writes without failing the connection (used before it runs).
func (p *Peer) sendRaw(m lnwire.Message) error {
	raw, err := lnwire.WriteMessage(m)
	if err != nil {
		return err
	}
	return p.writeWithin(raw, p.cfg.PongTimeout)
}

// writeWithin writes one encoded message, giving up after d so a peer that
// stops reading cannot block the writer.
func (p *Peer) writeWithin(raw []byte, d time.Duration) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	_ = p.t.SetWriteDeadline(time.Now().Add(d))
	return p.t.WriteMessage(raw)
}

// warnTimeout bounds the best-effort warning sent before hanging up: a peer
// that is not reading must not hold the close up.
const warnTimeout = time.Second

// warn tells the peer, best effort, why we are about to hang up.
func (p *Peer) warn(text string) {
	if raw, err := lnwire.WriteMessage(&lnwire.Warning{Data: []byte(text)}); err == nil {
		_ = p.writeWithin(raw, warnTimeout)
	}
}

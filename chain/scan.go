package chain

import (
	"bytes"
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// blockAt returns the hash of the best-chain block at a height.
func (n *Neutrino) blockAt(height uint32) (chainhash.Hash, error) {
	hdr, err := n.cs.BlockHeaders.FetchHeaderByHeight(height)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("header at %d: %w", height, err)
	}
	return hdr.BlockHash(), nil
}

// filterMatches reports whether block hash's compact filter matches any of
// the scripts. BIP158 basic filters hold every output script and every spent
// prevout script of the block, so a match finds both payments and spends.
func (n *Neutrino) filterMatches(hash chainhash.Hash, scripts [][]byte) (bool, error) {
	if len(scripts) == 0 {
		return false, nil
	}
	filter, err := n.cs.GetCFilter(hash, wire.GCSFilterRegular)
	if err != nil {
		return false, fmt.Errorf("filter of %s: %w", hash, err)
	}
	if filter == nil || filter.N() == 0 {
		return false, nil
	}
	key := builder.DeriveKey(&hash)
	ok, err := filter.MatchAny(key, scripts)
	if err != nil {
		return false, fmt.Errorf("match filter of %s: %w", hash, err)
	}
	return ok, nil
}

// block fetches a full block from a peer; neutrino checks it against the
// filter it already verified.
func (n *Neutrino) block(hash chainhash.Hash) (*wire.MsgBlock, error) {
	b, err := n.cs.GetBlock(hash)
	if err != nil {
		return nil, fmt.Errorf("get block %s: %w", hash, err)
	}
	return b.MsgBlock(), nil
}

// Rescan walks the filters from req.From to the tip and returns the
// transactions that pay one of the scripts or spend one of the outpoints.
// BIP158 filters match spends by the script of the spent output, so an
// outpoint is found spent only if its script is among req.Scripts; outpoints
// the scan finds paid to a script are followed the same way, which is how a
// payment to a watched script and its later spend come out of one pass.
func (n *Neutrino) Rescan(ctx context.Context, req RescanRequest) ([]TxMatch, error) {
	if len(req.Scripts) == 0 {
		return nil, fmt.Errorf("rescan from %d: %w", req.From, errNoScript)
	}
	tip, err := n.BestBlock()
	if err != nil {
		return nil, fmt.Errorf("rescan: %w", err)
	}
	want := newTxFilter(req.Scripts, req.OutPoints)
	var out []TxMatch
	for h := req.From; h <= tip.Height; h++ {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("rescan at height %d: %w", h, err)
		}
		hash, err := n.blockAt(h)
		if err != nil {
			return out, fmt.Errorf("rescan: %w", err)
		}
		ok, err := n.filterMatches(hash, want.scripts)
		if err != nil || !ok {
			if err != nil {
				return out, fmt.Errorf("rescan: %w", err)
			}
			continue
		}
		blk, err := n.block(hash)
		if err != nil {
			return out, fmt.Errorf("rescan: %w", err)
		}
		for _, tx := range blk.Transactions {
			if want.relevant(tx) {
				out = append(out, TxMatch{Tx: tx, BlockHash: hash, BlockHeight: h})
			}
		}
	}
	return out, nil
}

// txFilter decides whether a transaction in a matched block is one the
// caller asked for (filters have false positives).
type txFilter struct {
	scripts   [][]byte
	outpoints map[wire.OutPoint]bool
}

func newTxFilter(scripts [][]byte, ops []wire.OutPoint) *txFilter {
	f := &txFilter{scripts: scripts, outpoints: map[wire.OutPoint]bool{}}
	for _, op := range ops {
		f.outpoints[op] = true
	}
	return f
}

// relevant reports a match and learns the outpoints it pays, so their
// later spends are recognised too.
func (f *txFilter) relevant(tx *wire.MsgTx) bool {
	hit := false
	for _, in := range tx.TxIn {
		if f.outpoints[in.PreviousOutPoint] {
			hit = true
		}
	}
	txid := tx.TxHash()
	for i, out := range tx.TxOut {
		for _, s := range f.scripts {
			if bytes.Equal(out.PkScript, s) {
				hit = true
				f.outpoints[wire.OutPoint{Hash: txid, Index: uint32(i)}] = true
			}
		}
	}
	return hit
}

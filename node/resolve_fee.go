package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/invoice"
	"lnwasm/node/onchain"
	"lnwasm/node/script"
	"lnwasm/node/store"
	"lnwasm/node/wallet"
)

// bucketCPFP holds, by channel id, the child that bumps our unconfirmed
// force-close commitment through its anchor: stored before it is
// broadcast, so a reload rebroadcasts the same child instead of funding a
// second one.
var bucketCPFP = []byte("cpfp")

// cpfpRecord is a stored CPFP child.
type cpfpRecord struct {
	Raw           []byte
	CostSat       int64
	Anchor        wire.OutPoint
	AnchorSat     int64
	WitnessScript []byte
}

// resolutionHost is what a resolution step needs from the node.
func (n *Node) resolutionHost(e *chanEntry) onchain.Host {
	rate, err := n.commitFeerate(0)
	if err != nil {
		rate = 2500
	}
	return onchain.Host{Keys: e.m.Keys(), Dest: n.closeScript, Fund: n.fundTx, Preimage: n.settledPreimage, FeeRate: rate}
}

// fundTx adds wallet inputs paying tx's fee (onchain.Funder).
func (n *Node) fundTx(tx *wire.MsgTx, prevOuts []*wire.TxOut, witnessWeight int64, feerate uint32, extraFeeSat int64) (*wire.MsgTx, int64, error) {
	w, err := n.theWallet()
	if err != nil {
		return nil, 0, err
	}
	return w.AddFeeInputs(wallet.FeeRequest{Tx: tx, PrevOuts: prevOuts, ForeignWitnessWeight: witnessWeight,
		Rate: chain.SatPerKWeight(feerate), ExtraFeeSat: extraFeeSat})
}

// releaseFunded frees the wallet coins of funded transactions that lost a
// race (their parent output went to the peer).
func (n *Node) releaseFunded(txids []string) {
	w, err := n.theWallet()
	if err != nil {
		return
	}
	for _, s := range txids {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			continue
		}
		if err := w.ReleasePending(*h); err != nil && !errors.Is(err, wallet.ErrNotPending) {
			n.log.Warn("release fee inputs", "txid", s, "err", err)
		}
	}
}

// settledPreimage is the preimage of a settled invoice of ours: an HTLC
// paying it may be claimed on-chain. An open invoice's HTLC is not: its
// payment is incomplete, and revealing the preimage would prove a payment
// that was not made.
func (n *Node) settledPreimage(hash [32]byte) ([32]byte, bool) {
	ps, err := n.payments()
	if err != nil {
		return [32]byte{}, false
	}
	rec, err := ps.invoices.Get(hash)
	if err != nil || rec == nil || rec.State != invoice.StateSettled {
		return [32]byte{}, false
	}
	return rec.Preimage, true
}

// bumpCommitment makes sure our broadcast anchors commitment pays the
// current fee estimate: if its own fee rate is lower, a child spending
// our anchor, funded by the wallet, pays for both. The child is stored
// before it leaves, and the same one is rebroadcast until the commitment
// confirms.
func (n *Node) bumpCommitment(e *chanEntry, commit *wire.MsgTx) {
	rec, err := n.loadCPFP(e)
	if err != nil {
		n.log.Warn("load CPFP child", "channel", e.m.ID(), "err", err)
		return
	}
	if rec == nil {
		if rec, err = n.buildCPFP(e, commit); err != nil || rec == nil {
			if err != nil {
				n.log.Warn("CPFP our commitment", "channel", e.m.ID(), "err", err)
			}
			return
		}
	}
	var child wire.MsgTx
	if err := child.Deserialize(bytes.NewReader(rec.Raw)); err != nil {
		return
	}
	if err := n.cfg.Chain.Broadcast(&child); err != nil {
		n.log.Debug("broadcast CPFP child", "txid", child.TxHash(), "err", err)
	}
}

// buildCPFP funds, signs and stores a child of commit through our anchor
// when commit's fee rate is under the estimate; nil when it is not.
func (n *Node) buildCPFP(e *chanEntry, commit *wire.MsgTx) (*cpfpRecord, error) {
	lc, err := e.m.LocalCommitment()
	if err != nil || lc.Commit.LocalAnchor == nil || lc.Tx.TxHash() != commit.TxHash() {
		return nil, err
	}
	target, err := n.commitFeerate(0)
	if err != nil {
		return nil, err
	}
	weight := blockchain.GetTransactionWeight(btcutil.NewTx(commit))
	if lc.Commit.FeeSat*1000 >= int64(target)*weight {
		return nil, nil
	}
	a := lc.Commit.LocalAnchor
	op := wire.OutPoint{Hash: commit.TxHash(), Index: a.Index}
	child := wire.NewMsgTx(2)
	child.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum - 2})
	prev := []*wire.TxOut{commit.TxOut[a.Index]}
	ww := int64(script.AnchorWitness(a.WitnessScript, make([]byte, 73)).SerializeSize())
	extra := (int64(target)*weight+999)/1000 - lc.Commit.FeeSat
	funded, fee, err := n.fundTx(child, prev, ww, target, extra)
	if err != nil {
		return nil, err
	}
	sig, err := script.SignFirstInput(funded, a.WitnessScript, a.Value, e.m.Keys().Funding)
	if err != nil {
		return nil, fmt.Errorf("sign anchor: %w", err)
	}
	funded.TxIn[0].Witness = script.AnchorWitness(a.WitnessScript, script.WitnessSig(sig, txscript.SigHashAll))
	var buf bytes.Buffer
	if err := funded.Serialize(&buf); err != nil {
		return nil, err
	}
	rec := &cpfpRecord{Raw: buf.Bytes(), CostSat: fee - a.Value, Anchor: op, AnchorSat: a.Value, WitnessScript: a.WitnessScript}
	if err := n.saveCPFP(e, rec); err != nil {
		n.releaseFunded([]string{funded.TxHash().String()})
		return nil, err
	}
	n.log.Warn("force close: bumping our commitment through its anchor", "channel", e.m.ID(),
		"commit_rate", lc.Commit.FeeSat*1000/weight, "target", target, "child", funded.TxHash(), "fee", fee)
	return rec, nil
}

func (n *Node) loadCPFP(e *chanEntry) (*cpfpRecord, error) {
	id := e.m.ID()
	var raw []byte
	err := n.cfg.Store.View(func(tx store.Tx) (err error) {
		raw, err = tx.Get(bucketCPFP, id[:])
		return err
	})
	if err != nil || raw == nil {
		return nil, err
	}
	var rec cpfpRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("CPFP record: %w", err)
	}
	return &rec, nil
}

func (n *Node) saveCPFP(e *chanEntry, rec *cpfpRecord) error {
	id := e.m.ID()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return n.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketCPFP, id[:], b) })
}

// adoptCPFP moves a stored child into the resolution of our confirmed
// commitment (it is rebroadcast until it confirms and its cost counts), or
// releases its coins when another transaction closed the channel.
func (n *Node) adoptCPFP(e *chanEntry, r *onchain.Resolution) {
	rec, err := n.loadCPFP(e)
	if err != nil || rec == nil {
		return
	}
	var child wire.MsgTx
	if err := child.Deserialize(bytes.NewReader(rec.Raw)); err != nil {
		return
	}
	if r.Kind == onchain.KindLocalForce && rec.Anchor.Hash == r.CommitTxid {
		if err := r.AddCPFP(rec.Anchor, rec.WitnessScript, rec.AnchorSat, &child, rec.CostSat); err != nil {
			n.log.Warn("adopt CPFP child", "err", err)
			return
		}
	} else {
		n.releaseFunded([]string{child.TxHash().String()})
	}
	id := e.m.ID()
	_ = n.cfg.Store.Update(func(tx store.Tx) error { return tx.Delete(bucketCPFP, id[:]) })
}

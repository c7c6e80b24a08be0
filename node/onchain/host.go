package onchain

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/script"
)

// Host is what a resolution needs from its node at each step.
type Host struct {
	// Keys are the channel's private keys.
	Keys *channel.LocalKeys
	// Dest gives a fresh wallet script to sweep to; it is asked only when
	// there is something to sweep.
	Dest func() ([]byte, error)
	// Fund completes a transaction whose own inputs cannot pay its fee.
	// Without it, anchors HTLC outputs of our own commitment stay watched
	// only.
	Fund Funder
	// Preimage finds preimages learned after the close: a payment whose
	// last part arrived on another channel.
	Preimage Preimages
	// FeeRate is the rate sweeps pay, in sat/kw.
	FeeRate uint32
}

// Funder adds wallet inputs and change to tx (whose own inputs spend
// prevOuts and will carry witnessWeight once signed) so that it pays
// feerate over its final weight plus extraFeeSat; it returns the completed
// copy and the fee it pays, and records the wallet's spend as pending.
// Only witness data may change afterwards.
type Funder func(tx *wire.MsgTx, prevOuts []*wire.TxOut, witnessWeight int64, feerate uint32, extraFeeSat int64) (*wire.MsgTx, int64, error)

// dummySig is the size of the largest DER signature plus its sighash
// byte, for weight estimates before signing.
var dummySig = make([]byte, 73)

// secondLevelTx signs c's HTLC-timeout or HTLC-success transaction, with
// wallet inputs paying its fee when it is an anchors one (zero fee, peer
// signature SIGHASH_SINGLE|ANYONECANPAY), and records it in flight.
func (r *Resolution) secondLevelTx(c *Claim, h Host) error {
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(c.SecondLevel)); err != nil {
		return fmt.Errorf("second-level %v: %w", c.OutPoint, err)
	}
	witness := func(ours []byte) wire.TxWitness {
		if c.Offered {
			return script.HTLCTimeoutWitness(c.WitnessScript, c.PeerSig, ours)
		}
		return script.HTLCSuccessWitness(c.WitnessScript, c.PeerSig, ours, c.Preimage)
	}
	signed := &tx
	var cost int64
	if r.Anchors {
		if h.Fund == nil {
			return fmt.Errorf("second-level %v: no wallet to pay its fee", c.OutPoint)
		}
		prev := []*wire.TxOut{{Value: c.ValueSat, PkScript: c.PkScript}}
		funded, fee, err := h.Fund(&tx, prev, int64(witness(dummySig).SerializeSize()), h.FeeRate, 0)
		if err != nil {
			return fmt.Errorf("second-level %v: fee inputs: %w", c.OutPoint, err)
		}
		signed, cost = funded, netCost(&tx, prev, fee)
	}
	priv, err := c.Key.derive(h.Keys)
	if err != nil {
		return err
	}
	sig, err := script.SignFirstInput(signed, c.WitnessScript, c.ValueSat, priv)
	if err != nil {
		return fmt.Errorf("sign second-level %v: %w", c.OutPoint, err)
	}
	signed.TxIn[0].Witness = witness(script.WitnessSig(sig, txscript.SigHashAll))
	var buf bytes.Buffer
	if err := signed.Serialize(&buf); err != nil {
		return err
	}
	r.keep(c, buf.Bytes())
	if r.Anchors {
		r.fundedBy(c.SweepTxid.String(), cost)
	}
	return nil
}

// netCost is what a funded transaction takes from the wallet: the fee,
// less what the caller's own inputs brought beyond the caller's outputs
// (an anchor's 330 sat; nothing for an HTLC transaction).
func netCost(orig *wire.MsgTx, prevOuts []*wire.TxOut, fee int64) int64 {
	surplus := int64(0)
	for _, o := range prevOuts {
		surplus += o.Value
	}
	for _, o := range orig.TxOut {
		surplus -= o.Value
	}
	return fee - surplus
}

// fundedBy records that txid carries wallet inputs costing the wallet
// cost sat once it confirms.
func (r *Resolution) fundedBy(txid string, cost int64) {
	if r.Funded == nil {
		r.Funded = map[string]int64{}
	}
	r.Funded[txid] = cost
}

// AddCPFP records a child of our commitment spending our anchor (funded by
// the wallet, costing it cost sat) as a claim in flight, so it is
// rebroadcast until it confirms and its cost counts against the close.
func (r *Resolution) AddCPFP(anchor wire.OutPoint, witnessScript []byte, valueSat int64, child *wire.MsgTx, cost int64) error {
	pk, err := script.P2WSH(witnessScript)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := child.Serialize(&buf); err != nil {
		return err
	}
	if r.Txs == nil {
		r.Txs = map[string][]byte{}
	}
	c := &Claim{OutPoint: anchor, ValueSat: valueSat, PkScript: pk, What: "anchor", Sweep: script.SweepAnchor,
		WitnessScript: witnessScript, Key: KeyRef{Base: "funding"}, Anchors: true, MatureHeight: r.CommitHeight}
	r.keep(c, buf.Bytes())
	r.fundedBy(c.SweepTxid.String(), cost)
	r.Claims = append(r.Claims, c)
	return nil
}

// TakeReleased returns the funded transactions that lost an input to the
// peer (their wallet coins must be released) and forgets them.
func (r *Resolution) TakeReleased() []string {
	out := r.Released
	r.Released = nil
	return out
}

// NetSat is what the resolution gained the wallet: confirmed sweeps less
// the wallet's fees for funded transactions.
func (r *Resolution) NetSat() int64 { return r.SweptSat - r.WalletFeeSat }

// learn makes a received HTLC whose preimage we found since the close
// claimable.
func (c *Claim) learn(pre Preimages) {
	if pre == nil || !c.WatchOnly || c.Dust || c.What != "htlc" || c.Offered || c.HasPreimage {
		return
	}
	if c.SecondLevel == nil && c.Sweep != script.SweepRemoteHTLCSuccess {
		return
	}
	if p, ok := pre(c.PaymentHash); ok {
		c.Preimage, c.HasPreimage, c.WatchOnly = p, true, false
	}
}

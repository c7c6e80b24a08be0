package onchain

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/script"
)

// resolutionVersion 2: second-level transactions are signed when they
// mature (v1 stored them signed).
const resolutionVersion = 2

// Resolution is the on-chain resolution of one channel: the commitment
// that closed it and the claims on its outputs. It is persisted as JSON.
type Resolution struct {
	Version      int
	ChannelPoint string
	Kind         string
	// Unknown marks a peer commitment we had no record of (data loss).
	Unknown      bool `json:",omitempty"`
	Anchors      bool `json:",omitempty"`
	CommitTxid   chainhash.Hash
	CommitHeight uint32
	Claims       []*Claim
	// Txs are our transactions in flight by txid (serialized), rebroadcast
	// every block until they confirm or lose a race.
	Txs map[string][]byte `json:",omitempty"`
	// Funded are our transactions in flight that carry wallet inputs, by
	// txid, with what each costs the wallet once confirmed; Released are
	// those that lost a race, whose coins the host must free.
	Funded   map[string]int64 `json:",omitempty"`
	Released []string         `json:",omitempty"`
	// SweptSat is what our confirmed sweeps paid to the wallet, and
	// WalletFeeSat what confirmed funded transactions cost it.
	SweptSat     int64
	WalletFeeSat int64 `json:",omitempty"`
	Done         bool
	DoneHeight   uint32
}

// Outcome is how an HTLC we offered ended on-chain: fulfilled (the peer
// revealed the preimage spending it) or failed (it came back to us).
type Outcome struct {
	HTLCID      uint64
	AmountMsat  uint64
	PaymentHash [32]byte
	Preimage    [32]byte
	Fulfilled   bool
}

// Watch is an outpoint the host must report the spend of.
type Watch struct {
	OutPoint wire.OutPoint
	PkScript []byte
}

// Encode is the persisted form.
func (r *Resolution) Encode() ([]byte, error) { return json.Marshal(r) }

// Decode reads a persisted resolution.
func Decode(b []byte) (*Resolution, error) {
	var r Resolution
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode resolution: %w", err)
	}
	if r.Version != resolutionVersion {
		return nil, fmt.Errorf("decode resolution: version %d, want %d", r.Version, resolutionVersion)
	}
	return &r, nil
}

// Watches lists the outpoints whose spends matter: every open claim.
func (r *Resolution) Watches() []Watch {
	var w []Watch
	for _, c := range r.Claims {
		if !c.Done {
			w = append(w, Watch{OutPoint: c.OutPoint, PkScript: c.PkScript})
		}
	}
	return w
}

// Step builds what may be broadcast for the block after height: matured
// second-level transactions (signed now, with wallet inputs for their fee
// under anchors) and one sweep of every other mature claim to a script
// from h.Dest at h.FeeRate. A received HTLC whose preimage h.Preimage now
// knows becomes claimable. It returns every transaction of ours still in
// flight (old ones again: a light client cannot see a mempool) and the
// errors of what it could not build, which are retried at the next
// block. The caller persists the resolution before broadcasting.
func (r *Resolution) Step(height uint32, h Host) ([]*wire.MsgTx, error) {
	if r.Txs == nil {
		r.Txs = map[string][]byte{}
	}
	var batch []*Claim
	var errs []error
	for _, c := range r.Claims {
		if c.Done || c.SweepTxid != (chainhash.Hash{}) {
			continue
		}
		c.learn(h.Preimage)
		if c.WatchOnly || c.MatureHeight > height+1 {
			continue
		}
		if c.SecondLevel != nil {
			errs = append(errs, r.secondLevelTx(c, h))
			continue
		}
		batch = append(batch, c)
	}
	errs = append(errs, r.sweep(batch, h))
	r.checkDone(height)
	return r.inFlight(), errors.Join(errs...)
}

// sweep signs one transaction spending every claim of batch.
func (r *Resolution) sweep(batch []*Claim, h Host) error {
	if len(batch) == 0 {
		return nil
	}
	dest, err := h.Dest()
	if err != nil {
		return fmt.Errorf("sweep address: %w", err)
	}
	ins := make([]script.SweepInput, 0, len(batch))
	for _, c := range batch {
		in, err := c.input(h.Keys)
		if err != nil {
			return err
		}
		ins = append(ins, in)
	}
	tx, _, err := script.BuildSweep(ins, dest, h.FeeRate)
	if errors.Is(err, script.ErrSweepDust) {
		// Worth less than its fee: nothing to gain, and nothing to wait for.
		for _, c := range batch {
			c.WatchOnly, c.Dust = true, true
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep %d outputs: %w", len(batch), err)
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return err
	}
	for _, c := range batch {
		r.keep(c, buf.Bytes())
	}
	return nil
}

// keep records raw as c's spend in flight.
func (r *Resolution) keep(c *Claim, raw []byte) {
	var tx wire.MsgTx
	if tx.Deserialize(bytes.NewReader(raw)) != nil {
		return
	}
	c.SweepTxid = tx.TxHash()
	r.Txs[c.SweepTxid.String()] = raw
}

// inFlight decodes the transactions still waiting to confirm.
func (r *Resolution) inFlight() []*wire.MsgTx {
	var out []*wire.MsgTx
	for _, raw := range r.Txs {
		var tx wire.MsgTx
		if tx.Deserialize(bytes.NewReader(raw)) == nil {
			out = append(out, &tx)
		}
	}
	return out
}

// Spent takes the confirmed spend of a claim's outpoint: ours, or the
// peer's (which undoes any sweep of ours sharing that input, and may
// reveal a preimage or create a second-level output to claim).
func (r *Resolution) Spent(op wire.OutPoint, tx *wire.MsgTx, inIndex, height uint32) []Outcome {
	c := r.find(op)
	if c == nil || c.Done {
		return nil
	}
	txid := tx.TxHash()
	c.Done, c.SpentBy, c.SpentHeight = true, txid, height
	ours := txid == c.SweepTxid
	switch cost, funded := r.Funded[txid.String()]; {
	case ours && funded:
		r.WalletFeeSat += cost
		delete(r.Funded, txid.String())
		delete(r.Txs, txid.String())
	case ours && c.SecondLevel == nil:
		r.credit(txid, tx)
	}
	if !ours && c.SweepTxid != (chainhash.Hash{}) {
		r.drop(c.SweepTxid)
	}
	if ours && c.SecondLevel != nil || !ours && r.Kind == KindBreach {
		r.follow(c, txid, tx, inIndex, height)
	}
	r.checkDone(height)
	if !c.Offered || c.What != "htlc" {
		return nil
	}
	o := Outcome{HTLCID: c.HTLCID, AmountMsat: c.AmountMsat, PaymentHash: c.PaymentHash}
	if !ours {
		o.Preimage, o.Fulfilled = preimageIn(tx.TxIn[inIndex].Witness, c.PaymentHash)
	}
	return []Outcome{o}
}

// credit counts a confirmed sweep of ours once.
func (r *Resolution) credit(txid chainhash.Hash, tx *wire.MsgTx) {
	if _, ok := r.Txs[txid.String()]; !ok {
		return
	}
	delete(r.Txs, txid.String())
	for _, o := range tx.TxOut {
		r.SweptSat += o.Value
	}
}

// drop forgets a sweep that lost one of its inputs to the peer: its other
// claims are swept again without it at the next Step.
func (r *Resolution) drop(txid chainhash.Hash) {
	delete(r.Txs, txid.String())
	if _, funded := r.Funded[txid.String()]; funded {
		delete(r.Funded, txid.String())
		r.Released = append(r.Released, txid.String())
	}
	for _, o := range r.Claims {
		if o.SweepTxid == txid && !o.Done {
			o.SweepTxid = chainhash.Hash{}
		}
	}
}

// follow adds the claim on the second-level output that spent c: ours
// after the delay, or a revoked one at once.
func (r *Resolution) follow(c *Claim, txid chainhash.Hash, tx *wire.MsgTx, inIndex, height uint32) {
	if c.Next == nil {
		return
	}
	idx := uint32(0)
	if r.Kind == KindBreach {
		// Anchors second-level transactions may be batched with
		// SIGHASH_SINGLE: input i pays output i.
		idx = inIndex
	}
	if int(idx) >= len(tx.TxOut) {
		return
	}
	pk, err := script.P2WSH(c.Next.WitnessScript)
	if err != nil || !bytes.Equal(pk, tx.TxOut[idx].PkScript) {
		return
	}
	n := *c.Next
	n.OutPoint = wire.OutPoint{Hash: txid, Index: idx}
	n.ValueSat, n.PkScript = tx.TxOut[idx].Value, pk
	n.MatureHeight = height + uint32(n.CSV)
	r.Claims = append(r.Claims, &n)
	if c.SecondLevel != nil {
		delete(r.Txs, txid.String())
	}
}

// checkDone ends the resolution once every claim is settled: spent, or
// dust we gave up (an output only we can spend, worth less than its fee,
// would otherwise keep the channel force-closing for ever). A resolution
// with no claims, a close that left us nothing, ends at once.
func (r *Resolution) checkDone(height uint32) {
	if r.Done {
		return
	}
	for _, c := range r.Claims {
		if !c.Done && !c.Dust {
			return
		}
	}
	if len(r.Txs) > 0 {
		return
	}
	r.Done, r.DoneHeight = true, height
}

func (r *Resolution) find(op wire.OutPoint) *Claim {
	for _, c := range r.Claims {
		if c.OutPoint == op {
			return c
		}
	}
	return nil
}

// preimageIn finds the preimage of hash among a witness's items.
func preimageIn(w wire.TxWitness, hash [32]byte) ([32]byte, bool) {
	for _, item := range w {
		if len(item) == 32 && sha256.Sum256(item) == hash {
			var p [32]byte
			copy(p[:], item)
			return p, true
		}
	}
	return [32]byte{}, false
}

package onchain

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/script"
)

// Lookup finds the revocation log's entry for the peer's commitment n
// (nil if there is none).
type Lookup func(n uint64) (*channel.RemoteCommit, error)

// Preimages finds the preimage of a payment hash we can claim (one of our
// invoices).
type Preimages func(hash [32]byte) ([32]byte, bool)

// errNotCommitment is a funding spend this channel cannot explain.
var errNotCommitment = errors.New("not a commitment of this channel")

// Classify recognises tx, which spent m's funding output in block height,
// and lists what we can claim from it.
//
// BOLT 5: "A node: ... upon discovering ... its local commitment
// transaction ... the remote node's commitment transaction ... a revoked
// commitment transaction: MUST handle it as specified".
func Classify(m *channel.Machine, tx *wire.MsgTx, height uint32, lookup Lookup, pre Preimages) (*Resolution, error) {
	r := &Resolution{Version: resolutionVersion, ChannelPoint: m.ChannelPoint().String(),
		CommitTxid: tx.TxHash(), CommitHeight: height, Anchors: m.State().Type == script.Anchors}
	if lc, err := m.LocalCommitment(); err == nil && lc.Tx.TxHash() == r.CommitTxid {
		r.Kind = KindLocalForce
		return r, r.claimLocal(m, lc, pre)
	}
	if b, revoked, err := rebuildRemote(m, tx, lookup); err == nil {
		if revoked {
			return r, r.claimBreach(m, b)
		}
		r.Kind = KindRemoteForce
		return r, r.claimRemote(m, b, pre)
	}
	// A commitment we have no record of: the peer's from a state we lost
	// (data loss), or one we cannot rebuild. static_remotekey makes our
	// to_remote script independent of the state, so it is still ours.
	r.Kind, r.Unknown = KindRemoteForce, true
	r.claimStaticRemote(m, tx)
	return r, nil
}

// rebuildRemote finds tx in the revocation log and rebuilds it; revoked
// says it is older than the peer's current commitment.
func rebuildRemote(m *channel.Machine, tx *wire.MsgTx, lookup Lookup) (*channel.Built, bool, error) {
	n, ok := m.CommitNumber(tx)
	if !ok {
		return nil, false, errNotCommitment
	}
	rc, err := lookup(n)
	if err != nil || rc == nil || rc.Txid != tx.TxHash() {
		return nil, false, fmt.Errorf("remote commitment %d: %w (%v)", n, errNotCommitment, err)
	}
	point, err := m.RemotePoint(n)
	if err != nil {
		return nil, false, err
	}
	b, err := m.RebuildRemote(rc, point)
	if err != nil {
		return nil, false, err
	}
	if b.Commit.Tx.TxHash() != rc.Txid {
		return nil, false, fmt.Errorf("remote commitment %d rebuilt as %s: %w", n, b.Commit.Tx.TxHash(), errNotCommitment)
	}
	return b, n < m.State().RemoteTail, nil
}

// toRemoteClaim is our output on a peer commitment: the payment basepoint,
// behind one block's CSV with anchors.
func (r *Resolution) toRemoteClaim(o *script.Output, pk []byte) *Claim {
	c := &Claim{OutPoint: wire.OutPoint{Hash: r.CommitTxid, Index: o.Index}, ValueSat: o.Value, PkScript: pk,
		What: "to_remote", Sweep: script.SweepToRemote, WitnessScript: o.WitnessScript,
		Key: KeyRef{Base: "payment"}, Anchors: r.Anchors, MatureHeight: r.CommitHeight}
	if r.Anchors {
		c.MatureHeight++
	}
	return c
}

// claimStaticRemote claims the output paying our static payment key, the
// only output of an unknown peer commitment that is surely ours.
func (r *Resolution) claimStaticRemote(m *channel.Machine, tx *wire.MsgTx) {
	pay := m.Keys().Payment.PubKey()
	ws, err := script.ToRemoteAnchorScript(pay)
	if err != nil {
		return
	}
	p2wsh, _ := script.P2WSH(ws)
	p2wpkh := script.P2WPKH(pay)
	for i, o := range tx.TxOut {
		out := &script.Output{Index: uint32(i), Value: o.Value}
		switch {
		case r.Anchors && bytes.Equal(o.PkScript, p2wsh):
			out.WitnessScript = ws
		case !r.Anchors && bytes.Equal(o.PkScript, p2wpkh):
		default:
			continue
		}
		r.Claims = append(r.Claims, r.toRemoteClaim(out, o.PkScript))
	}
}

// pkOf is the output script of commitment output i.
func pkOf(tx *wire.MsgTx, i uint32) []byte { return tx.TxOut[i].PkScript }

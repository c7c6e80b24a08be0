package onchain

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/script"
)

// claimLocal lists our own commitment's outputs: to_local after our
// to_self_delay, and each HTLC through its pre-signed second-level
// transaction (whose output is ours after the same delay).
//
// BOLT 5: "A node ... upon discovering its local commitment transaction:
// SHOULD spend the to_local output to a convenient address. MUST wait
// until the OP_CHECKSEQUENCEVERIFY delay has passed (as specified by the
// remote node's to_self_delay field) before spending the output."
func (r *Resolution) claimLocal(m *channel.Machine, lc *channel.LocalCommitment, pre Preimages) error {
	point := lc.Point.SerializeCompressed()
	delayed := KeyRef{Base: "delayed", Point: point}
	if o := lc.Commit.ToLocal; o != nil {
		r.Claims = append(r.Claims, &Claim{OutPoint: wire.OutPoint{Hash: r.CommitTxid, Index: o.Index},
			ValueSat: o.Value, PkScript: pkOf(lc.Tx, o.Index), What: "to_local", Sweep: script.SweepDelayed,
			WitnessScript: o.WitnessScript, Key: delayed, CSV: lc.ToSelfDelay,
			MatureHeight: r.CommitHeight + uint32(lc.ToSelfDelay)})
	}
	next, err := script.ToLocalScript(lc.Keys.Revocation, lc.Keys.LocalDelayed, lc.ToSelfDelay)
	if err != nil {
		return err
	}
	for i, o := range lc.Commit.HTLCs {
		c := r.htlcClaim(lc.Tx, o)
		c.Next = &Claim{What: "second_level", Sweep: script.SweepDelayed, WitnessScript: next,
			Key: delayed, CSV: lc.ToSelfDelay}
		p, known := pre(o.PaymentHash)
		if err := r.secondLevel(m, lc, i, c, p, known); err != nil {
			return err
		}
		r.Claims = append(r.Claims, c)
	}
	return nil
}

// htlcClaim is the bare claim of HTLC output o of commitment tx.
func (r *Resolution) htlcClaim(tx *wire.MsgTx, o script.HTLCOutput) *Claim {
	return &Claim{OutPoint: wire.OutPoint{Hash: r.CommitTxid, Index: o.Index}, ValueSat: tx.TxOut[o.Index].Value,
		PkScript: pkOf(tx, o.Index), What: "htlc", WitnessScript: o.WitnessScript,
		PaymentHash: o.PaymentHash, Anchors: r.Anchors, HTLCID: o.ID >> 1, AmountMsat: o.AmountMsat}
}

// secondLevel prepares the HTLC-timeout (an HTLC we offered) or
// HTLC-success (one we received) transaction of our HTLC output i with the
// peer's signature; ours is added when it matures (after wallet inputs for
// an anchors one). A received HTLC waits, watched, until we know its
// preimage.
func (r *Resolution) secondLevel(m *channel.Machine, lc *channel.LocalCommitment, i int, c *Claim, p [32]byte, known bool) error {
	o := lc.Commit.HTLCs[i]
	c.Offered = o.Offered
	c.Key = KeyRef{Base: "htlc", Point: lc.Point.SerializeCompressed()}
	theirs, err := lc.RemoteHTLCSigs[i].ToECDSA()
	if err != nil {
		return fmt.Errorf("second-level: peer signature: %w", err)
	}
	c.PeerSig = script.WitnessSig(theirs, script.RemoteHTLCSigHash(m.State().Type))
	var buf bytes.Buffer
	if err := lc.HTLCTxs[i].Serialize(&buf); err != nil {
		return err
	}
	c.SecondLevel = buf.Bytes()
	csv := uint32(0)
	if r.Anchors {
		csv = 1
	}
	c.MatureHeight = r.CommitHeight + csv
	switch {
	case o.Offered:
		c.MatureHeight = max(o.CltvExpiry+1, c.MatureHeight)
	case known:
		c.Preimage, c.HasPreimage = p, true
	default:
		c.WatchOnly = true
	}
	return nil
}

// claimRemote lists the peer's current commitment's outputs that pay us:
// to_remote, HTLCs we received whose preimage we know, and HTLCs we
// offered once they time out.
//
// BOLT 5: "upon discovering the commitment transaction for the remote
// node: MUST resolve each of its HTLC outputs: ... if it has the payment
// preimage: spend the output to a convenient address; ... if the HTLC
// output has timed out: spend the output to a convenient address."
func (r *Resolution) claimRemote(m *channel.Machine, b *channel.Built, pre Preimages) error {
	tx := b.Commit.Tx
	if o := b.Commit.ToRemote; o != nil {
		r.Claims = append(r.Claims, r.toRemoteClaim(o, pkOf(tx, o.Index)))
	}
	csv := uint32(0)
	if r.Anchors {
		csv = 1
	}
	for _, o := range b.Commit.HTLCs {
		c := r.htlcClaim(tx, o)
		c.Key = KeyRef{Base: "htlc", Point: b.Point.SerializeCompressed()}
		c.Offered = !o.Offered
		switch p, known := pre(o.PaymentHash); {
		case c.Offered:
			c.Sweep, c.CLTV = script.SweepRemoteHTLCTimeout, o.CltvExpiry
			c.MatureHeight = max(o.CltvExpiry+1, r.CommitHeight+csv)
		case known:
			c.Sweep = script.SweepRemoteHTLCSuccess
			c.Preimage, c.HasPreimage = p, true
			c.MatureHeight = r.CommitHeight + csv
		default:
			c.Sweep, c.WatchOnly = script.SweepRemoteHTLCSuccess, true
			c.MatureHeight = r.CommitHeight + csv
		}
		r.Claims = append(r.Claims, c)
	}
	return nil
}

// claimBreach takes every output of a revoked commitment: its to_local
// and each HTLC with the revocation key, to_remote as ours anyway, and
// (through Next) the output of any second-level transaction the peer
// manages to confirm first.
//
// BOLT 5: "upon discovering a revoked commitment transaction: MUST
// resolve the _to_local output_ ... by spending it using the revocation
// private key ... MUST resolve the _to_remote output_ ... MUST resolve the
// _remote node's offered HTLCs_ ... and _remote node's received HTLCs_ ...
// by spending using the revocation private key ... MUST resolve the
// remote node's HTLC-timeout or HTLC-success transaction outputs by
// spending them using the revocation private key."
func (r *Resolution) claimBreach(m *channel.Machine, b *channel.Built) error {
	r.Kind = KindBreach
	sec, err := m.RemoteSecret(b.Number)
	if err != nil {
		return err
	}
	rev := KeyRef{Base: "revocation", Secret: sec[:]}
	tx := b.Commit.Tx
	if o := b.Commit.ToLocal; o != nil {
		r.Claims = append(r.Claims, &Claim{OutPoint: wire.OutPoint{Hash: r.CommitTxid, Index: o.Index},
			ValueSat: o.Value, PkScript: pkOf(tx, o.Index), What: "to_local", Sweep: script.SweepRevokedToLocal,
			WitnessScript: o.WitnessScript, Key: rev, MatureHeight: r.CommitHeight})
	}
	if o := b.Commit.ToRemote; o != nil {
		r.Claims = append(r.Claims, r.toRemoteClaim(o, pkOf(tx, o.Index)))
	}
	next, err := script.ToLocalScript(b.Keys.Revocation, b.Keys.LocalDelayed, m.State().Local.ToSelfDelay)
	if err != nil {
		return err
	}
	for _, o := range b.Commit.HTLCs {
		c := r.htlcClaim(tx, o)
		c.Sweep, c.Key, c.MatureHeight, c.Offered = script.SweepRevokedHTLC, rev, r.CommitHeight, !o.Offered
		c.Next = &Claim{What: "second_level", Sweep: script.SweepRevokedToLocal, WitnessScript: next, Key: rev}
		r.Claims = append(r.Claims, c)
	}
	return nil
}

package channel

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// RemoteCommit is a peer commitment we signed: enough to recognise it
// on-chain and rebuild every output's script once its per-commitment point
// (or, once revoked, its secret) is known. The host keeps one per number
// (the revocation log), since folding drops settled HTLCs from the update
// log while a revoked commitment holding them can still be broadcast.
type RemoteCommit struct {
	Number       uint64
	Txid         chainhash.Hash
	FeeratePerKw uint32
	// TheirMsat and OurMsat are the balances before fees, HTLCs excluded.
	TheirMsat, OurMsat uint64
	// HTLCs are seen from the peer: Offered means the peer offered it.
	HTLCs []script.HTLC `json:",omitempty"`
}

// recordOf is the revocation-log entry of the peer commitment b.
func recordOf(b *built) *RemoteCommit {
	rc := &RemoteCommit{Number: b.number, Txid: b.commit.Tx.TxHash(), FeeratePerKw: b.view.feerate,
		TheirMsat: uint64(b.view.theirMsat), OurMsat: uint64(b.view.ourMsat)}
	for _, u := range b.view.htlcs {
		rc.HTLCs = append(rc.HTLCs, script.HTLC{Offered: u.Origin == Remote, AmountMsat: u.AmountMsat,
			PaymentHash: u.PaymentHash, CltvExpiry: u.CltvExpiry, ID: htlcKey(u.Origin, u.HTLCID)})
	}
	return rc
}

// Built is a commitment rebuilt for on-chain resolution, with the keys of
// its scripts and the per-commitment point they were derived for.
type Built struct {
	Commit *script.Commitment
	Keys   *script.CommitKeys
	Point  *btcec.PublicKey
	// Number is the commitment number, Feerate its fee rate.
	Number  uint64
	Feerate uint32
}

func exported(b *built) *Built {
	return &Built{Commit: b.commit, Keys: b.keys, Point: b.point, Number: b.number, Feerate: b.view.feerate}
}

// CommitNumber reads the commitment number a commitment transaction of
// this channel carries obscured in its locktime and sequence.
func (m *Machine) CommitNumber(tx *wire.MsgTx) (uint64, bool) {
	if len(tx.TxIn) != 1 || tx.TxIn[0].PreviousOutPoint != m.st.FundingOutpoint() {
		return 0, false
	}
	return script.CommitNumberFromTx(tx.TxIn[0].Sequence, tx.LockTime, m.st.Obscurer)
}

// RemoteSecret is the per-commitment secret the peer revealed when it
// revoked its commitment n, or an error if n is not revoked.
func (m *Machine) RemoteSecret(n uint64) ([32]byte, error) {
	if n >= m.st.RemoteTail {
		return [32]byte{}, fmt.Errorf("remote commitment %d is not revoked (tail %d)", n, m.st.RemoteTail)
	}
	return m.st.RemoteSecrets.LookUp(keys.MaxCommitmentIndex - n)
}

// RemotePoint is the peer's per-commitment point of its commitment n:
// known for the current and next commitments, derived from the secret for
// revoked ones.
func (m *Machine) RemotePoint(n uint64) (*btcec.PublicKey, error) {
	if n < m.st.RemoteTail {
		sec, err := m.RemoteSecret(n)
		if err != nil {
			return nil, err
		}
		return script.PerCommitmentPoint(sec)
	}
	return m.st.remotePoint(n)
}

// RebuildRemote rebuilds the peer's commitment rc for its per-commitment
// point.
func (m *Machine) RebuildRemote(rc *RemoteCommit, point *btcec.PublicKey) (*Built, error) {
	v := &view{ourMsat: int64(rc.OurMsat), theirMsat: int64(rc.TheirMsat), feerate: rc.FeeratePerKw}
	for _, h := range rc.HTLCs {
		origin := Local
		if h.Offered {
			origin = Remote
		}
		v.htlcs = append(v.htlcs, &Update{Origin: origin, Kind: KindAdd, HTLCID: h.ID >> 1,
			AmountMsat: h.AmountMsat, PaymentHash: h.PaymentHash, CltvExpiry: h.CltvExpiry})
	}
	b, err := m.buildAt(m.st, Remote, rc.Number, v, point)
	if err != nil {
		return nil, fmt.Errorf("rebuild remote commitment %d: %w", rc.Number, err)
	}
	return exported(b), nil
}

// LocalCommitment is our current commitment, signed by both sides, and
// the peer's signatures on its second-level HTLC transactions.
type LocalCommitment struct {
	*Built
	// Tx carries the funding input's witness: ready to broadcast.
	Tx *wire.MsgTx
	// HTLCTxs are the unsigned second-level transactions in the order of
	// Commit.HTLCs, RemoteHTLCSigs the peer's signatures on them.
	HTLCTxs        []*wire.MsgTx
	RemoteHTLCSigs []lnwire.Sig
	ToSelfDelay    uint16
}

// LocalCommitment builds our current commitment with both signatures.
// A channel that lost data has none it may broadcast.
func (m *Machine) LocalCommitment() (*LocalCommitment, error) {
	s := m.st
	if s.DataLoss {
		return nil, ErrDataLoss
	}
	if s.Phase < PhaseAwaitLocked {
		return nil, fmt.Errorf("local commitment: channel is %s", s.Phase)
	}
	v, err := s.viewOf(Local, s.LocalNumber)
	if err != nil {
		return nil, err
	}
	b, err := m.build(s, Local, s.LocalNumber, v)
	if err != nil {
		return nil, err
	}
	tx := b.commit.Tx.Copy()
	if err := m.signFundingInput(s, tx, b.commit.FundingScript); err != nil {
		return nil, err
	}
	lc := &LocalCommitment{Built: exported(b), Tx: tx, ToSelfDelay: s.Remote.ToSelfDelay,
		RemoteHTLCSigs: append([]lnwire.Sig(nil), s.LocalHTLCSigs...)}
	for _, o := range b.commit.HTLCs {
		htx, err := htlcTx(s, b, o)
		if err != nil {
			return nil, err
		}
		lc.HTLCTxs = append(lc.HTLCTxs, htx)
	}
	return lc, nil
}

// signFundingInput completes the commitment's funding input with our
// signature and the peer's stored one.
func (m *Machine) signFundingInput(s *State, tx *wire.MsgTx, fundingScript []byte) error {
	theirs, err := s.LocalSig.ToECDSA()
	if err != nil {
		return fmt.Errorf("local commitment: peer signature: %w", err)
	}
	ours, err := script.SignFundingInput(tx, fundingScript, s.FundingSat, m.keys.Funding)
	if err != nil {
		return fmt.Errorf("local commitment: %w", err)
	}
	theirKey, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return err
	}
	tx.TxIn[0].Witness = script.FundingWitness(fundingScript, m.keys.FundingPub(), theirKey,
		script.WitnessSig(ours, txscript.SigHashAll), script.WitnessSig(theirs, txscript.SigHashAll))
	return nil
}

// Keys are the channel's secrets, which on-chain resolution signs with.
func (m *Machine) Keys() *LocalKeys { return m.keys }

package channel

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

func (k RemoteKeys) basepoints() (script.Basepoints, error) {
	var b script.Basepoints
	for _, f := range []struct {
		p   lnwire.Point
		dst **btcec.PublicKey
	}{
		{k.Revocation, &b.Revocation}, {k.Payment, &b.Payment},
		{k.Delayed, &b.DelayedPayment}, {k.HTLC, &b.HTLC},
	} {
		pub, err := f.p.PubKey()
		if err != nil {
			return b, fmt.Errorf("peer basepoint: %w", err)
		}
		*f.dst = pub
	}
	return b, nil
}

// built is a commitment transaction with the keys it was built for.
type built struct {
	holder Side
	number uint64
	view   *view
	keys   *script.CommitKeys
	point  *btcec.PublicKey
	commit *script.Commitment
}

// remotePoint is the peer's per-commitment point for its commitment n; we
// only ever know the points of its current and next commitments.
func (s *State) remotePoint(n uint64) (*btcec.PublicKey, error) {
	switch n {
	case s.RemoteTail:
		return s.RemoteTailPoint.PubKey()
	case s.RemoteTail + 1:
		return s.RemoteNextPoint.PubKey()
	}
	return nil, fmt.Errorf("no per-commitment point for remote commitment %d (tail %d)", n, s.RemoteTail)
}

// build constructs holder's commitment number n holding view v.
func (m *Machine) build(s *State, holder Side, n uint64, v *view) (*built, error) {
	var point *btcec.PublicKey
	var err error
	if holder == Local {
		point, err = m.keys.Point(n)
	} else {
		point, err = s.remotePoint(n)
	}
	if err != nil {
		return nil, fmt.Errorf("%s commitment %d: %w", holder, n, err)
	}
	return m.buildAt(s, holder, n, v, point)
}

// buildAt constructs holder's commitment n for the per-commitment point
// given: on-chain resolution rebuilds revoked peer commitments, whose
// points come from their revealed secrets.
func (m *Machine) buildAt(s *State, holder Side, n uint64, v *view, point *btcec.PublicKey) (*built, error) {
	theirs, err := s.RemoteKeys.basepoints()
	if err != nil {
		return nil, err
	}
	theirFunding, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return nil, fmt.Errorf("peer funding key: %w", err)
	}
	ours := m.keys.Basepoints()
	p := &script.CommitmentParams{
		Type:            s.Type,
		FundingOutpoint: s.FundingOutpoint(),
		FundingSat:      s.FundingSat,
		CommitNumber:    n,
		Obscurer:        s.Obscurer,
		FeeratePerKw:    v.feerate,
	}
	if holder == Local {
		p.LocalFundingKey, p.RemoteFundingKey = m.keys.FundingPub(), theirFunding
		p.LocalIsOpener = s.Opener
		p.ToSelfDelay = s.Remote.ToSelfDelay
		p.DustLimitSat = s.Local.DustLimitSat
		p.ToLocalMsat, p.ToRemoteMsat = uint64(v.ourMsat), uint64(v.theirMsat)
	} else {
		p.LocalFundingKey, p.RemoteFundingKey = theirFunding, m.keys.FundingPub()
		p.LocalIsOpener = !s.Opener
		p.ToSelfDelay = s.Local.ToSelfDelay
		p.DustLimitSat = s.Remote.DustLimitSat
		p.ToLocalMsat, p.ToRemoteMsat = uint64(v.theirMsat), uint64(v.ourMsat)
		ours, theirs = theirs, ours
	}
	ck, err := script.DeriveCommitKeys(s.Type, point, ours, theirs)
	if err != nil {
		return nil, fmt.Errorf("%s commitment %d keys: %w", holder, n, err)
	}
	p.Keys = ck
	for _, u := range v.htlcs {
		p.HTLCs = append(p.HTLCs, script.HTLC{
			Offered:     u.Origin == holder,
			AmountMsat:  u.AmountMsat,
			PaymentHash: u.PaymentHash,
			CltvExpiry:  u.CltvExpiry,
			ID:          htlcKey(u.Origin, u.HTLCID),
		})
	}
	c, err := script.BuildCommitment(p)
	if err != nil {
		return nil, fmt.Errorf("%s commitment %d: %w", holder, n, err)
	}
	return &built{holder: holder, number: n, view: v, keys: ck, point: point, commit: c}, nil
}

// htlcKey packs an HTLC's origin into the opaque ID script carries, since
// both sides number their HTLCs from 0.
func htlcKey(origin Side, id uint64) uint64 { return id<<1 | uint64(origin) }

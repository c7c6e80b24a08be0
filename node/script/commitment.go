package script

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"
)

// CommitmentParams is everything one commitment transaction depends on,
// from the point of view of its holder ("local").
type CommitmentParams struct {
	Type            CommitmentType
	FundingOutpoint wire.OutPoint
	FundingSat      int64
	// LocalFundingKey and RemoteFundingKey make the funding script the
	// transaction spends; with anchors each anchor pays to one of them.
	LocalFundingKey, RemoteFundingKey *btcec.PublicKey
	// CommitNumber is the 0-based commitment number, written obscured by
	// Obscurer (see ObscuringFactor) into the locktime and sequence.
	CommitNumber uint64
	Obscurer     uint64
	// LocalIsOpener says whether the holder opened the channel: the opener
	// pays the commitment fee and the anchors.
	LocalIsOpener bool
	// ToSelfDelay is the CSV delay on the holder's own outputs, chosen by
	// the counterparty.
	ToSelfDelay uint16
	// DustLimitSat is the holder's dust_limit_satoshis.
	DustLimitSat int64
	FeeratePerKw uint32
	// ToLocalMsat and ToRemoteMsat are the balances before fees, HTLCs
	// excluded. With HTLCs they must add up to FundingSat.
	ToLocalMsat, ToRemoteMsat uint64
	HTLCs                     []HTLC
	Keys                      *CommitKeys
	// AllowFeeShortfall builds the transaction even when the opener cannot
	// pay the fee: the opener's output then goes entirely to fees, as in
	// BOLT 3's vector "commitment tx with fee greater than funder amount".
	// A channel must never sign such a state; only tests and tools that
	// recognise a broadcast transaction set it.
	AllowFeeShortfall bool
}

// Commitment is a built, unsigned commitment transaction and the map from
// its outputs back to the channel state.
type Commitment struct {
	// Tx has its outputs in BIP69+CLTV order; its input has no witness.
	Tx *wire.MsgTx
	// FundingScript is the witness script of the spent funding output.
	FundingScript []byte
	// FeeSat is the fee the transaction really pays: the funding amount
	// minus all outputs, so it includes trimmed HTLCs, dust balances and
	// msat rounding. BaseFeeSat is the part BOLT 3's formula charges.
	FeeSat, BaseFeeSat int64
	// ToLocal and ToRemote are nil when trimmed; the anchors are nil
	// without option_anchors or when BOLT 3 leaves them out.
	ToLocal, ToRemote         *Output
	LocalAnchor, RemoteAnchor *Output
	// HTLCs are the untrimmed HTLCs in output order, which is also the
	// order of htlc_signatures in commitment_signed.
	HTLCs []HTLCOutput
	// Trimmed are the HTLCs whose value went to fees, in input order.
	Trimmed []HTLC
}

// Tags of the non-HTLC outputs while they are sorted; HTLC outputs are
// tagged with their index in the untrimmed list.
const (
	tagToLocal = -1 - iota
	tagToRemote
	tagLocalAnchor
	tagRemoteAnchor
)

// BuildCommitment builds the holder's commitment transaction.
//
// BOLT 3 (Commitment Transaction Construction): "1. Initialize the
// commitment transaction input and locktime ... 1. Calculate which
// committed HTLCs need to be trimmed. 2. Calculate the base commitment
// transaction fee. 3. Subtract this base fee from the funder ... If
// option_anchors applies to the commitment transaction, also subtract two
// times the fixed anchor size of 330 sats from the funder. 4. For every
// offered HTLC, if it is not trimmed, add an offered HTLC output. 5. For
// every received HTLC, if it is not trimmed, add an received HTLC output.
// 6. If the to_local amount is greater or equal to dust_limit_satoshis,
// add a to_local output. 7. If the to_remote amount is greater or equal to
// dust_limit_satoshis, add a to_remote output. 8. If option_anchors
// applies to the commitment transaction: if to_local exists or there are
// untrimmed HTLCs, add a to_local_anchor output; if to_remote exists or
// there are untrimmed HTLCs, add a to_remote_anchor output. 9. Sort the
// outputs into BIP 69+CLTV order."
func BuildCommitment(p *CommitmentParams) (*Commitment, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	fundingScript, err := FundingScript(p.LocalFundingKey, p.RemoteFundingKey)
	if err != nil {
		return nil, fmt.Errorf("build commitment: %w", err)
	}
	var untrimmed, trimmed []HTLC
	for _, h := range p.HTLCs {
		if IsTrimmed(p.Type, h, p.DustLimitSat, p.FeeratePerKw) {
			trimmed = append(trimmed, h)
		} else {
			untrimmed = append(untrimmed, h)
		}
	}
	baseFee := CommitFee(p.Type, p.FeeratePerKw, len(untrimmed))
	toLocalSat, toRemoteSat, err := p.balancesAfterFee(baseFee)
	if err != nil {
		return nil, err
	}
	outs, err := p.outputs(untrimmed, toLocalSat, toRemoteSat)
	if err != nil {
		return nil, err
	}
	sortOutputs(outs)

	tx := wire.NewMsgTx(2)
	seq, lock := obscuredSequenceLocktime(p.CommitNumber, p.Obscurer)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: p.FundingOutpoint, Sequence: seq})
	tx.LockTime = lock
	c := &Commitment{Tx: tx, FundingScript: fundingScript, BaseFeeSat: baseFee, Trimmed: trimmed}
	c.FeeSat = p.FundingSat
	for i, o := range outs {
		tx.AddTxOut(o.txOut)
		c.FeeSat -= o.txOut.Value
		c.place(uint32(i), o, untrimmed)
	}
	return c, nil
}

// place records where a sorted output ended up.
func (c *Commitment) place(index uint32, o sortableOutput, untrimmed []HTLC) {
	out := &Output{Index: index, Value: o.txOut.Value, WitnessScript: o.witnessScript}
	switch o.tag {
	case tagToLocal:
		c.ToLocal = out
	case tagToRemote:
		c.ToRemote = out
	case tagLocalAnchor:
		c.LocalAnchor = out
	case tagRemoteAnchor:
		c.RemoteAnchor = out
	default:
		c.HTLCs = append(c.HTLCs, HTLCOutput{
			HTLC: untrimmed[o.tag], Index: index, WitnessScript: o.witnessScript,
		})
	}
}

// check refuses parameters no channel state can have, before any of them
// is used.
func (p *CommitmentParams) check() error {
	if p == nil {
		return fmt.Errorf("%w: nil parameters", ErrCommitParams)
	}
	if err := checkType(p.Type); err != nil {
		return err
	}
	if err := p.Keys.check(); err != nil {
		return err
	}
	if p.LocalFundingKey == nil || p.RemoteFundingKey == nil {
		return fmt.Errorf("%w: nil funding key", ErrCommitParams)
	}
	if p.FundingSat <= 0 || p.FundingSat > btcutil.MaxSatoshi {
		return fmt.Errorf("%w: funding amount %d sat", ErrCommitParams, p.FundingSat)
	}
	if p.DustLimitSat <= 0 {
		// A zero dust limit would let zero-value outputs through.
		return fmt.Errorf("%w: dust limit %d sat", ErrCommitParams, p.DustLimitSat)
	}
	if p.CommitNumber > commitNumberMask {
		return fmt.Errorf("%w: commitment number %d exceeds 48 bits", ErrCommitParams, p.CommitNumber)
	}
	return p.checkBalances()
}

// checkBalances makes sure the balances and HTLCs account for exactly the
// funding amount: anything else means the caller's state is corrupt, and
// signing it would give money away or produce an invalid transaction.
func (p *CommitmentParams) checkBalances() error {
	total := p.ToLocalMsat
	add := func(v uint64) bool {
		if total+v < total {
			return false
		}
		total += v
		return true
	}
	ok := add(p.ToRemoteMsat)
	for _, h := range p.HTLCs {
		ok = ok && add(h.AmountMsat)
	}
	if want := uint64(p.FundingSat) * 1000; !ok || total != want {
		return fmt.Errorf("%w: balances and HTLCs total %d msat, funding is %d msat",
			ErrCommitParams, total, want)
	}
	return nil
}

// balancesAfterFee charges the base fee (and the anchors) to the opener
// and rounds both balances down to satoshis.
//
// BOLT 3: "Base commitment transaction fees and amounts for
// to_local_anchor and to_remote_anchor outputs are extracted from the
// funder's amount".
func (p *CommitmentParams) balancesAfterFee(baseFee int64) (toLocalSat, toRemoteSat int64, err error) {
	chargeSat := baseFee
	if p.Type == Anchors {
		chargeSat += 2 * AnchorSat
	}
	local, remote := p.ToLocalMsat, p.ToRemoteMsat
	opener := &remote
	if p.LocalIsOpener {
		opener = &local
	}
	charge := uint64(chargeSat) * 1000
	switch {
	case *opener >= charge:
		*opener -= charge
	case p.AllowFeeShortfall:
		*opener = 0
	default:
		return 0, 0, fmt.Errorf("%w: opener has %d msat, fee is %d sat (base fee %d sat at %d sat/kw)",
			ErrOpenerCannotPay, *opener, chargeSat, baseFee, p.FeeratePerKw)
	}
	return int64(local / 1000), int64(remote / 1000), nil
}

// outputs creates every output the commitment gets, unsorted.
func (p *CommitmentParams) outputs(untrimmed []HTLC, toLocalSat, toRemoteSat int64) ([]sortableOutput, error) {
	outs := make([]sortableOutput, 0, len(untrimmed)+4)
	add := func(tag int, value int64, ws, pkScript []byte, cltv uint32) {
		outs = append(outs, sortableOutput{
			txOut: wire.NewTxOut(value, pkScript), cltv: cltv, tag: tag, witnessScript: ws,
		})
	}
	for i, h := range untrimmed {
		ws, err := htlcScript(p.Type, p.Keys, h)
		if err != nil {
			return nil, fmt.Errorf("build commitment: %w", err)
		}
		add(i, h.amountSat(), ws, p2wsh(ws), h.CltvExpiry)
	}
	hasLocal := toLocalSat >= p.DustLimitSat
	if hasLocal {
		ws, err := ToLocalScript(p.Keys.Revocation, p.Keys.LocalDelayed, p.ToSelfDelay)
		if err != nil {
			return nil, fmt.Errorf("build commitment: %w", err)
		}
		add(tagToLocal, toLocalSat, ws, p2wsh(ws), 0)
	}
	hasRemote := toRemoteSat >= p.DustLimitSat
	if hasRemote {
		ws, pk, err := toRemoteOutput(p.Type, p.Keys.ToRemote)
		if err != nil {
			return nil, fmt.Errorf("build commitment: %w", err)
		}
		add(tagToRemote, toRemoteSat, ws, pk, 0)
	}
	if p.Type != Anchors {
		return outs, nil
	}
	for _, a := range []struct {
		tag     int
		present bool
		key     *btcec.PublicKey
	}{
		{tagLocalAnchor, hasLocal || len(untrimmed) > 0, p.LocalFundingKey},
		{tagRemoteAnchor, hasRemote || len(untrimmed) > 0, p.RemoteFundingKey},
	} {
		if !a.present {
			continue
		}
		ws, err := AnchorScript(a.key)
		if err != nil {
			return nil, fmt.Errorf("build commitment: %w", err)
		}
		add(a.tag, AnchorSat, ws, p2wsh(ws), 0)
	}
	return outs, nil
}

// htlcScript is the witness script of h's output on the holder's
// commitment.
func htlcScript(t CommitmentType, k *CommitKeys, h HTLC) ([]byte, error) {
	if h.Offered {
		return OfferedHTLCScript(t, k.Revocation, k.LocalHTLC, k.RemoteHTLC, h.PaymentHash)
	}
	return ReceivedHTLCScript(t, k.Revocation, k.LocalHTLC, k.RemoteHTLC, h.PaymentHash, h.CltvExpiry)
}

// toRemoteOutput returns to_remote's witness script (nil for P2WPKH) and
// output script.
func toRemoteOutput(t CommitmentType, key *btcec.PublicKey) (ws, pkScript []byte, err error) {
	if t != Anchors {
		return nil, P2WPKH(key), nil
	}
	ws, err = ToRemoteAnchorScript(key)
	if err != nil {
		return nil, nil, err
	}
	return ws, p2wsh(ws), nil
}

package script

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ErrSweepDust reports a sweep with nothing worth claiming: no inputs, or
// inputs whose value after the fee would leave an output below the dust
// limit. node/onchain waits for a lower feerate or gives the outputs up.
var ErrSweepDust = errors.New("script: sweep output would be dust")

// SweepKind is how one input of a sweep is spent: which branch of which
// BOLT 3 script, hence its witness, its input sequence and its locktime.
type SweepKind uint8

const (
	// SweepDelayed spends the to_local output of our own commitment, or the
	// output of our HTLC-timeout or HTLC-success transaction, after
	// to_self_delay. Key is our local_delayed private key for that
	// commitment's per_commitment_point; WitnessScript is ToLocalScript.
	SweepDelayed SweepKind = iota
	// SweepRevokedToLocal spends the to_local output of a revoked peer
	// commitment, or the output of the peer's HTLC-timeout or HTLC-success
	// transaction spent from one. Key is the revocation private key
	// (DeriveRevocationPrivKey); WitnessScript is ToLocalScript.
	SweepRevokedToLocal
	// SweepRevokedHTLC spends an HTLC output, offered or received, of a
	// revoked peer commitment. Key is the revocation private key;
	// WitnessScript is OfferedHTLCScript or ReceivedHTLCScript.
	SweepRevokedHTLC
	// SweepToRemote spends our to_remote output on the peer's commitment.
	// Key is our payment_basepoint secret. With StaticRemoteKey it is a
	// P2WPKH and WitnessScript is nil; with Anchors WitnessScript is
	// ToRemoteAnchorScript.
	SweepToRemote
	// SweepRemoteHTLCSuccess claims, with its preimage, an HTLC the peer
	// offered us on the peer's commitment. Key is our htlc private key for
	// the peer's per_commitment_point; WitnessScript is OfferedHTLCScript
	// with the peer as holder.
	SweepRemoteHTLCSuccess
	// SweepRemoteHTLCTimeout takes back, after cltv_expiry, an HTLC we
	// offered, on the peer's commitment. Key is our htlc private key for
	// the peer's per_commitment_point; WitnessScript is ReceivedHTLCScript
	// with the peer as holder.
	SweepRemoteHTLCTimeout
	// SweepAnchor spends our anchor output at once with our funding key,
	// usually to carry a CPFP child. WitnessScript is AnchorScript.
	SweepAnchor
)

// String names the kind for errors and logs.
func (k SweepKind) String() string {
	switch k {
	case SweepDelayed:
		return "delayed"
	case SweepRevokedToLocal:
		return "revoked to_local"
	case SweepRevokedHTLC:
		return "revoked htlc"
	case SweepToRemote:
		return "to_remote"
	case SweepRemoteHTLCSuccess:
		return "remote htlc success"
	case SweepRemoteHTLCTimeout:
		return "remote htlc timeout"
	case SweepAnchor:
		return "anchor"
	default:
		return fmt.Sprintf("SweepKind(%d)", uint8(k))
	}
}

// SweepInput is one output of a closed channel's transactions that we can
// spend, with everything needed to sign for it.
type SweepInput struct {
	Kind     SweepKind
	OutPoint wire.OutPoint
	ValueSat int64
	// WitnessScript is the P2WSH script of the output; nil only for the
	// P2WPKH to_remote of a StaticRemoteKey commitment.
	WitnessScript []byte
	// Key is the private key that signs this input.
	Key *btcec.PrivateKey
	// Preimage is the payment preimage, for SweepRemoteHTLCSuccess.
	Preimage [32]byte
	// CSV is to_self_delay, for SweepDelayed.
	CSV uint16
	// CLTV is cltv_expiry, for SweepRemoteHTLCTimeout.
	CLTV uint32
	// Anchors is true when the output is on an option_anchors commitment,
	// whose to_remote and HTLC scripts carry `1 OP_CHECKSEQUENCEVERIFY`.
	Anchors bool
}

// Sweep limits. sweepDustLimitSat is the P2WSH dust limit, the largest of
// the standard segwit outputs, so one rule serves every destination.
// maxStandardTxWeight is bitcoind's relay limit: BOLT 5 sizes a full
// penalty transaction (483 HTLCs each way) to fit under it, but a caller
// batching more must split rather than build a transaction nobody relays.
const (
	sweepDustLimitSat   = 330
	maxStandardTxWeight = 400_000
	// sweepSequence leaves nLockTime enforced and signals BIP125, so a
	// sweep with no relative timelock can still be fee-bumped.
	sweepSequence = wire.MaxTxInSequenceNum - 2
)

// SweepPkScript returns the output script in spends: P2WSH of its
// WitnessScript, or P2WPKH of its Key's public key when WitnessScript is
// nil. It is nil when in has neither.
func SweepPkScript(in SweepInput) []byte {
	if in.WitnessScript != nil {
		return p2wsh(in.WitnessScript)
	}
	if in.Key == nil {
		return nil
	}
	return P2WPKH(in.Key.PubKey())
}

// SweepSequence returns the nSequence in's script requires.
//
// BOLT 3 (to_local): "The output is spent by an input with nSequence field
// set to to_self_delay (which can only be valid after that duration has
// passed)"; (to_remote, HTLC outputs) "if option_anchors applies, the
// nSequence field of the spending input must be 1". The revocation and
// anchor branches carry no CSV.
func SweepSequence(in SweepInput) uint32 {
	switch in.Kind {
	case SweepDelayed:
		// BIP68: disable flag and type flag clear, so this counts blocks.
		return uint32(in.CSV)
	case SweepToRemote, SweepRemoteHTLCSuccess, SweepRemoteHTLCTimeout:
		if in.Anchors {
			return 1
		}
	}
	return sweepSequence
}

// SweepLockTime returns the nLockTime a sweep of inputs needs: the latest
// cltv_expiry among its SweepRemoteHTLCTimeout inputs, or 0.
//
// BOLT 5 (remote commitment, local offers): "if the commitment
// transaction HTLC output has timed out AND NOT been resolved: MUST
// resolve the output, by spending it to a convenient address." The
// timeout branch's OP_CHECKLOCKTIMEVERIFY enforces the "timed out":
// nLockTime >= cltv_expiry.
func SweepLockTime(inputs []SweepInput) uint32 {
	var lockTime uint32
	for _, in := range inputs {
		if in.Kind == SweepRemoteHTLCTimeout && in.CLTV > lockTime {
			lockTime = in.CLTV
		}
	}
	return lockTime
}

// sweepSigSize is the signature size weights assume, as in BOLT 3
// Appendix A: a 72-byte DER signature plus its sighash byte.
const sweepSigSize = 73

// sweepWitnessItems returns the sizes of in's witness stack items other
// than the witness script, with a sweepSigSize signature; they mirror
// sweepWitness.
func sweepWitnessItems(in SweepInput) []int {
	switch in.Kind {
	case SweepDelayed, SweepRemoteHTLCTimeout:
		return []int{sweepSigSize, 0}
	case SweepRevokedToLocal:
		return []int{sweepSigSize, 1}
	case SweepRevokedHTLC:
		return []int{sweepSigSize, 33}
	case SweepRemoteHTLCSuccess:
		return []int{sweepSigSize, 32}
	case SweepToRemote:
		if in.WitnessScript == nil {
			return []int{sweepSigSize, 33}
		}
	}
	return []int{sweepSigSize}
}

// sweepInputSize is the non-witness size of a segwit input: outpoint,
// empty script_sig and sequence.
const sweepInputSize = 36 + 1 + 4

// SweepInputWeight is the weight in adds to any transaction: its input
// and its witness, with a 73-byte signature. A caller attaching in to a
// transaction of its own (an anchor to a CPFP child) budgets its fee with
// it.
func SweepInputWeight(in SweepInput) int64 {
	items := sweepWitnessItems(in)
	if in.WitnessScript != nil {
		items = append(items, len(in.WitnessScript))
	}
	size := wire.VarIntSerializeSize(uint64(len(items)))
	for _, n := range items {
		size += wire.VarIntSerializeSize(uint64(n)) + n
	}
	return 4*sweepInputSize + int64(size)
}

// SweepWeight is the expected weight of a sweep of inputs to one output
// paying destScript, with 73-byte signatures: an upper bound of the real
// weight, so the fee paid is never below the feerate asked for.
func SweepWeight(inputs []SweepInput, destScript []byte) int64 {
	// version, input and output counts, the output, locktime.
	base := 4 + wire.VarIntSerializeSize(uint64(len(inputs))) + wire.VarIntSerializeSize(1) +
		8 + wire.VarIntSerializeSize(uint64(len(destScript))) + len(destScript) + 4
	// The segwit marker and flag count as witness data.
	weight := 4*int64(base) + 2
	for _, in := range inputs {
		weight += SweepInputWeight(in)
	}
	return weight
}

// BuildSweep builds and signs a version-2 transaction spending every input
// to one output paying destScript. The fee is feeratePerKw times
// SweepWeight, and feeSat is what it pays. Inputs keep their order, each
// with the sequence SweepSequence gives; the locktime is SweepLockTime.
//
// BOLT 5: upon discovering its local commitment a node "SHOULD spend the
// to_local output to a convenient address" and "MUST wait until the
// OP_CHECKSEQUENCEVERIFY delay has passed"; on a revoked one it "MUST
// resolve the remote node's main output by spending it using the
// revocation private key", likewise its HTLCs and second-level outputs,
// and "MAY use a single transaction to resolve all the outputs". With
// option_anchors, revoked outputs near their expiry "SHOULD" go in
// separate penalty transactions: the caller decides how to batch.
//
// It returns ErrSweepDust when inputs is empty or the output would be
// below 330 sat, and ErrCommitParams for malformed inputs.
func BuildSweep(inputs []SweepInput, destScript []byte, feeratePerKw uint32) (tx *wire.MsgTx, feeSat int64, err error) {
	if err := checkSweep(inputs, destScript); err != nil {
		return nil, 0, err
	}
	weight := SweepWeight(inputs, destScript)
	if weight > maxStandardTxWeight {
		return nil, 0, fmt.Errorf("%w: sweep of %d inputs weighs %d, above the standard %d: split it",
			ErrCommitParams, len(inputs), weight, maxStandardTxWeight)
	}
	feeSat = int64(feeratePerKw) * weight / 1000
	value := sweepTotal(inputs) - feeSat
	if value < sweepDustLimitSat {
		return nil, 0, fmt.Errorf("%w: %d sat of inputs minus a %d sat fee leaves %d sat, below %d",
			ErrSweepDust, sweepTotal(inputs), feeSat, value, sweepDustLimitSat)
	}
	tx = wire.NewMsgTx(2)
	tx.LockTime = SweepLockTime(inputs)
	prevOuts := txscript.NewMultiPrevOutFetcher(nil)
	for _, in := range inputs {
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: in.OutPoint, Sequence: SweepSequence(in)})
		prevOuts.AddPrevOut(in.OutPoint, wire.NewTxOut(in.ValueSat, SweepPkScript(in)))
	}
	tx.AddTxOut(wire.NewTxOut(value, destScript))
	hashes := txscript.NewTxSigHashes(tx, prevOuts)
	for i, in := range inputs {
		if err := signSweepInput(tx, i, in, hashes); err != nil {
			return nil, 0, err
		}
	}
	return tx, feeSat, nil
}

// sweepTotal is the value of inputs. checkSweepInput bounds each by the
// 21M BTC supply, so the sum cannot overflow.
func sweepTotal(inputs []SweepInput) int64 {
	var total int64
	for _, in := range inputs {
		total += in.ValueSat
	}
	return total
}

// checkSweep refuses a sweep BuildSweep cannot build: no inputs, a
// malformed input, an outpoint spent twice, or no destination.
func checkSweep(inputs []SweepInput, destScript []byte) error {
	if len(inputs) == 0 {
		return fmt.Errorf("%w: no inputs", ErrSweepDust)
	}
	if len(destScript) == 0 {
		return fmt.Errorf("%w: sweep: empty destination script", ErrCommitParams)
	}
	seen := make(map[wire.OutPoint]bool, len(inputs))
	for _, in := range inputs {
		if err := checkSweepInput(in); err != nil {
			return err
		}
		if seen[in.OutPoint] {
			return fmt.Errorf("%w: sweep spends %v twice", ErrCommitParams, in.OutPoint)
		}
		seen[in.OutPoint] = true
	}
	return nil
}

// checkSweepInput refuses an input that cannot be signed for, so a
// missing key or script is an error naming the input rather than a panic
// or a transaction the network rejects.
func checkSweepInput(in SweepInput) error {
	bad := func(what string, args ...any) error {
		return fmt.Errorf("%w: sweep input %v (%s): %s", ErrCommitParams,
			in.OutPoint, in.Kind, fmt.Sprintf(what, args...))
	}
	switch {
	case in.Kind > SweepAnchor:
		return bad("unknown kind")
	case in.Key == nil:
		return bad("nil key")
	case in.ValueSat <= 0 || in.ValueSat > btcutil.MaxSatoshi:
		return bad("value %d sat out of range", in.ValueSat)
	case in.Kind == SweepToRemote && in.Anchors && in.WitnessScript == nil:
		return bad("anchors to_remote needs its witness script")
	case in.Kind == SweepToRemote && !in.Anchors && in.WitnessScript != nil:
		return bad("static_remotekey to_remote is P2WPKH, not a witness script")
	case in.Kind != SweepToRemote && len(in.WitnessScript) == 0:
		return bad("nil witness script")
	case in.Kind == SweepRemoteHTLCTimeout && in.CLTV >= txscript.LockTimeThreshold:
		return bad("cltv_expiry %d is not a block height", in.CLTV)
	}
	return nil
}

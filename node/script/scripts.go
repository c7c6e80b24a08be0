package script

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	// RIPEMD-160 is deprecated for new designs but BOLT 3 fixes it: the
	// HTLC scripts commit to RIPEMD160(payment_hash), and btcd only
	// exports the combined HASH160.
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck
)

// errScript reports a script that could not be assembled. With the keys
// and numbers BOLT 3 allows this cannot happen; it exists so a nil key is
// an error instead of a panic.
var errScript = fmt.Errorf("%w: cannot build script", ErrCommitParams)

// needKeys refuses nil keys by name.
func needKeys(what string, keys ...*btcec.PublicKey) error {
	for _, k := range keys {
		if k == nil {
			return fmt.Errorf("%w: %s: nil key", errScript, what)
		}
	}
	return nil
}

// ToLocalScript returns the witness script of to_local, and of the output
// of every HTLC-timeout and HTLC-success transaction: the holder gets the
// funds after toSelfDelay blocks, the counterparty at once with the
// revocation key if this commitment was revoked.
//
// BOLT 3:
//
//	OP_IF
//	    # Penalty transaction
//	    <revocationpubkey>
//	OP_ELSE
//	    `to_self_delay`
//	    OP_CHECKSEQUENCEVERIFY
//	    OP_DROP
//	    <local_delayedpubkey>
//	OP_ENDIF
//	OP_CHECKSIG
func ToLocalScript(revocation, localDelayed *btcec.PublicKey, toSelfDelay uint16) ([]byte, error) {
	if err := needKeys("to_local", revocation, localDelayed); err != nil {
		return nil, err
	}
	return finish("to_local", txscript.NewScriptBuilder().
		AddOp(txscript.OP_IF).
		AddData(revocation.SerializeCompressed()).
		AddOp(txscript.OP_ELSE).
		AddInt64(int64(toSelfDelay)).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY).
		AddOp(txscript.OP_DROP).
		AddData(localDelayed.SerializeCompressed()).
		AddOp(txscript.OP_ENDIF).
		AddOp(txscript.OP_CHECKSIG))
}

// ToRemoteAnchorScript returns the witness script of an anchors
// commitment's to_remote. The one-block CSV keeps the peer from spending
// it in an unconfirmed child, so only the anchors can carry CPFP children.
//
// BOLT 3: "If option_anchors applies to the commitment transaction, the
// to_remote output is encumbered by a one block csv lock.
// <remotepubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY"
func ToRemoteAnchorScript(remote *btcec.PublicKey) ([]byte, error) {
	if err := needKeys("to_remote", remote); err != nil {
		return nil, err
	}
	return finish("to_remote", txscript.NewScriptBuilder().
		AddData(remote.SerializeCompressed()).
		AddOp(txscript.OP_CHECKSIGVERIFY).
		AddOp(txscript.OP_1).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY))
}

// AnchorScript returns the witness script of the anchor locked to
// fundingKey. It is keyed to the funding key (public once the channel
// closes) so that anyone can sweep a forgotten anchor after 16 blocks.
//
// BOLT 3:
//
//	<local_funding_pubkey/remote_funding_pubkey> OP_CHECKSIG OP_IFDUP
//	OP_NOTIF
//	    OP_16 OP_CHECKSEQUENCEVERIFY
//	OP_ENDIF
func AnchorScript(fundingKey *btcec.PublicKey) ([]byte, error) {
	if err := needKeys("anchor", fundingKey); err != nil {
		return nil, err
	}
	return finish("anchor", txscript.NewScriptBuilder().
		AddData(fundingKey.SerializeCompressed()).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_IFDUP).
		AddOp(txscript.OP_NOTIF).
		AddOp(txscript.OP_16).
		AddOp(txscript.OP_CHECKSEQUENCEVERIFY).
		AddOp(txscript.OP_ENDIF))
}

// OfferedHTLCScript returns the witness script of an HTLC the holder
// offered: the peer claims it with the preimage, the holder only through
// its pre-signed HTLC-timeout transaction, and the peer with the
// revocation key if the commitment was revoked.
//
// BOLT 3:
//
//	OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
//	OP_IF
//	    OP_CHECKSIG
//	OP_ELSE
//	    <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
//	    OP_NOTIF
//	        OP_DROP 2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
//	    OP_ELSE
//	        OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
//	        OP_CHECKSIG
//	    OP_ENDIF
//	    1 OP_CHECKSEQUENCEVERIFY OP_DROP   (option_anchors only)
//	OP_ENDIF
func OfferedHTLCScript(t CommitmentType, revocation, localHTLC, remoteHTLC *btcec.PublicKey, paymentHash [32]byte) ([]byte, error) {
	if err := checkType(t); err != nil {
		return nil, err
	}
	if err := needKeys("offered htlc", revocation, localHTLC, remoteHTLC); err != nil {
		return nil, err
	}
	b := revocationBranch(revocation, remoteHTLC)
	b.AddOp(txscript.OP_NOTIF).
		AddOp(txscript.OP_DROP).
		AddOp(txscript.OP_2).
		AddOp(txscript.OP_SWAP).
		AddData(localHTLC.SerializeCompressed()).
		AddOp(txscript.OP_2).
		AddOp(txscript.OP_CHECKMULTISIG).
		AddOp(txscript.OP_ELSE).
		AddOp(txscript.OP_HASH160).
		AddData(ripemd(paymentHash[:])).
		AddOp(txscript.OP_EQUALVERIFY).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ENDIF)
	closeHTLCScript(t, b)
	return finish("offered htlc", b)
}

// ReceivedHTLCScript returns the witness script of an HTLC the holder
// received: the holder claims it with the preimage only through its
// pre-signed HTLC-success transaction, the peer takes it back after
// cltvExpiry, and the peer takes it at once with the revocation key.
//
// BOLT 3:
//
//	OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
//	OP_IF
//	    OP_CHECKSIG
//	OP_ELSE
//	    <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
//	    OP_IF
//	        OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
//	        2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
//	    OP_ELSE
//	        OP_DROP <cltv_expiry> OP_CHECKLOCKTIMEVERIFY OP_DROP
//	        OP_CHECKSIG
//	    OP_ENDIF
//	    1 OP_CHECKSEQUENCEVERIFY OP_DROP   (option_anchors only)
//	OP_ENDIF
func ReceivedHTLCScript(t CommitmentType, revocation, localHTLC, remoteHTLC *btcec.PublicKey, paymentHash [32]byte, cltvExpiry uint32) ([]byte, error) {
	if err := checkType(t); err != nil {
		return nil, err
	}
	if err := needKeys("received htlc", revocation, localHTLC, remoteHTLC); err != nil {
		return nil, err
	}
	b := revocationBranch(revocation, remoteHTLC)
	b.AddOp(txscript.OP_IF).
		AddOp(txscript.OP_HASH160).
		AddData(ripemd(paymentHash[:])).
		AddOp(txscript.OP_EQUALVERIFY).
		AddOp(txscript.OP_2).
		AddOp(txscript.OP_SWAP).
		AddData(localHTLC.SerializeCompressed()).
		AddOp(txscript.OP_2).
		AddOp(txscript.OP_CHECKMULTISIG).
		AddOp(txscript.OP_ELSE).
		AddOp(txscript.OP_DROP).
		AddInt64(int64(cltvExpiry)).
		AddOp(txscript.OP_CHECKLOCKTIMEVERIFY).
		AddOp(txscript.OP_DROP).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ENDIF)
	closeHTLCScript(t, b)
	return finish("received htlc", b)
}

// revocationBranch starts both HTLC scripts: the revocation check and the
// size test that tells a preimage from a signature.
func revocationBranch(revocation, remoteHTLC *btcec.PublicKey) *txscript.ScriptBuilder {
	return txscript.NewScriptBuilder().
		AddOp(txscript.OP_DUP).
		AddOp(txscript.OP_HASH160).
		AddData(btcutil.Hash160(revocation.SerializeCompressed())).
		AddOp(txscript.OP_EQUAL).
		AddOp(txscript.OP_IF).
		AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_ELSE).
		AddData(remoteHTLC.SerializeCompressed()).
		AddOp(txscript.OP_SWAP).
		AddOp(txscript.OP_SIZE).
		AddInt64(32).
		AddOp(txscript.OP_EQUAL)
}

// closeHTLCScript ends both HTLC scripts; with anchors the non-revocation
// paths get a one-block CSV so the peer cannot pin the commitment with an
// unconfirmed child spending an HTLC output.
func closeHTLCScript(t CommitmentType, b *txscript.ScriptBuilder) {
	if t == Anchors {
		b.AddOp(txscript.OP_1).
			AddOp(txscript.OP_CHECKSEQUENCEVERIFY).
			AddOp(txscript.OP_DROP)
	}
	b.AddOp(txscript.OP_ENDIF)
}

// ripemd returns RIPEMD160(b), the form in which the HTLC scripts commit
// to the payment hash.
func ripemd(b []byte) []byte {
	h := ripemd160.New()
	h.Write(b)
	return h.Sum(nil)
}

// finish turns a builder into a script, naming the script on failure.
func finish(what string, b *txscript.ScriptBuilder) ([]byte, error) {
	s, err := b.Script()
	if err != nil {
		return nil, fmt.Errorf("%s script: %w", what, err)
	}
	return s, nil
}

// P2WPKH returns the version-0 witness program paying to pub, the
// to_remote of a StaticRemoteKey commitment.
//
// BOLT 3: "Otherwise, this output is a simple P2WPKH to remotepubkey."
func P2WPKH(pub *btcec.PublicKey) []byte {
	s := make([]byte, 0, 22)
	s = append(s, txscript.OP_0, txscript.OP_DATA_20)
	return append(s, btcutil.Hash160(pub.SerializeCompressed())...)
}

// p2wsh is P2WSH without the error: a 32-byte push cannot fail, so the
// program is assembled directly.
func p2wsh(witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	s := make([]byte, 0, 34)
	s = append(s, txscript.OP_0, txscript.OP_DATA_32)
	return append(s, h[:]...)
}

package script

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/txscript"
)

// TestVerifyRejectsBadSignatures checks that a signature by the wrong key,
// over a different transaction, or with the wrong sighash type is reported
// as ErrBadSignature, the error the channel turns into a warning or a
// force close.
func TestVerifyRejectsBadSignatures(t *testing.T) {
	p := testParams(StaticRemoteKey)
	c, err := BuildCommitment(p)
	if err != nil {
		t.Fatal(err)
	}
	remote := testKey("remote funding")
	sig, err := SignFundingInput(c.Tx, c.FundingScript, p.FundingSat, remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyFundingSig(c.Tx, c.FundingScript, p.FundingSat, remote.PubKey(), sig); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	if err := VerifyFundingSig(c.Tx, c.FundingScript, p.FundingSat, p.LocalFundingKey, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong key: %v", err)
	}
	if err := VerifyFundingSig(c.Tx, c.FundingScript, p.FundingSat+1, remote.PubKey(), sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong amount: %v", err)
	}
	other := c.Tx.Copy()
	other.LockTime++
	if err := VerifyFundingSig(other, c.FundingScript, p.FundingSat, remote.PubKey(), sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other tx: %v", err)
	}
	if err := VerifyFundingSig(c.Tx, c.FundingScript, p.FundingSat, remote.PubKey(), nil); !errors.Is(err, ErrBadSignature) {
		t.Errorf("nil signature: %v", err)
	}
	if _, err := SignFundingInput(c.Tx, c.FundingScript, p.FundingSat, nil); !errors.Is(err, ErrCommitParams) {
		t.Errorf("nil private key: %v", err)
	}

	single := txscript.SigHashSingle | txscript.SigHashAnyOneCanPay
	hsig, err := SignHTLCInput(c.Tx, c.FundingScript, p.FundingSat, single, remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyHTLCSig(c.Tx, c.FundingScript, p.FundingSat, txscript.SigHashAll, remote.PubKey(), hsig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong sighash type: %v", err)
	}
	if err := VerifyHTLCSig(c.Tx, c.FundingScript, p.FundingSat, single, remote.PubKey(), hsig); err != nil {
		t.Errorf("right sighash type: %v", err)
	}
}

// TestFundingWitnessOrdersSignatures checks that the signatures follow the
// keys' order in the 2-of-2 whichever side is "local", by running the
// script interpreter on a closing transaction signed both ways round.
func TestFundingWitnessOrdersSignatures(t *testing.T) {
	a, b := testKey("funding a"), testKey("funding b")
	ws, out, err := FundingOutput(a.PubKey(), b.PubKey(), 100_000)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := ClosingTx(testParams(Anchors).FundingOutpoint, P2WPKH(a.PubKey()), P2WPKH(b.PubKey()), 60_000, 39_000, 546)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := SignFundingInput(tx, ws, 100_000, a)
	sb, _ := SignFundingInput(tx, ws, 100_000, b)
	for _, local := range []bool{true, false} {
		w := FundingWitness(ws, a.PubKey(), b.PubKey(), WitnessSig(sa, txscript.SigHashAll), WitnessSig(sb, txscript.SigHashAll))
		if !local {
			w = FundingWitness(ws, b.PubKey(), a.PubKey(), WitnessSig(sb, txscript.SigHashAll), WitnessSig(sa, txscript.SigHashAll))
		}
		tx.TxIn[0].Witness = w
		checkSpend(t, tx, out.PkScript, 100_000)
	}
}

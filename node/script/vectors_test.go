package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// vectorHTLC mirrors one of BOLT 3 Appendix C's common HTLCs.
type vectorHTLC struct {
	ID              uint64 `json:"id"`
	Direction       string `json:"direction"`
	AmountMsat      uint64 `json:"amount_msat"`
	Expiry          uint32 `json:"expiry"`
	PaymentPreimage string `json:"payment_preimage"`
}

// vectorInternal mirrors the values Appendix C gives in an HTML comment
// "in case someone wants to reproduce the test vectors themselves".
type vectorInternal struct {
	RemoteFundingPrivKey               string `json:"remote_funding_privkey"`
	LocalPaymentBasepointSecret        string `json:"local_payment_basepoint_secret"`
	RemoteRevocationBasepointSecret    string `json:"remote_revocation_basepoint_secret"`
	LocalDelayedPaymentBasepointSecret string `json:"local_delayed_payment_basepoint_secret"`
	RemotePaymentBasepointSecret       string `json:"remote_payment_basepoint_secret"`
	LocalPerCommitmentSecret           string `json:"x_local_per_commitment_secret"`
	RemoteRevocationBasepoint          string `json:"remote_revocation_basepoint"`
	LocalDelayedPaymentBasepoint       string `json:"local_delayed_payment_basepoint"`
	LocalPerCommitmentPoint            string `json:"local_per_commitment_point"`
	RemotePrivKey                      string `json:"remote_privkey"`
	LocalDelayedPrivKey                string `json:"local_delayed_privkey"`
}

// vectorParams are the parameters at the top of Appendix C, shared by the
// anchors appendix ("based on the test cases as defined in appendix C").
type vectorParams struct {
	Source                 string         `json:"source"`
	FundingTxID            string         `json:"funding_tx_id"`
	FundingOutputIndex     uint32         `json:"funding_output_index"`
	FundingAmountSatoshi   int64          `json:"funding_amount_satoshi"`
	CommitmentNumber       uint64         `json:"commitment_number"`
	LocalDelay             uint16         `json:"local_delay"`
	LocalDustLimitSatoshi  int64          `json:"local_dust_limit_satoshi"`
	HTLCs                  []vectorHTLC   `json:"htlcs"`
	Internal               vectorInternal `json:"internal"`
	LocalPaymentBasepoint  string         `json:"local_payment_basepoint"`
	RemotePaymentBasepoint string         `json:"remote_payment_basepoint"`
	ObscuringFactor        string         `json:"obscuring_factor"`
	LocalFundingPrivKey    string         `json:"local_funding_privkey"`
	LocalFundingPubKey     string         `json:"local_funding_pubkey"`
	RemoteFundingPubKey    string         `json:"remote_funding_pubkey"`
	LocalPrivKey           string         `json:"local_privkey"`
	LocalPubKey            string         `json:"localpubkey"`
	RemotePubKey           string         `json:"remotepubkey"`
	LocalDelayedPubKey     string         `json:"local_delayedpubkey"`
	LocalRevocationPubKey  string         `json:"local_revocation_pubkey"`
	FundingWitnessScript   string         `json:"funding_witness_script"`
}

// vectorEnv is vectorParams decoded once for a test.
type vectorEnv struct {
	outpoint      wire.OutPoint
	fundingSat    int64
	localFunding  *btcec.PrivateKey
	remoteFunding *btcec.PublicKey
	localHTLCPriv *btcec.PrivateKey
	keys          CommitKeys // ToRemote left for the caller
	obscurer      uint64
	htlcs         map[uint64]HTLC
	preimages     map[uint64][32]byte
	p             *vectorParams
}

// mustPriv decodes a private key as the BOLT displays it: 32 bytes plus
// Bitcoin's trailing 01 "compressed" marker.
func mustPriv(t *testing.T, s string) *btcec.PrivateKey {
	t.Helper()
	if len(s) != 66 || !strings.HasSuffix(s, "01") {
		t.Fatalf("private key %q is not 32 bytes plus 01", s)
	}
	priv, _ := btcec.PrivKeyFromBytes(mustHex(t, s[:64]))
	return priv
}

func newVectorEnv(t *testing.T, p *vectorParams) *vectorEnv {
	t.Helper()
	txid, err := chainhash.NewHashFromStr(p.FundingTxID)
	if err != nil {
		t.Fatal(err)
	}
	e := &vectorEnv{
		outpoint:      wire.OutPoint{Hash: *txid, Index: p.FundingOutputIndex},
		fundingSat:    p.FundingAmountSatoshi,
		localFunding:  mustPriv(t, p.LocalFundingPrivKey),
		remoteFunding: mustPub(t, p.RemoteFundingPubKey),
		localHTLCPriv: mustPriv(t, p.LocalPrivKey),
		keys: CommitKeys{
			Revocation:   mustPub(t, p.LocalRevocationPubKey),
			LocalDelayed: mustPub(t, p.LocalDelayedPubKey),
			// The appendix uses localpubkey and remotepubkey as the HTLC
			// keys: its htlc basepoints are its payment basepoints.
			LocalHTLC:  mustPub(t, p.LocalPubKey),
			RemoteHTLC: mustPub(t, p.RemotePubKey),
		},
		htlcs:     map[uint64]HTLC{},
		preimages: map[uint64][32]byte{},
		p:         p,
	}
	if !e.localFunding.PubKey().IsEqual(mustPub(t, p.LocalFundingPubKey)) {
		t.Fatal("local_funding_privkey does not match local_funding_pubkey")
	}
	e.obscurer = ObscuringFactor(mustPub(t, p.LocalPaymentBasepoint), mustPub(t, p.RemotePaymentBasepoint))
	for _, h := range p.HTLCs {
		var pre [32]byte
		copy(pre[:], mustHex(t, h.PaymentPreimage))
		e.preimages[h.ID] = pre
		e.htlcs[h.ID] = HTLC{
			Offered:     h.Direction == "local->remote",
			AmountMsat:  h.AmountMsat,
			PaymentHash: sha256.Sum256(pre[:]),
			CltvExpiry:  h.Expiry,
			ID:          h.ID,
		}
	}
	return e
}

// params returns the commitment parameters of one vector case.
func (e *vectorEnv) params(typ CommitmentType, toRemote *btcec.PublicKey, toLocalMsat, toRemoteMsat uint64, feerate uint32, dust int64, ids []uint64) *CommitmentParams {
	keys := e.keys
	keys.ToRemote = toRemote
	p := &CommitmentParams{
		Type:             typ,
		FundingOutpoint:  e.outpoint,
		FundingSat:       e.fundingSat,
		LocalFundingKey:  e.localFunding.PubKey(),
		RemoteFundingKey: e.remoteFunding,
		CommitNumber:     e.p.CommitmentNumber,
		Obscurer:         e.obscurer,
		LocalIsOpener:    true,
		ToSelfDelay:      e.p.LocalDelay,
		DustLimitSat:     dust,
		FeeratePerKw:     feerate,
		ToLocalMsat:      toLocalMsat,
		ToRemoteMsat:     toRemoteMsat,
		Keys:             &keys,
	}
	for _, id := range ids {
		p.HTLCs = append(p.HTLCs, e.htlcs[id])
	}
	return p
}

// signCommitment signs c with the local funding key, attaches the
// vector's remote signature (checking it first) and serializes the tx.
func (e *vectorEnv) signCommitment(t *testing.T, c *Commitment, remoteSigHex string) string {
	t.Helper()
	tx := c.Tx.Copy()
	local, err := SignFundingInput(tx, c.FundingScript, e.fundingSat, e.localFunding)
	if err != nil {
		t.Fatal(err)
	}
	remote := mustSig(t, remoteSigHex)
	if err := VerifyFundingSig(tx, c.FundingScript, e.fundingSat, e.remoteFunding, remote); err != nil {
		t.Errorf("remote commitment signature: %v", err)
	}
	tx.TxIn[0].Witness = FundingWitness(c.FundingScript, e.localFunding.PubKey(), e.remoteFunding,
		WitnessSig(local, txscript.SigHashAll), WitnessSig(remote, txscript.SigHashAll))
	checkSpend(t, tx, p2wsh(c.FundingScript), e.fundingSat)
	return serialize(t, tx)
}

// signSecondLevel builds, signs and serializes the second-level tx of out.
func (e *vectorEnv) signSecondLevel(t *testing.T, typ CommitmentType, c *Commitment, out HTLCOutput, feerate uint32, keys *CommitKeys, remoteSigHex string) string {
	t.Helper()
	tx, err := SecondLevelTx(typ, c.Tx.TxHash(), out, e.p.LocalDelay, feerate, keys)
	if err != nil {
		t.Fatal(err)
	}
	amt := c.Tx.TxOut[out.Index].Value
	local, err := SignHTLCInput(tx, out.WitnessScript, amt, txscript.SigHashAll, e.localHTLCPriv)
	if err != nil {
		t.Fatal(err)
	}
	remote := mustSig(t, remoteSigHex)
	remoteType := RemoteHTLCSigHash(typ)
	if err := VerifyHTLCSig(tx, out.WitnessScript, amt, remoteType, keys.RemoteHTLC, remote); err != nil {
		t.Errorf("remote htlc signature for output %d: %v", out.Index, err)
	}
	rs, ls := WitnessSig(remote, remoteType), WitnessSig(local, txscript.SigHashAll)
	if out.Offered {
		tx.TxIn[0].Witness = HTLCTimeoutWitness(out.WitnessScript, rs, ls)
	} else {
		tx.TxIn[0].Witness = HTLCSuccessWitness(out.WitnessScript, rs, ls, e.preimages[out.ID])
	}
	checkSpend(t, tx, c.Tx.TxOut[out.Index].PkScript, amt)
	return serialize(t, tx)
}

// checkCommitShape checks what holds for every vector: the signed tx is no
// heavier than BOLT 3's expected weight, and the fee is at least the base
// fee.
func checkCommitShape(t *testing.T, typ CommitmentType, c *Commitment, signedHex string) {
	t.Helper()
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(mustHex(t, signedHex))); err != nil {
		t.Fatal(err)
	}
	weight := int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
	if want := CommitWeight(typ, len(c.HTLCs)); weight > want {
		t.Errorf("signed weight %d above expected weight %d", weight, want)
	}
	if c.FeeSat < c.BaseFeeSat {
		t.Errorf("fee %d below base fee %d", c.FeeSat, c.BaseFeeSat)
	}
}

// checkSpend runs btcd's script interpreter on input 0 of tx, so the
// witness we assemble is proven to satisfy the script, not only to match
// the vector's bytes.
func checkSpend(t *testing.T, tx *wire.MsgTx, prevPkScript []byte, amountSat int64) {
	t.Helper()
	prev := txscript.NewCannedPrevOutputFetcher(prevPkScript, amountSat)
	vm, err := txscript.NewEngine(prevPkScript, tx, 0, txscript.StandardVerifyFlags,
		nil, txscript.NewTxSigHashes(tx, prev), amountSat, prev)
	if err != nil {
		t.Fatalf("script engine: %v", err)
	}
	if err := vm.Execute(); err != nil {
		t.Errorf("spend of %x does not validate: %v", prevPkScript, err)
	}
}

func mustSig(t *testing.T, s string) *ecdsa.Signature {
	t.Helper()
	sig, err := ecdsa.ParseDERSignature(mustHex(t, s))
	if err != nil {
		t.Fatalf("bad signature %q: %v", s, err)
	}
	return sig
}

func serialize(t *testing.T, tx *wire.MsgTx) string {
	t.Helper()
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b.Bytes())
}

// sameHex reports a mismatch with the first differing offset, which is far
// more useful on a 1,000-character transaction than the two strings.
func sameHex(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s differs at hex offset %d:\n got %s\nwant %s", what, i, got, want)
}

package script

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// commitmentVectors mirrors testdata/bolt03_commitment.json.
type commitmentVectors struct {
	vectorParams
	LegacyCases          []commitmentCase `json:"legacy_cases"`
	StaticRemoteKeyCases []commitmentCase `json:"static_remotekey_cases"`
}

// commitmentCase is one "name: ..." block of Appendix C.
type commitmentCase struct {
	Name              string          `json:"name"`
	ToLocalMsat       uint64          `json:"to_local_msat"`
	ToRemoteMsat      uint64          `json:"to_remote_msat"`
	LocalFeeratePerKw uint32          `json:"local_feerate_per_kw"`
	HTLCs             []uint64        `json:"htlcs"`
	BaseFeeSat        *int64          `json:"base_fee_sat"`
	ActualFeeSat      *int64          `json:"actual_fee_sat"`
	UntrimmedHTLCs    []untrimmedHTLC `json:"untrimmed_htlcs"`
	ToLocalSat        *int64          `json:"to_local_sat"`
	ToRemoteSat       *int64          `json:"to_remote_sat"`
	RemoteSignature   string          `json:"remote_signature"`
	CommitTx          string          `json:"commit_tx"`
	NumHTLCs          int             `json:"num_htlcs"`
	HTLCTxs           []htlcTxVector  `json:"htlc_txs"`
}

// untrimmedHTLC is one "# HTLC #n offered amount X" comment line.
type untrimmedHTLC struct {
	HTLC      uint64 `json:"htlc"`
	Direction string `json:"direction"`
	AmountSat int64  `json:"amount_sat"`
}

// htlcTxVector is one second-level transaction of a case.
type htlcTxVector struct {
	Output              uint32 `json:"output"`
	Kind                string `json:"kind"`
	HTLC                uint64 `json:"htlc"`
	RemoteHTLCSignature string `json:"remote_htlc_signature"`
	Tx                  string `json:"tx"`
}

// TestBolt03CommitmentVectors checks every case of BOLT 3 Appendix C, in
// both its legacy (remotepubkey) and option_static_remotekey forms: each
// commitment is built with BuildCommitment, signed with the local funding
// key, given the vector's remote signature (which must verify) and
// compared byte for byte, as is each HTLC-success/HTLC-timeout transaction.
// The fees, balances and untrimmed HTLCs the appendix lists in comments are
// checked too, and the key material at the top against our derivations.
func TestBolt03CommitmentVectors(t *testing.T) {
	var v commitmentVectors
	loadVectors(t, "bolt03_commitment.json", &v)
	e := newVectorEnv(t, &v.vectorParams)

	t.Run("keys", func(t *testing.T) { checkAppendixCKeys(t, &v.vectorParams, e) })
	if len(v.LegacyCases) == 0 || len(v.StaticRemoteKeyCases) == 0 {
		t.Fatal("no cases loaded")
	}
	for _, set := range []struct {
		name     string
		toRemote *btcec.PublicKey
		cases    []commitmentCase
	}{
		{"legacy", mustPub(t, v.RemotePubKey), v.LegacyCases},
		{"static_remotekey", mustPub(t, v.RemotePaymentBasepoint), v.StaticRemoteKeyCases},
	} {
		for _, tc := range set.cases {
			t.Run(set.name+"/"+tc.Name, func(t *testing.T) {
				runCommitmentCase(t, e, set.toRemote, tc)
			})
		}
	}
}

func runCommitmentCase(t *testing.T, e *vectorEnv, toRemote *btcec.PublicKey, tc commitmentCase) {
	p := e.params(StaticRemoteKey, toRemote, tc.ToLocalMsat, tc.ToRemoteMsat,
		tc.LocalFeeratePerKw, e.p.LocalDustLimitSatoshi, tc.HTLCs)
	if tc.BaseFeeSat != nil && uint64(*tc.BaseFeeSat)*1000 > tc.ToLocalMsat {
		// "commitment tx with fee greater than funder amount": a channel
		// must refuse this state; the vector shows the transaction anyway.
		if _, err := BuildCommitment(p); !errors.Is(err, ErrOpenerCannotPay) {
			t.Fatalf("fee above the funder's balance: got %v, want ErrOpenerCannotPay", err)
		}
		p.AllowFeeShortfall = true
	}
	c, err := BuildCommitment(p)
	if err != nil {
		t.Fatal(err)
	}
	checkListedAmounts(t, c, tc)
	got := e.signCommitment(t, c, tc.RemoteSignature)
	sameHex(t, "commit tx", got, tc.CommitTx)
	checkCommitShape(t, StaticRemoteKey, c, got)

	if len(c.HTLCs) != tc.NumHTLCs || len(tc.HTLCTxs) != tc.NumHTLCs {
		t.Fatalf("%d HTLC outputs, %d HTLC txs, vector says num_htlcs %d",
			len(c.HTLCs), len(tc.HTLCTxs), tc.NumHTLCs)
	}
	for i, hv := range tc.HTLCTxs {
		out := c.HTLCs[i]
		kind := "success"
		if out.Offered {
			kind = "timeout"
		}
		if out.Index != hv.Output || out.ID != hv.HTLC || kind != hv.Kind {
			t.Fatalf("HTLC tx %d: output %d htlc #%d %s, want output %d htlc #%d %s",
				i, out.Index, out.ID, kind, hv.Output, hv.HTLC, hv.Kind)
		}
		got := e.signSecondLevel(t, StaticRemoteKey, c, out, tc.LocalFeeratePerKw, p.Keys, hv.RemoteHTLCSignature)
		sameHex(t, fmt.Sprintf("htlc-%s tx for htlc #%d", kind, out.ID), got, hv.Tx)
	}
}

// checkListedAmounts compares the numbers the appendix gives in comments
// with what BuildCommitment decided.
func checkListedAmounts(t *testing.T, c *Commitment, tc commitmentCase) {
	t.Helper()
	if tc.BaseFeeSat != nil && c.BaseFeeSat != *tc.BaseFeeSat {
		t.Errorf("base fee %d, want %d", c.BaseFeeSat, *tc.BaseFeeSat)
	}
	if tc.ActualFeeSat != nil && c.FeeSat != *tc.ActualFeeSat {
		t.Errorf("actual fee %d, want %d", c.FeeSat, *tc.ActualFeeSat)
	}
	if tc.BaseFeeSat == nil {
		return // the case lists no amounts
	}
	checkOptionalOutput(t, "to_local", c.ToLocal, tc.ToLocalSat)
	checkOptionalOutput(t, "to_remote", c.ToRemote, tc.ToRemoteSat)
	var got []untrimmedHTLC
	for _, h := range c.HTLCs {
		dir := "received"
		if h.Offered {
			dir = "offered"
		}
		got = append(got, untrimmedHTLC{HTLC: h.ID, Direction: dir, AmountSat: h.amountSat()})
	}
	want := append([]untrimmedHTLC(nil), tc.UntrimmedHTLCs...)
	for _, s := range [][]untrimmedHTLC{got, want} {
		sort.Slice(s, func(i, j int) bool { return s[i].HTLC < s[j].HTLC })
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("untrimmed HTLCs %v, want %v", got, want)
	}
}

func checkOptionalOutput(t *testing.T, name string, got *Output, want *int64) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s present (%d sat), vector lists none", name, got.Value)
	case want != nil && got == nil:
		t.Errorf("%s trimmed, want %d sat", name, *want)
	case want != nil && got.Value != *want:
		t.Errorf("%s %d sat, want %d", name, got.Value, *want)
	}
}

// checkAppendixCKeys re-derives the appendix's keys from its basepoints
// and secrets, and its obscuring factor from the payment basepoints.
func checkAppendixCKeys(t *testing.T, p *vectorParams, e *vectorEnv) {
	in := p.Internal
	point := mustPub(t, in.LocalPerCommitmentPoint)
	var secret [32]byte
	copy(secret[:], mustPriv(t, in.LocalPerCommitmentSecret).Serialize())
	if got, err := PerCommitmentPoint(secret); err != nil || !got.IsEqual(point) {
		t.Errorf("per-commitment point from secret: %v", err)
	}
	for _, pair := range []struct{ secret, point string }{
		{in.LocalPaymentBasepointSecret, p.LocalPaymentBasepoint},
		{in.RemotePaymentBasepointSecret, p.RemotePaymentBasepoint},
		{in.RemoteRevocationBasepointSecret, in.RemoteRevocationBasepoint},
		{in.LocalDelayedPaymentBasepointSecret, in.LocalDelayedPaymentBasepoint},
		{in.RemoteFundingPrivKey, p.RemoteFundingPubKey},
	} {
		if !mustPriv(t, pair.secret).PubKey().IsEqual(mustPub(t, pair.point)) {
			t.Errorf("secret %s… does not match point %s", pair.secret[:8], pair.point)
		}
	}
	local := Basepoints{
		Payment:        mustPub(t, p.LocalPaymentBasepoint),
		DelayedPayment: mustPub(t, in.LocalDelayedPaymentBasepoint),
		HTLC:           mustPub(t, p.LocalPaymentBasepoint),
	}
	remote := Basepoints{
		Revocation: mustPub(t, in.RemoteRevocationBasepoint),
		Payment:    mustPub(t, p.RemotePaymentBasepoint),
		HTLC:       mustPub(t, p.RemotePaymentBasepoint),
	}
	k, err := DeriveCommitKeys(StaticRemoteKey, point, local, remote)
	if err != nil {
		t.Fatal(err)
	}
	want := e.keys
	want.ToRemote = remote.Payment
	for _, f := range []struct {
		name      string
		got, want *btcec.PublicKey
	}{
		{"revocation", k.Revocation, want.Revocation}, {"local delayed", k.LocalDelayed, want.LocalDelayed},
		{"local htlc", k.LocalHTLC, want.LocalHTLC}, {"remote htlc", k.RemoteHTLC, want.RemoteHTLC},
		{"to_remote", k.ToRemote, want.ToRemote},
	} {
		if !f.got.IsEqual(f.want) {
			t.Errorf("%s key %x, want %x", f.name, f.got.SerializeCompressed(), f.want.SerializeCompressed())
		}
	}
	legacyRemote, err := DeriveLocalPubKey(remote.Payment, point)
	if err != nil || !legacyRemote.IsEqual(mustPub(t, p.RemotePubKey)) {
		t.Errorf("legacy remotepubkey: %v", err)
	}
	checkAppendixCPrivKeys(t, p, point)
	if got := fmt.Sprintf("%012x", e.obscurer); got != p.ObscuringFactor {
		t.Errorf("obscuring factor %s, want %s", got, p.ObscuringFactor)
	}
	ws, err := FundingScript(e.localFunding.PubKey(), e.remoteFunding)
	if err != nil || fmt.Sprintf("%x", ws) != p.FundingWitnessScript {
		t.Errorf("funding witness script %x (%v)", ws, err)
	}
}

// checkAppendixCPrivKeys checks the private keys the appendix derives.
func checkAppendixCPrivKeys(t *testing.T, p *vectorParams, point *btcec.PublicKey) {
	in := p.Internal
	for _, d := range []struct{ name, base, want string }{
		{"local_privkey", in.LocalPaymentBasepointSecret, p.LocalPrivKey},
		{"local_delayed_privkey", in.LocalDelayedPaymentBasepointSecret, in.LocalDelayedPrivKey},
		{"remote_privkey", in.RemotePaymentBasepointSecret, in.RemotePrivKey},
	} {
		got, err := DeriveLocalPrivKey(mustPriv(t, d.base), point)
		if err != nil || got.Key != mustPriv(t, d.want).Key {
			t.Errorf("%s: derived %x (%v)", d.name, got.Serialize(), err)
		}
	}
}

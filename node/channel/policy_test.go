package channel

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// openMsg is a valid open_channel from a fresh opener.
func openMsg(t *testing.T) *lnwire.OpenChannel {
	t.Helper()
	k := testKeys(t, 1)
	_, out, err := NewOpener(OpenParams{Chain: *chaincfg.RegressionNetParams.GenesisHash, TempID: lnwire.ChannelID{1},
		FundingSat: 500_000, FeeratePerKw: 1000, Type: script.Anchors, CloseScript: p2wpkh(k)}, k, DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.Msgs[0].(*lnwire.OpenChannel)
}

// TestAccepterRefusesUnsafeOpen: each BOLT 2 "MUST fail the channel" of
// open_channel, and our own limits, is refused with a reason naming the
// field, and the refusal carries an error for the peer.
func TestAccepterRefusesUnsafeOpen(t *testing.T) {
	cases := map[string]struct {
		mutate func(*lnwire.OpenChannel)
		want   string
	}{
		"other chain":      {func(m *lnwire.OpenChannel) { m.ChainHash[0] ^= 1 }, "chain_hash"},
		"tiny":             {func(m *lnwire.OpenChannel) { m.FundingSatoshis = 1000 }, "funding_satoshis"},
		"wumbo":            {func(m *lnwire.OpenChannel) { m.FundingSatoshis = 1 << 24 }, "option_support_large_channel"},
		"push > funding":   {func(m *lnwire.OpenChannel) { m.PushMsat = 500_001_000 }, "push_msat"},
		"dust below 354":   {func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = 353 }, "dust_limit_satoshis"},
		"483+ HTLCs":       {func(m *lnwire.OpenChannel) { m.MaxAcceptedHTLCs = 484 }, "max_accepted_htlcs"},
		"long delay":       {func(m *lnwire.OpenChannel) { m.ToSelfDelay = 5000 }, "to_self_delay"},
		"reserve < dust":   {func(m *lnwire.OpenChannel) { m.ChannelReserveSatoshis = 100 }, "channel_reserve_satoshis"},
		"huge reserve":     {func(m *lnwire.OpenChannel) { m.ChannelReserveSatoshis = 200_000 }, "channel_reserve_satoshis"},
		"feerate too low":  {func(m *lnwire.OpenChannel) { m.FeeratePerKw = 100 }, "feerate_per_kw"},
		"unknown type":     {func(m *lnwire.OpenChannel) { m.ChannelType = lnwire.Some(lnwire.NewFeatureVector(40)) }, "channel_type"},
		"htlc min huge":    {func(m *lnwire.OpenChannel) { m.HTLCMinimumMsat = 100_000_000 }, "htlc_minimum_msat"},
		"in-flight tiny":   {func(m *lnwire.OpenChannel) { m.MaxHTLCValueInFlightMsat = 1000 }, "max_htlc_value_in_flight_msat"},
		"opener can't pay": {func(m *lnwire.OpenChannel) { m.PushMsat = 499_900_000 }, "fee"},
	}
	kb := testKeys(t, 2)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			msg := openMsg(t)
			c.mutate(msg)
			m, out, err := NewAccepter(msg, AcceptParams{Chain: *chaincfg.RegressionNetParams.GenesisHash, CloseScript: p2wpkh(kb)}, kb, DefaultPolicy(), nil)
			if err == nil || m != nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %s", err, c.want)
			}
			if out == nil || len(out.Msgs) != 1 {
				t.Fatal("no error message for the peer")
			}
			if e, ok := out.Msgs[0].(*lnwire.Error); !ok || e.ChannelID != msg.TemporaryChannelID {
				t.Errorf("peer gets %T", out.Msgs[0])
			}
		})
	}
}

// TestOpenerRefusesUnsafeAccept: a bad accept_channel fails the opening
// with an error to the peer and no funding asked of the wallet.
func TestOpenerRefusesUnsafeAccept(t *testing.T) {
	for name, mutate := range map[string]func(*lnwire.AcceptChannel){
		"deep minimum_depth": func(m *lnwire.AcceptChannel) { m.MinimumDepth = 100 },
		"long delay":         func(m *lnwire.AcceptChannel) { m.ToSelfDelay = 4000 },
		"other type":         func(m *lnwire.AcceptChannel) { m.ChannelType = lnwire.Some(channelTypeBits(script.StaticRemoteKey)) },
		"dust below 354":     func(m *lnwire.AcceptChannel) { m.DustLimitSatoshis = 200 },
	} {
		t.Run(name, func(t *testing.T) {
			ka, kb := testKeys(t, 1), testKeys(t, 2)
			chain := *chaincfg.RegressionNetParams.GenesisHash
			ma, out, _ := NewOpener(OpenParams{Chain: chain, TempID: lnwire.ChannelID{1}, FundingSat: 500_000,
				FeeratePerKw: 1000, Type: script.Anchors, CloseScript: p2wpkh(ka)}, ka, DefaultPolicy(), nil)
			_, bout, err := NewAccepter(out.Msgs[0].(*lnwire.OpenChannel), AcceptParams{Chain: chain, CloseScript: p2wpkh(kb)}, kb, DefaultPolicy(), nil)
			if err != nil {
				t.Fatal(err)
			}
			acc := bout.Msgs[0].(*lnwire.AcceptChannel)
			mutate(acc)
			res, err := ma.Handle(PeerMessage{Msg: acc})
			var pe *ProtocolError
			if !errors.As(err, &pe) || !pe.Fail {
				t.Fatalf("got %v", err)
			}
			if ma.Phase() != PhaseFailed || len(res.Msgs) != 1 {
				t.Fatalf("phase %s, %d msgs", ma.Phase(), len(res.Msgs))
			}
			for _, e := range res.Effects {
				if _, ok := e.(NeedFunding); ok {
					t.Fatal("asked the wallet to fund a refused channel")
				}
			}
		})
	}
}

// TestPeerViolationsFailTheChannel: invalid updates and signatures from
// the peer fail the channel with an error and change nothing else.
func TestPeerViolationsFailTheChannel(t *testing.T) {
	for name, msg := range map[string]func(p *pair) lnwire.Message{
		"bad commitment signature": func(p *pair) lnwire.Message {
			return &lnwire.CommitmentSigned{ChannelID: p.a.m.st.ID, Signature: lnwire.Sig{1, 2}}
		},
		"revoke without commit": func(p *pair) lnwire.Message {
			return &lnwire.RevokeAndAck{ChannelID: p.a.m.st.ID}
		},
		"fulfill unknown HTLC": func(p *pair) lnwire.Message {
			return &lnwire.UpdateFulfillHTLC{ChannelID: p.a.m.st.ID, ID: 9}
		},
		"update_fee from the accepter": func(p *pair) lnwire.Message {
			return &lnwire.UpdateFee{ChannelID: p.a.m.st.ID, FeeratePerKw: 1000}
		},
		"HTLC id out of order": func(p *pair) lnwire.Message {
			return &lnwire.UpdateAddHTLC{ChannelID: p.a.m.st.ID, ID: 5, AmountMsat: 1000, CLTVExpiry: 100}
		},
		"HTLC above balance": func(p *pair) lnwire.Message {
			return &lnwire.UpdateAddHTLC{ChannelID: p.a.m.st.ID, ID: 0, AmountMsat: 400_000_000, CLTVExpiry: 100}
		},
		"cltv is a timestamp": func(p *pair) lnwire.Message {
			return &lnwire.UpdateAddHTLC{ChannelID: p.a.m.st.ID, ID: 0, AmountMsat: 1000, CLTVExpiry: 500_000_000}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := newPair(t, 1, script.Anchors, 1_000_000, 300_000_000)
			before, _ := p.a.m.State().Encode()
			out, err := p.a.m.Handle(PeerMessage{Msg: msg(p)})
			var pe *ProtocolError
			if !errors.As(err, &pe) || !pe.Fail {
				t.Fatalf("got %v", err)
			}
			if p.a.m.Phase() != PhaseFailed || len(out.Msgs) != 1 {
				t.Fatalf("phase %s, msgs %v", p.a.m.Phase(), out.Msgs)
			}
			if _, ok := out.Msgs[0].(*lnwire.Error); !ok {
				t.Fatalf("peer gets %T", out.Msgs[0])
			}
			after := p.a.m.State()
			after.Phase, after.FailReason = PhaseNormal, ""
			if b, _ := after.Encode(); string(b) != string(before) {
				t.Error("the violation changed more than the phase")
			}
		})
	}
}

package channel

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// TestShellAsksThePeerToClose: a channel restored from its backup record
// has the original's funding script and commitment obscurer, never signs
// or broadcasts a commitment, and on reconnection sends the
// channel_reestablish that makes the peer (here our own machine) fail the
// channel; then it follows the peer's commitment to Closed.
func TestShellAsksThePeerToClose(t *testing.T) {
	for _, typ := range []script.CommitmentType{script.Anchors, script.StaticRemoteKey} {
		t.Run(typ.String(), func(t *testing.T) {
			p := newPair(t, 3, typ, 1_000_000, 200_000_000)
			for i := 0; i < 3; i++ {
				p.addHTLC(p.a, 20_000_000)
				settleAll(t, p)
			}
			orig := p.a.m.State()
			shell, err := NewShell(orig.ShellParams(), p.a.keys)
			if err != nil {
				t.Fatal(err)
			}
			m := Restore(roundTrip(t, shell), p.a.keys, DefaultPolicy(), nil)
			checkShellMatches(t, p, m)
			if _, err := m.Handle(ForceClose{}); !errors.Is(err, ErrDataLoss) {
				t.Errorf("force close of a restored channel: %v, want ErrDataLoss", err)
			}
			if _, err := m.LocalCommitment(); !errors.Is(err, ErrDataLoss) {
				t.Errorf("local commitment of a restored channel: %v, want ErrDataLoss", err)
			}
			msg := shellReestablish(t, m, p.a.keys)

			// The peer fails the channel: BOLT 2, "if next_commitment_number
			// is zero: MUST immediately fail the channel".
			p.handle(p.b, Disconnected{})
			out, err := p.b.m.Handle(PeerMessage{Msg: msg})
			var pe *ProtocolError
			if !errors.As(err, &pe) || !pe.Fail || pe.DataLoss || p.b.m.Phase() != PhaseFailed {
				t.Fatalf("peer took the restored reestablish with %v, phase %s", err, p.b.m.Phase())
			}
			for _, reply := range append(out.Msgs, peerReestablish(t, p)) {
				if _, err := m.Handle(PeerMessage{Msg: reply}); err != nil || m.Phase() != PhaseFailed {
					t.Fatalf("restored channel took %s: %v, phase %s", reply.Type(), err, m.Phase())
				}
			}
			peerClosesOnChain(t, p, m)
		})
	}
}

func roundTrip(t *testing.T, s *State) *State {
	t.Helper()
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Restored || !back.DataLoss || back.Phase != PhaseFailed {
		t.Fatalf("decoded shell: restored %v, data loss %v, phase %s", back.Restored, back.DataLoss, back.Phase)
	}
	return back
}

// checkShellMatches compares what the shell derives with the original.
func checkShellMatches(t *testing.T, p *pair, m *Machine) {
	t.Helper()
	want, _ := p.a.m.FundingPkScript()
	got, err := m.FundingPkScript()
	if err != nil || string(got) != string(want) {
		t.Errorf("shell funding script %x (%v), want %x", got, err, want)
	}
	if m.ID() != p.a.m.ID() || m.st.Obscurer != p.a.m.st.Obscurer {
		t.Errorf("shell id %s obscurer %x, want %s %x", m.ID(), m.st.Obscurer, p.a.m.ID(), p.a.m.st.Obscurer)
	}
	in := m.Info()
	if !in.Restored || !in.DataLoss || in.LocalMsat != 0 || in.CapacitySat != p.a.m.st.FundingSat {
		t.Errorf("shell info %+v", in)
	}
}

// shellReestablish reconnects the shell and returns what it sent.
func shellReestablish(t *testing.T, m *Machine, k *LocalKeys) *lnwire.ChannelReestablish {
	t.Helper()
	out, err := m.Handle(Reconnected{})
	if err != nil || len(out.Msgs) != 1 {
		t.Fatalf("reconnect: %v, %d messages", err, len(out.Msgs))
	}
	msg, ok := out.Msgs[0].(*lnwire.ChannelReestablish)
	first, _ := k.Point(0)
	if !ok || msg.NextCommitmentNumber != 0 || msg.NextRevocationNumber != 0 ||
		msg.YourLastPerCommitmentSecret != [32]byte{} || msg.MyCurrentPerCommitmentPoint != lnwire.NewPoint(first) {
		t.Fatalf("restored reestablish %+v", out.Msgs[0])
	}
	return msg
}

// peerReestablish is the peer's own channel_reestablish.
func peerReestablish(t *testing.T, p *pair) lnwire.Message {
	t.Helper()
	msg, err := p.b.m.reestablishMsg(p.b.m.st)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// peerClosesOnChain confirms the peer's commitment: the shell reads its
// commitment number and closes once resolved.
func peerClosesOnChain(t *testing.T, p *pair, m *Machine) {
	t.Helper()
	lc, err := p.b.m.LocalCommitment()
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := m.CommitNumber(lc.Tx); !ok || n != p.b.m.st.LocalNumber {
		t.Errorf("shell reads commitment number %d %v, want %d", n, ok, p.b.m.st.LocalNumber)
	}
	if _, err := m.Handle(FundingSpent{Txid: lc.Tx.TxHash(), Height: 600}); err != nil || m.Phase() != PhaseForceClosing {
		t.Fatalf("funding spent: %v, phase %s", err, m.Phase())
	}
	if out, err := m.Handle(Reconnected{}); err != nil || len(out.Msgs) != 0 {
		t.Errorf("a closing restored channel still reestablishes: %v %v", err, out)
	}
	if _, err := m.Handle(Resolved{Kind: "REMOTE_FORCE_CLOSE", LocalSat: 1, Height: 601}); err != nil || m.Phase() != PhaseClosed {
		t.Fatalf("resolved: %v, phase %s", err, m.Phase())
	}
}

// TestShellRefusesBadRecords: a record that cannot be a funded channel
// is refused, not stored.
func TestShellRefusesBadRecords(t *testing.T) {
	p := newPair(t, 4, script.Anchors, 500_000, 0)
	good := p.a.m.State().ShellParams()
	for name, spoil := range map[string]func(*ShellParams){
		"zero txid":     func(s *ShellParams) { s.Funding.Hash = chainhash.Hash{} },
		"index":         func(s *ShellParams) { s.Funding.Index = 70_000 },
		"capacity":      func(s *ShellParams) { s.FundingSat = 0 },
		"too large":     func(s *ShellParams) { s.FundingSat = MaxFundingSat + 1 },
		"type":          func(s *ShellParams) { s.Type = 9 },
		"peer":          func(s *ShellParams) { s.Peer = lnwire.Point{} },
		"funding key":   func(s *ShellParams) { s.RemoteKeys.Funding[0] = 7 },
		"payment basep": func(s *ShellParams) { s.RemoteKeys.Payment = lnwire.Point{2} },
	} {
		sp := good
		spoil(&sp)
		if _, err := NewShell(sp, p.a.keys); !errors.Is(err, ErrShell) {
			t.Errorf("%s: %v, want ErrShell", name, err)
		}
	}
}

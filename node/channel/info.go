package channel

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// Info is a channel as a wallet lists it (lncli listchannels and
// pendingchannels), read from our current commitment.
type Info struct {
	ID            string
	ChannelPoint  wire.OutPoint
	Peer          string
	Phase         Phase
	Type          script.CommitmentType
	Opener        bool
	CapacitySat   int64
	LocalMsat     uint64 // our balance, after the commitment fee if we pay it
	RemoteMsat    uint64
	CommitFeeSat  int64
	FeeratePerKw  uint32
	NumHTLCs      int
	SCID          uint64
	FundingHeight uint32
	MinimumDepth  uint32
	ClosingTxid   string
	CloseLocalSat int64
	CloseHeight   uint32
	WeClosed      bool
	CloseKind     string
	FailReason    string
	DataLoss      bool
	// Restored marks a channel restored from a backup: its balances are
	// unknown until the peer's commitment shows them on-chain.
	Restored bool
}

// ChannelPoint is the funding outpoint (zero until funding is known).
func (m *Machine) ChannelPoint() wire.OutPoint { return m.st.FundingOutpoint() }

// SCID is the short channel id (zero until the funding confirms): cheap,
// unlike Info, which builds our commitment's view.
func (m *Machine) SCID() lnwire.ShortChannelID { return m.st.SCID }

// Info reads the channel's current state.
func (m *Machine) Info() Info {
	s := m.st
	in := Info{
		ID: m.ID().String(), ChannelPoint: s.FundingOutpoint(), Peer: s.Peer.String(),
		Phase: s.Phase, Type: s.Type, Opener: s.Opener, CapacitySat: s.FundingSat,
		SCID: uint64(s.SCID), FundingHeight: s.FundingHeight, MinimumDepth: s.MinimumDepth,
		CloseLocalSat: s.Close.LocalSat, CloseHeight: s.Close.Height, WeClosed: s.Close.WeInitiated,
		CloseKind:  s.Close.Kind,
		FailReason: s.FailReason, DataLoss: s.DataLoss, Restored: s.Restored,
	}
	if len(s.Close.Tx) > 0 || s.Close.Force {
		in.ClosingTxid = s.Close.Txid.String()
	}
	if s.Restored {
		return in // no commitment: the balances are unknown
	}
	v, err := s.viewOf(Local, s.LocalNumber)
	if err != nil {
		in.FailReason = fmt.Sprintf("%s (state: %v)", in.FailReason, err)
		return in
	}
	in.LocalMsat, in.RemoteMsat, in.NumHTLCs = uint64(v.ourMsat), uint64(v.theirMsat), len(v.htlcs)
	in.CommitFeeSat = s.commitCost(Local, v, v.feerate, 0)
	in.FeeratePerKw = v.feerate
	fee := uint64(in.CommitFeeSat) * 1000
	if s.Opener {
		in.LocalMsat -= min(fee, in.LocalMsat)
	} else {
		in.RemoteMsat -= min(fee, in.RemoteMsat)
	}
	return in
}

// Incoming lists the HTLCs the peer offered that are locked in and still
// wait for us to settle or fail them: after a restart the host resolves
// these, since the notifications that announced them are gone.
func (m *Machine) Incoming() []*Update {
	var out []*Update
	for _, u := range m.st.Updates {
		if u.Kind == KindAdd && u.Origin == Remote && u.Announced {
			if _, err := m.st.removable(Local, u.HTLCID); err == nil {
				out = append(out, copyUpdate(u))
			}
		}
	}
	return out
}

// Resume is what a host does after Restore: watch the funding output
// again, republish a closing transaction, or release the inputs of an
// opening that a reload interrupted before the peer signed.
func (m *Machine) Resume() ([]Effect, error) {
	s := m.st
	switch {
	case s.Phase < PhaseAwaitLocked:
		s.Phase = PhaseFailed
		s.FailReason = "interrupted before the peer signed the funding"
		return []Effect{ReleaseFunding{LeaseID: s.LeaseID}}, nil
	case s.Phase == PhaseClosing:
		var tx wire.MsgTx
		if err := tx.Deserialize(bytes.NewReader(s.Close.Tx)); err != nil {
			return nil, fmt.Errorf("resume: closing tx: %w", err)
		}
		return []Effect{PublishClose{Tx: &tx}}, nil
	case s.Phase < PhaseClosed:
		pk, err := m.fundingPkScript(s)
		if err != nil {
			return nil, err
		}
		return []Effect{WatchFunding{Outpoint: s.FundingOutpoint(), PkScript: pk, Depth: max(s.MinimumDepth, 1)}}, nil
	}
	return nil, nil
}

package channel

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
)

// Machine runs one channel. It is not safe for concurrent use: the host
// feeds it one event at a time.
type Machine struct {
	st   *State
	keys *LocalKeys
	pol  Policy
	log  *slog.Logger
	// online is whether messages reach the peer now: false from a
	// disconnect until the peer's channel_reestablish arrives. It is not
	// persisted: a restored channel starts offline.
	online bool
}

// Restore wraps a persisted state with the keys DeriveLocalKeys gives for
// its KeyIndex. The channel starts offline, as after a disconnect: the
// peer's unsigned updates are forgotten and Reconnected begins the
// reestablish.
func Restore(st *State, k *LocalKeys, pol Policy, log *slog.Logger) *Machine {
	m := restore(st, k, pol, log)
	if st.Phase >= PhaseAwaitLocked {
		m.st.forgetUncommitted()
		m.st.Close.resetNegotiation()
	}
	return m
}

// Rewound is a machine for st with m's keys, policy and log, offline as
// after Restore: the host's way back to its stored state when saving a
// newer one failed, since m has already moved past it in memory.
func (m *Machine) Rewound(st *State) *Machine { return Restore(st, m.keys, m.pol, m.log) }

func restore(st *State, k *LocalKeys, pol Policy, log *slog.Logger) *Machine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Machine{st: st, keys: k, pol: pol, log: log}
}

// State returns a copy of the current state, for persisting and reading.
func (m *Machine) State() *State { return m.st.clone() }

// ID is the channel id (the temporary id until funding is known).
func (m *Machine) ID() lnwire.ChannelID {
	if m.st.ID.IsZero() {
		return m.st.TempID
	}
	return m.st.ID
}

// Phase is the channel's phase.
func (m *Machine) Phase() Phase { return m.st.Phase }

// Event is an input to Handle.
type Event interface{ isEvent() }

// Output is what Handle asks of the host, in order: if Persist, save State
// durably; then send Msgs to the peer in order; then carry out Effects.
type Output struct {
	Persist bool
	Msgs    []lnwire.Message
	Effects []Effect
	// Added is the id of the HTLC an AddHTLC event offered.
	Added uint64
	// RemoteCommit, when set, is a peer commitment we signed in this
	// step: the host saves it with the state, since it is how the
	// commitment is recognised on-chain once the peer has revoked it.
	RemoteCommit *RemoteCommit
}

// Effect is something only the host can do.
type Effect interface{ isEffect() }

// Handle applies one event. On error the state is unchanged, and the
// Output (if not nil) holds what to tell the peer about the failure (an
// error message) and the state change to a failed channel, to persist.
func (m *Machine) Handle(ev Event) (*Output, error) {
	next := m.st.clone()
	out := &Output{}
	err := m.apply(next, ev, out)
	var pe *ProtocolError
	switch {
	case err == nil:
		if out.Persist || len(out.Msgs) > 0 {
			out.Persist = true
		}
		m.st = next
		return out, nil
	case errors.As(err, &pe) && pe.Fail:
		return m.failChannel(pe), err
	case errors.As(err, &pe):
		return &Output{Msgs: []lnwire.Message{&lnwire.Warning{ChannelID: m.ID(), Data: []byte(pe.Error())}}}, err
	}
	return nil, err
}

// failChannel is the answer to a protocol violation after funds are at
// stake: an error to the peer and a state that refuses further updates.
func (m *Machine) failChannel(pe *ProtocolError) *Output {
	out := &Output{Msgs: []lnwire.Message{&lnwire.Error{ChannelID: m.ID(), Data: []byte(pe.Error())}}}
	funded := m.st.Phase >= PhaseAwaitLocked
	m.st.Phase = PhaseFailed
	m.st.FailReason = pe.Error()
	if !funded {
		out.Effects = append(out.Effects, ReleaseFunding{LeaseID: m.st.LeaseID})
		return out
	}
	m.st.DataLoss = pe.DataLoss
	out.Persist = true
	out.Effects = append(out.Effects, Notify{Change: ChangeFailed})
	return out
}

func (m *Machine) apply(s *State, ev Event, out *Output) error {
	switch e := ev.(type) {
	case PeerMessage:
		return m.onMessage(s, e.Msg, out)
	case FundingReady:
		return m.onFundingReady(s, e, out)
	case FundingFailed:
		return m.onFundingFailed(s, e, out)
	case FundingConfirmed:
		return m.onFundingConfirmed(s, e, out)
	case Reconnected:
		return m.onReconnected(s, out)
	case Disconnected:
		return m.onDisconnected(s, out)
	case AddHTLC:
		return m.onAddHTLC(s, e, out)
	case SettleHTLC:
		return m.onResolveHTLC(s, &Update{Origin: Local, Kind: KindFulfill, HTLCID: e.ID, Preimage: e.Preimage}, out)
	case FailHTLC:
		return m.onResolveHTLC(s, &Update{Origin: Local, Kind: KindFail, HTLCID: e.ID, Reason: e.Reason}, out)
	case FailMalformedHTLC:
		return m.onResolveHTLC(s, &Update{Origin: Local, Kind: KindFailMalformed, HTLCID: e.ID,
			FailCode: e.Code, OnionHash: e.OnionHash}, out)
	case SetFeerate:
		return m.onSetFeerate(s, e, out)
	case Close:
		return m.onClose(s, e, out)
	case ClosingConfirmed:
		return m.onClosingConfirmed(s, e, out)
	case ForceClose:
		return m.onForceClose(s, out)
	case FundingSpent:
		return m.onFundingSpent(s, e, out)
	case Resolved:
		return m.onResolved(s, e, out)
	}
	return fmt.Errorf("channel: unknown event %T", ev)
}

func (m *Machine) onMessage(s *State, msg lnwire.Message, out *Output) error {
	switch msg := msg.(type) {
	case *lnwire.AcceptChannel:
		return m.onAcceptChannel(s, msg, out)
	case *lnwire.FundingCreated:
		return m.onFundingCreated(s, msg, out)
	case *lnwire.FundingSigned:
		return m.onFundingSigned(s, msg, out)
	case *lnwire.ChannelReady:
		return m.onChannelReady(s, msg, out)
	case *lnwire.UpdateAddHTLC:
		return m.onPeerAdd(s, msg, out)
	case *lnwire.UpdateFulfillHTLC:
		return m.onPeerRemove(s, &Update{Origin: Remote, Kind: KindFulfill, HTLCID: msg.ID, Preimage: msg.PaymentPreimage}, out)
	case *lnwire.UpdateFailHTLC:
		return m.onPeerRemove(s, &Update{Origin: Remote, Kind: KindFail, HTLCID: msg.ID, Reason: msg.Reason}, out)
	case *lnwire.UpdateFailMalformedHTLC:
		return m.onPeerMalformed(s, msg, out)
	case *lnwire.UpdateFee:
		return m.onPeerFee(s, msg, out)
	case *lnwire.CommitmentSigned:
		return m.onCommitmentSigned(s, msg, out)
	case *lnwire.RevokeAndAck:
		return m.onRevokeAndAck(s, msg, out)
	case *lnwire.ChannelReestablish:
		return m.onReestablish(s, msg, out)
	case *lnwire.Shutdown:
		return m.onShutdown(s, msg, out)
	case *lnwire.ClosingSigned:
		return m.onClosingSigned(s, msg, out)
	case *lnwire.Error:
		return m.onPeerError(s, msg, out)
	case *lnwire.Warning:
		m.log.Warn("peer warning", "channel", m.ID(), "warning", msg.String())
		return nil
	}
	return protocolWarn("unexpected %s", msg.Type())
}

// send queues msg after persisting.
func (o *Output) send(msg lnwire.Message) {
	o.Msgs = append(o.Msgs, msg)
	o.Persist = true
}

func (o *Output) effect(e Effect) { o.Effects = append(o.Effects, e) }

// ProtocolError is a peer's violation of BOLT 2. Fail says whether the
// channel must be failed (funds at stake, an error is sent) or a warning
// suffices.
type ProtocolError struct {
	Msg  string
	Fail bool
	// DataLoss marks the peer proving our state is stale.
	DataLoss bool
}

func (e *ProtocolError) Error() string { return e.Msg }

func protocolFail(format string, a ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, a...), Fail: true}
}

func protocolWarn(format string, a ...any) error {
	return &ProtocolError{Msg: fmt.Sprintf(format, a...)}
}

// fundingOutpointOf is the outpoint funding_created names.
func fundingOutpointOf(msg *lnwire.FundingCreated) wire.OutPoint {
	return wire.OutPoint{Hash: msg.FundingTxID, Index: uint32(msg.FundingOutputIndex)}
}

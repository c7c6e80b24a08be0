package channel

import (
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// Phase is where a channel is in its life. The transitions:
//
//	opener:   Opening --accept_channel--> (NeedFunding) --FundingReady--> FundingSent
//	accepter: AwaitFundingCreated --funding_created--> AwaitLocked
//	FundingSent --funding_signed--> AwaitLocked
//	AwaitLocked --depth reached + channel_ready both ways--> Normal
//	Normal --shutdown sent or received--> ShuttingDown
//	ShuttingDown --no HTLCs left--> Negotiating
//	Negotiating --closing_signed agreed--> Closing
//	Closing --closing tx confirmed--> Closed
//	any --error sent or received--> Failed
//	funded --ForceClose, or a commitment spends the funding--> ForceClosing
//	ForceClosing --node/onchain resolved every output--> Closed
//
// Opening, AwaitFundingCreated and FundingSent are abandoned, not failed,
// on disconnect: no funds are committed until funding_signed.
type Phase uint8

// The phases, in the order a channel passes through them.
const (
	PhaseOpening Phase = iota
	PhaseAwaitFundingCreated
	PhaseFundingSent
	PhaseAwaitLocked
	PhaseNormal
	PhaseShuttingDown
	PhaseNegotiating
	PhaseClosing
	PhaseClosed
	PhaseFailed
	// PhaseForceClosing: a commitment transaction spent the funding
	// output (or we broadcast ours); node/onchain is sweeping. It comes
	// last because phases are persisted by number.
	PhaseForceClosing
)

var phaseNames = [...]string{"opening", "await_funding_created", "funding_sent",
	"pending_open", "active", "shutting_down", "negotiating", "closing", "closed", "failed",
	"force_closing"}

// String names the phase as the JS API reports it.
func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", p)
}

// Side names one end of the channel from our point of view.
type Side uint8

// Local is us, Remote the peer.
const (
	Local Side = iota
	Remote
)

func (s Side) other() Side { return 1 - s }

// String is "local" or "remote".
func (s Side) String() string {
	if s == Local {
		return "local"
	}
	return "remote"
}

// RemoteKeys are the peer's public keys from open_channel/accept_channel.
type RemoteKeys struct {
	Funding, Revocation, Payment, Delayed, HTLC lnwire.Point
}

// State is everything a channel must remember, in the form it is persisted
// (JSON). Our private keys are not in it: KeyIndex derives them again.
type State struct {
	Version  int
	Phase    Phase
	Opener   bool
	Type     script.CommitmentType
	Announce bool
	KeyIndex uint32
	Peer     lnwire.Point
	Chain    chainhash.Hash
	TempID   lnwire.ChannelID
	ID       lnwire.ChannelID

	FundingTxid  chainhash.Hash
	FundingIndex uint32
	FundingSat   int64
	PushMsat     uint64
	// LeaseID names the wallet lease holding the funding inputs (opener).
	LeaseID string
	// MinimumDepth is the confirmations the accepter asked for.
	MinimumDepth  uint32
	FundingHeight uint32
	SCID          lnwire.ShortChannelID
	ReadySent     bool
	ReadyReceived bool

	Local, Remote Params
	RemoteKeys    RemoteKeys
	Obscurer      uint64

	// LocalNumber is our current commitment; LocalSig and LocalHTLCSigs
	// are the peer's signatures on it, what a force close broadcasts.
	LocalNumber   uint64
	LocalSig      lnwire.Sig
	LocalHTLCSigs []lnwire.Sig
	// RemoteNumber is the newest peer commitment we signed; RemoteTail
	// the oldest one not revoked yet (RemoteNumber-1 while we await a
	// revoke_and_ack, else RemoteNumber).
	RemoteNumber, RemoteTail uint64
	// RemoteTailPoint is the peer's point for RemoteTail, RemoteNextPoint
	// for RemoteTail+1.
	RemoteTailPoint, RemoteNextPoint lnwire.Point
	// RemoteSecrets holds every per-commitment secret the peer revealed.
	RemoteSecrets keys.RevocationStore `json:"-"`
	// LastSent records which of commitment_signed and revoke_and_ack left
	// last, the order a reestablish must retransmit them in.
	LastSent lastSent

	// BaseLocalMsat, BaseRemoteMsat and BaseFeerate are the balances and
	// fee rate once every update folded away is applied; Updates is the
	// log of the rest.
	BaseLocalMsat, BaseRemoteMsat uint64
	BaseFeerate                   uint32
	Updates                       []*Update
	NextLocalID, NextRemoteID     uint64

	Close CloseState
	// FailReason is set in PhaseFailed.
	FailReason string
	// DataLoss is set when the peer proved our state stale: our
	// commitment must never be broadcast.
	DataLoss bool `json:",omitempty"`
	// Restored marks a recovery record made from a static channel backup
	// (NewShell): it knows the channel's keys and funding but no
	// commitment, so it only asks the peer to close and sweeps our
	// output of the peer's commitment.
	Restored bool `json:",omitempty"`
}

// lastSent is which commitment message we sent most recently.
type lastSent uint8

const (
	sentNone lastSent = iota
	sentCommit
	sentRevoke
)

// UpdateKind is the message an Update came from.
type UpdateKind uint8

// The update kinds.
const (
	KindAdd UpdateKind = iota
	KindFulfill
	KindFail
	KindFailMalformed
	KindFee
)

// Update is one update_* message in the log, with the first commitment
// number of each side that includes it (0 = not yet: commitment 0 never
// includes an update).
type Update struct {
	Origin Side
	Kind   UpdateKind
	// HTLCID is the HTLC added, or (for a removal) the HTLC removed, which
	// the other side offered.
	HTLCID      uint64
	AmountMsat  uint64   `json:",omitempty"`
	PaymentHash [32]byte `json:",omitempty"`
	CltvExpiry  uint32   `json:",omitempty"`
	Onion       []byte   `json:",omitempty"`
	Preimage    [32]byte `json:",omitempty"`
	Reason      []byte   `json:",omitempty"`
	FailCode    uint16   `json:",omitempty"`
	OnionHash   [32]byte `json:",omitempty"`
	Feerate     uint32   `json:",omitempty"`

	LocalCommit, RemoteCommit uint64
	// Announced records that the host was told about this update's
	// outcome (an incoming HTLC locked in, or our HTLC failed).
	Announced bool `json:",omitempty"`
}

// in reports whether the commitment of holder numbered n includes u.
func (u *Update) in(holder Side, n uint64) bool {
	c := u.LocalCommit
	if holder == Remote {
		c = u.RemoteCommit
	}
	return c != 0 && c <= n
}

func (u *Update) isRemoval() bool {
	return u.Kind == KindFulfill || u.Kind == KindFail || u.Kind == KindFailMalformed
}

// FundingOutpoint is the channel's funding output.
func (s *State) FundingOutpoint() wire.OutPoint {
	return wire.OutPoint{Hash: s.FundingTxid, Index: s.FundingIndex}
}

// stateJSON adds the encoded revocation store to State's JSON form.
type stateJSON struct {
	*State
	Secrets []byte
}

// Encode is the persisted form of the state.
func (s *State) Encode() ([]byte, error) {
	sec, err := s.RemoteSecrets.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode channel state: %w", err)
	}
	b, err := json.Marshal(stateJSON{State: s, Secrets: sec})
	if err != nil {
		return nil, fmt.Errorf("encode channel state: %w", err)
	}
	return b, nil
}

// stateVersion is the layout Encode writes.
const stateVersion = 1

// DecodeState restores a state written by Encode.
func DecodeState(b []byte) (*State, error) {
	var s State
	wrap := stateJSON{State: &s}
	if err := json.Unmarshal(b, &wrap); err != nil {
		return nil, fmt.Errorf("decode channel state: %w", err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("decode channel state: version %d, want %d", s.Version, stateVersion)
	}
	if err := s.RemoteSecrets.UnmarshalBinary(wrap.Secrets); err != nil {
		return nil, fmt.Errorf("decode channel state: %w", err)
	}
	return &s, nil
}

// clone deep-copies the state so a Handle that fails can be discarded.
func (s *State) clone() *State {
	c := *s
	c.LocalHTLCSigs = append([]lnwire.Sig(nil), s.LocalHTLCSigs...)
	c.Updates = make([]*Update, len(s.Updates))
	for i, u := range s.Updates {
		cu := *u
		c.Updates[i] = &cu
	}
	return &c
}

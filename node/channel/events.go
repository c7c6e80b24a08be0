package channel

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
)

// PeerMessage is a channel message from the peer.
type PeerMessage struct{ Msg lnwire.Message }

// FundingReady answers NeedFunding: the wallet leased inputs for a funding
// transaction paying the requested output at Outpoint.
type FundingReady struct {
	LeaseID  string
	Outpoint wire.OutPoint
}

// FundingFailed answers NeedFunding when the wallet cannot fund.
type FundingFailed struct{ Err error }

// FundingConfirmed reports the funding transaction at depth Depth in block
// Height at position TxIndex.
type FundingConfirmed struct {
	Height, TxIndex, Depth uint32
}

// Reconnected says a connection to the peer is up again; the channel
// answers with channel_reestablish.
type Reconnected struct{}

// Disconnected says the connection dropped.
type Disconnected struct{}

// AddHTLC offers an HTLC to the peer.
type AddHTLC struct {
	AmountMsat  uint64
	PaymentHash [32]byte
	CltvExpiry  uint32
	Onion       [lnwire.OnionPacketSize]byte
}

// SettleHTLC fulfills an HTLC the peer offered.
type SettleHTLC struct {
	ID       uint64
	Preimage [32]byte
}

// FailHTLC fails an HTLC the peer offered with an encrypted reason.
type FailHTLC struct {
	ID     uint64
	Reason []byte
}

// FailMalformedHTLC fails an HTLC whose onion we could not read: there
// is no shared secret to encrypt a reason with, so the code and the
// onion's hash go back in clear (update_fail_malformed_htlc).
type FailMalformedHTLC struct {
	ID        uint64
	Code      uint16
	OnionHash [32]byte
}

// SetFeerate asks the opener's channel to move its commitment fee rate.
type SetFeerate struct{ FeeratePerKw uint32 }

// Close starts a cooperative close paying our share to Script.
// FeeratePerKw is what we are willing to pay if we are the opener.
type Close struct {
	Script       []byte
	FeeratePerKw uint32
}

// ClosingConfirmed reports the closing transaction confirmed.
type ClosingConfirmed struct {
	Txid   chainhash.Hash
	Height uint32
}

func (PeerMessage) isEvent()       {}
func (FundingReady) isEvent()      {}
func (FundingFailed) isEvent()     {}
func (FundingConfirmed) isEvent()  {}
func (Reconnected) isEvent()       {}
func (Disconnected) isEvent()      {}
func (AddHTLC) isEvent()           {}
func (SettleHTLC) isEvent()        {}
func (FailHTLC) isEvent()          {}
func (FailMalformedHTLC) isEvent() {}
func (SetFeerate) isEvent()        {}
func (Close) isEvent()             {}
func (ClosingConfirmed) isEvent()  {}

// NeedFunding asks the host's wallet for a funding transaction paying
// AmountSat to PkScript; the host answers FundingReady or FundingFailed.
type NeedFunding struct {
	PkScript     []byte
	AmountSat    int64
	FeeratePerKw uint32
}

// PublishFunding asks the host to sign and broadcast the leased funding
// transaction: the peer's signature on our first commitment is safe on
// disk, so the funds can always come back.
type PublishFunding struct{ LeaseID string }

// ReleaseFunding gives a lease's inputs back to the wallet.
type ReleaseFunding struct{ LeaseID string }

// WatchFunding asks for FundingConfirmed once the funding output reaches
// Depth confirmations.
type WatchFunding struct {
	Outpoint wire.OutPoint
	PkScript []byte
	Depth    uint32
}

// PublishClose asks the host to broadcast the signed closing transaction
// and report ClosingConfirmed.
type PublishClose struct{ Tx *wire.MsgTx }

// Change is what a Notify reports.
type Change uint8

// The changes a host hears about.
const (
	ChangeState     Change = iota // phase or balances moved
	ChangeIncoming                // an HTLC the peer offered is locked in: settle or fail it
	ChangeFulfilled               // the peer fulfilled our HTLC: the preimage is ours
	ChangeFailed                  // our HTLC failed back, or the channel failed
	ChangeDropped                 // our HTLC was never committed and is forgotten
	ChangeShutdown                // a cooperative close began
)

// Notify tells the host about a change; for HTLC changes HTLC is set.
type Notify struct {
	Change Change
	HTLC   *Update
}

func (NeedFunding) isEffect()    {}
func (PublishFunding) isEffect() {}
func (ReleaseFunding) isEffect() {}
func (WatchFunding) isEffect()   {}
func (PublishClose) isEffect()   {}
func (Notify) isEffect()         {}

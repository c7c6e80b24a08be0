package backup

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// MaxChannels bounds the channels one file may list.
const MaxChannels = 5000

// Bounds on a peer's addresses.
const (
	maxAddrs   = 16
	maxAddrLen = 256
)

// The commitment types a record may name.
const (
	TypeAnchors         = "anchors"
	TypeStaticRemoteKey = "static_remote_key"
)

// File is the payload: the wallet seed and the channels to recover.
type File struct {
	// Chain is the genesis hash of the network the wallet is on.
	Chain chainhash.Hash `json:"chain"`
	// Entropy is the BIP39 entropy of the wallet's words.
	Entropy []byte `json:"entropy"`
	// Birthday is the height the wallet's first coins can be at: a
	// restore scans the chain from there.
	Birthday uint32 `json:"birthday"`
	// NextKeyIndex is the first channel key index never handed out, so a
	// restored node does not reuse the keys of a channel it forgot.
	NextKeyIndex uint32    `json:"nextKeyIndex"`
	Channels     []Channel `json:"channels"`
}

// Channel is one channel's record.
type Channel struct {
	// ChannelPoint is the funding outpoint, "txid:index".
	ChannelPoint string `json:"channelPoint"`
	// ShortChannelID and FundingHeight are zero while the funding is
	// unconfirmed.
	ShortChannelID uint64 `json:"shortChannelId,omitempty"`
	FundingHeight  uint32 `json:"fundingHeight,omitempty"`
	CapacitySat    int64  `json:"capacitySat"`
	// CommitmentType is TypeAnchors or TypeStaticRemoteKey.
	CommitmentType string `json:"commitmentType"`
	// Initiator says we opened (funded) the channel.
	Initiator bool     `json:"initiator"`
	Announce  bool     `json:"announce"`
	Peer      Pubkey   `json:"peer"`
	PeerAddrs []string `json:"peerAddrs"`
	// KeyIndex derives our keys for the channel from the seed (node/keys
	// families at this index); LocalFundingKey is the funding key it gave,
	// which a restore checks the seed still derives.
	KeyIndex        uint32 `json:"keyIndex"`
	LocalFundingKey Pubkey `json:"localFundingKey"`
	// Local are the limits we imposed on the peer, Remote those it
	// imposed on us (Remote.ToSelfDelay is the CSV on our to_local).
	Local  Params `json:"local"`
	Remote Params `json:"remote"`
	// RemoteKeys are the peer's funding key and basepoints.
	RemoteKeys Keys `json:"remoteKeys"`
}

// Params mirror node/channel's Params: what one side imposed in
// open_channel or accept_channel.
type Params struct {
	DustLimitSat     int64  `json:"dustLimitSat"`
	MaxInFlightMsat  uint64 `json:"maxInFlightMsat"`
	ReserveSat       int64  `json:"reserveSat"`
	HTLCMinimumMsat  uint64 `json:"htlcMinimumMsat"`
	ToSelfDelay      uint16 `json:"toSelfDelay"`
	MaxAcceptedHTLCs uint16 `json:"maxAcceptedHtlcs"`
}

// Keys are a side's funding key and basepoints.
type Keys struct {
	Funding    Pubkey `json:"funding"`
	Revocation Pubkey `json:"revocation"`
	Payment    Pubkey `json:"payment"`
	Delayed    Pubkey `json:"delayedPayment"`
	HTLC       Pubkey `json:"htlc"`
}

// Pubkey is a compressed public key, written as 66 hex characters.
type Pubkey [33]byte

// MarshalText writes the key in hex.
func (p Pubkey) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(p[:])), nil }

// UnmarshalText reads 66 hex characters; Validate checks the point.
func (p *Pubkey) UnmarshalText(b []byte) error {
	if len(b) != 2*len(p) {
		return fmt.Errorf("public key of %d hex characters, want %d", len(b), 2*len(p))
	}
	_, err := hex.Decode(p[:], b)
	return err
}

func (p Pubkey) check(what string) error {
	if _, err := btcec.ParsePubKey(p[:]); err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	return nil
}

// Validate checks everything a restore relies on, naming what is wrong.
func (f *File) Validate() error {
	switch len(f.Entropy) {
	case 16, 20, 24, 28, 32:
	default:
		return fmt.Errorf("seed entropy of %d bytes", len(f.Entropy))
	}
	if len(f.Channels) > MaxChannels {
		return fmt.Errorf("%d channels, at most %d", len(f.Channels), MaxChannels)
	}
	seen := map[string]bool{}
	for i := range f.Channels {
		c := &f.Channels[i]
		if err := c.validate(); err != nil {
			return fmt.Errorf("channel %d (%s): %w", i, c.ChannelPoint, err)
		}
		if seen[c.ChannelPoint] {
			return fmt.Errorf("channel %s listed twice", c.ChannelPoint)
		}
		seen[c.ChannelPoint] = true
	}
	return nil
}

func (c *Channel) validate() error {
	if _, err := c.Outpoint(); err != nil {
		return err
	}
	if c.CapacitySat <= 0 {
		return fmt.Errorf("capacity %d sat", c.CapacitySat)
	}
	if c.CommitmentType != TypeAnchors && c.CommitmentType != TypeStaticRemoteKey {
		return fmt.Errorf("commitment type %q", c.CommitmentType)
	}
	if len(c.PeerAddrs) > maxAddrs {
		return fmt.Errorf("%d peer addresses, at most %d", len(c.PeerAddrs), maxAddrs)
	}
	for _, a := range c.PeerAddrs {
		if a == "" || len(a) > maxAddrLen {
			return fmt.Errorf("peer address %.40q", a)
		}
	}
	return errors.Join(c.Peer.check("peer"), c.LocalFundingKey.check("local funding key"),
		c.RemoteKeys.Funding.check("peer funding key"), c.RemoteKeys.Revocation.check("peer revocation basepoint"),
		c.RemoteKeys.Payment.check("peer payment basepoint"), c.RemoteKeys.Delayed.check("peer delayed basepoint"),
		c.RemoteKeys.HTLC.check("peer HTLC basepoint"))
}

// Outpoint parses ChannelPoint.
func (c *Channel) Outpoint() (wire.OutPoint, error) {
	op, err := wire.NewOutPointFromString(c.ChannelPoint)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("channel point %.80q: %v", c.ChannelPoint, err)
	}
	if op.Index > 0xffff {
		return wire.OutPoint{}, fmt.Errorf("channel point %s: output index above 65535", c.ChannelPoint)
	}
	return *op, nil
}
